// ggml's tensor types as GGUF files number them (ggml.h's enum ggml_type), with the block
// layout of each, so that every tensor of a file can be checked (its size, its place), and
// what embtool does with each when it is the embedding: rows used in place (F32, F16, BF16),
// decoded to float32 (the quantized types kernels/ggml_blocks.hpp decodes), or refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernels/ggml_blocks.hpp"
#include "model/matrix.hpp"

namespace embtool::formats::gguf {

struct GgmlType {
  uint32_t id = 0;
  std::string_view name;                            // as ggml names it: "F32", "Q4_K"
  size_t block_values = 1;                          // values per block (1 for plain types)
  size_t block_bytes = 0;                           // bytes per block
  std::optional<Dtype> in_place;                    // rows served as they lie
  std::optional<kernels::ggml::BlockType> decoded;  // rows decoded to float32
};

// The type numbered `id`, or nullptr for a number ggml does not use (or no longer reads).
const GgmlType* ggml_type(uint32_t id);

// The types an embedding may be in, for messages: "F32, F16, BF16, Q8_0, ...".
std::string readable_type_names();

}  // namespace embtool::formats::gguf
