// GGUF (llama.cpp's model file), versions 2 and 3, read from the bytes of a mapped file: the
// header, the typed metadata, the tensor infos and where the data section starts. Nothing is
// copied: keys, strings and arrays are views of the mapping. Every count and length is checked
// against the bytes left before anything is sized by it, and every tensor against the file
// (its type, its element count, its size, its alignment, its end, its neighbours), so that
// what parse_gguf returns can be used without another check.
//
// The layout (all little-endian):
//   "GGUF" u32 version, u64 tensor_count, u64 kv_count,
//   kv_count x { string key, u32 value_type, value },
//   tensor_count x { string name, u32 n_dims, n_dims x u64 ne, u32 ggml_type, u64 offset },
//   padding to general.alignment (default 32), then the data section; a tensor's offset is
//   from the start of the data section. A string is u64 length + bytes (no terminator); an
//   array is u32 element_type, u64 count, then the elements.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/gguf/ggml_types.hpp"

namespace embtool::formats::gguf {

inline constexpr std::string_view kMagic = "GGUF";
inline constexpr uint64_t kDefaultAlignment = 32;
inline constexpr uint32_t kMaxDims = 4;  // GGML_MAX_DIMS

// GGUF's metadata value types, in its numbering (gguf.h's enum gguf_type).
// clang-format off
enum class ValueType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8,
  array = 9, u64 = 10, i64 = 11, f64 = 12,
};
// clang-format on

std::string_view value_type_name(ValueType type);  // "uint32", "string", "array"

// One metadata value as it lies in the file.
struct Value {
  ValueType type = ValueType::u8;
  ValueType element_type = ValueType::u8;  // arrays: the type of their elements
  uint64_t count = 1;                      // arrays: their length
  // A scalar's bytes; a string's text; an array's elements (strings with their lengths).
  std::span<const std::byte> bytes;

  bool is_array() const { return type == ValueType::array; }
  // A non-negative whole number of any integer type, else nullopt.
  std::optional<uint64_t> as_unsigned() const;
  // A signed view of any integer type (uint64 above INT64_MAX: nullopt).
  std::optional<int64_t> as_signed() const;
  std::optional<double> as_float() const;  // float32 or float64
  std::optional<bool> as_bool() const;
  std::optional<std::string_view> as_string() const;
  // An array of strings, each a view of the file; empty for any other value.
  std::vector<std::string_view> strings() const;
  // An array of an integer type, each element widened; empty for any other value.
  std::vector<int64_t> integers() const;
  // An array of float32 (or of an integer type, widened); empty for any other value.
  std::vector<float> floats() const;
};

struct KeyValue {
  std::string_view key;
  Value value;
};

struct TensorInfo {
  std::string_view name;
  uint32_t n_dims = 0;
  std::array<uint64_t, kMaxDims> ne{1, 1, 1, 1};  // fastest-varying first; 1 past n_dims
  const GgmlType* type = nullptr;
  uint64_t offset = 0;       // from the start of the data section, as the file says
  uint64_t bytes = 0;        // elements / block_values * block_bytes
  uint64_t file_offset = 0;  // from the start of the file

  uint64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  // "[768, 50257]": ne as the file lists it.
  std::string shape_text() const;
};

struct File {
  uint32_t version = 0;
  uint64_t alignment = kDefaultAlignment;
  uint64_t data_offset = 0;         // where the data section starts, from the start of the file
  std::vector<KeyValue> metadata;   // in file order
  std::vector<TensorInfo> tensors;  // in file order

  const Value* find(std::string_view key) const;
  const TensorInfo* find_tensor(std::string_view name) const;
};

// A name from the file as a one-line message shows it: control bytes as \xNN, cut at 80 bytes.
std::string printable_name(std::string_view name);

// Parses the GGUF file whose bytes are `bytes`; `path` names it in errors. Throws a bad_data
// Error, one sentence that names the file and the problem, for anything that is not a
// well-formed GGUF v2/v3 file.
File parse(std::span<const std::byte> bytes, std::string_view path);

}  // namespace embtool::formats::gguf
