// GGUF's quantized rows decoded once to float32, in parallel, with each row's norm and its
// NaN/Inf values found in the same pass, while the row is still in the cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "formats/formats.hpp"
#include "kernels/ggml_blocks.hpp"
#include "model/matrix.hpp"

namespace embtool::formats::gguf {

struct DecodedRows {
  Matrix matrix;                  // rows x dim float32, owned (its owner keeps the norms too)
  std::span<const float> norms;   // each row's, as Matrix::norm computes it
  uint64_t nonfinite_values = 0;  // NaN/Inf among the values (a NaN scale makes a row of them)
};

// `rows` rows of `dim` values (a multiple of the block's values) of `type` blocks that lie back
// to back from `data`, decoded by kernels::ggml::dequantize on every core. options.progress,
// if set, is told (done + the bytes decoded so far, total) between rounds of rows. Unless
// options.allow_nonfinite, the first NaN/Inf value is refused with a bad_data Error naming
// `path`, the token id (row) and the dimension.
DecodedRows decode_rows(kernels::ggml::BlockType type, const std::byte* data, size_t rows,
                        size_t dim, const LoadOptions& options, std::string_view path,
                        uint64_t done = 0, uint64_t total = 0);

}  // namespace embtool::formats::gguf
