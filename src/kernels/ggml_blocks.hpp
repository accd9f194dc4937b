// ggml's quantized blocks (the tensor types of GGUF files) decoded to float32, each value
// bit-identical to ggml's own reference dequantize_row_* (ggml/src/ggml-quants.c): the same
// integer unpacking, the same float operations in the same order, float16 scales converted
// exactly. This file is compiled with -ffp-contract=off so that no fused multiply-add
// rounds a `d * q - m` differently from ggml's separate multiply and subtract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace embtool::kernels::ggml {

// The block formats decoded here (ggml_type names: Q8_0, Q4_0, ..., Q6_K).
enum class BlockType : uint8_t { q8_0, q4_0, q4_1, q5_0, q5_1, q2_K, q3_K, q4_K, q5_K, q6_K };

struct BlockLayout {
  size_t values;  // values one block holds (32, or 256 for the K types)
  size_t bytes;   // the block's size in the file
};

BlockLayout block_layout(BlockType type);
std::string_view block_type_name(BlockType type);  // "Q4_K"

// Decodes `blocks` consecutive blocks of `type` that start at `in` (any alignment: blocks of
// 34 or 210 bytes leave their float16 fields unaligned) into blocks * values floats at `out`.
void dequantize(BlockType type, const std::byte* in, size_t blocks, float* out);

}  // namespace embtool::kernels::ggml
