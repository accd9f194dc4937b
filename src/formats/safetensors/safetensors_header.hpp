// The header of a safetensors file: 8 bytes of little-endian length, then that many bytes of
// JSON, an object whose keys name the tensors ({"dtype", "shape", "data_offsets": [begin,
// end]}, offsets into the data that follows the header) plus an optional "__metadata__" of
// strings. Everything a lying header could make us read or allocate is checked here: the
// length against the file, every tensor's offsets against the data, the offsets against each
// other (no tensor overlaps another) and shape x dtype size against the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace embtool::formats {

// A larger header is refused (the safetensors library's own limit).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsTensor {
  std::string name;
  std::string dtype;            // as the file names it: "F32", "BF16", "I64"
  std::vector<uint64_t> shape;
  uint64_t begin = 0;           // [begin, end): bytes of the data section
  uint64_t end = 0;
  uint64_t bytes() const { return end - begin; }
};

struct SafetensorsHeader {
  uint64_t data_offset = 0;  // of the data section in the file: 8 + the header's length
  std::vector<SafetensorsTensor> tensors;  // by data offset (file order)
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__", in file order

  // The tensor of this name, or nullptr.
  const SafetensorsTensor* find(std::string_view name) const;
};

// Bytes per element of a safetensors dtype ("BF16" -> 2), or nullopt for a dtype this list
// does not know (sub-byte and future dtypes: their sizes are not checked).
std::optional<uint64_t> safetensors_dtype_bytes(std::string_view dtype);

// The header's length from the file's first 8 bytes (`first_bytes`, possibly fewer when the
// file is shorter), checked against the file's size. Throws a bad_data Error naming `file`.
uint64_t safetensors_header_length(std::string_view first_bytes, uint64_t file_bytes, std::string_view file);

// Parses and checks `json`, the header of a file whose data section (what follows the header)
// holds `data_bytes` bytes. Throws a bad_data Error naming `file` and what is wrong.
SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes, std::string_view file);

}  // namespace embtool::formats
