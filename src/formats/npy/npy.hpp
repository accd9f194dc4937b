// numpy's .npy: "\x93NUMPY", a version (1.0, 2.0 or 3.0), the length of a header that is a
// Python dict literal ({'descr': '<f4', 'fortran_order': False, 'shape': (50257, 768), }),
// then the array's bytes. A 2-D C-order array of little-endian float32 or float16 is used in
// place from the mapping; float64 is rounded to float32 once, as numpy's astype(float32) does.
// Rows are named by their id, or by a vocabulary file's tokens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"

namespace embtool::formats {

// .npy as a registered format (name "npy"), known by its magic number; written by `convert
// IN OUT.npy` (float32, or float16 with --dtype f16) with OUT.vocab.txt beside it.
const FormatDescriptor& npy_format();

// The header numpy.save writes for a C-order rows x dim array of `descr` ("<f4"): version 1.0,
// the dict with room for the first axis to grow to 21 digits, padded with blanks and a
// newline so that the data starts at a multiple of 64 bytes.
std::string npy_header(std::string_view descr, uint64_t rows, uint64_t dim);

// Where `convert` writes the words of OUT.npy: OUT.vocab.txt (m.npy -> m.vocab.txt), one a line
// in row order, which --vocab reads back.
std::filesystem::path npy_vocabulary_path(const std::filesystem::path& npy);

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
