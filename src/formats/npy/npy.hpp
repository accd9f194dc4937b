// numpy's .npy: "\x93NUMPY", a version (1.0, 2.0 or 3.0), the length of a header that is a
// Python dict literal ({'descr': '<f4', 'fortran_order': False, 'shape': (50257, 768), }),
// then the array's bytes. A 2-D C-order array of little-endian float32 or float16 is used in
// place from the mapping; float64 is rounded to float32 once, as numpy's astype(float32) does.
// Rows are named by their id, or by a vocabulary file's tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"

namespace embtool::formats {

// .npy as a registered format (name "npy"), known by its magic number.
const FormatDescriptor& npy_format();

inline constexpr std::string_view kNpyMagic = "\x93NUMPY";

struct NpyHeader {
  unsigned major = 0, minor = 0;  // the format version
  std::string descr;              // the dtype as numpy spells it: "<f4"
  bool fortran_order = false;
  std::vector<uint64_t> shape;
  uint64_t data_offset = 0;       // where the array's bytes start
};

// Parses the magic, version, header length and header dict at the start of `bytes` (the
// file's first bytes, at least as many as the header takes, or all of a shorter file).
// Strict: exactly the keys descr, fortran_order and shape, each once, with values of their
// types. Throws a bad_data Error naming `file`.
NpyHeader parse_npy_header(std::string_view bytes, std::string_view file);

}  // namespace embtool::formats
