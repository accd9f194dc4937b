// A GGUF embedding's rows as a Matrix: quantized rows decoded once to float32 (in parallel,
// with progress), and the NaN/Inf values of any rows counted in one pass split among the
// cores and refused unless the caller allows them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/formats.hpp"
#include "kernels/ggml_blocks.hpp"
#include "model/matrix.hpp"

namespace embtool::formats::gguf {

// How many NaN/Inf values `matrix` (f32, f16 or bf16 rows) holds. Unless
// options.allow_nonfinite, the first one is refused with a bad_data Error naming `path`, the
// token id (row) and the dimension.
uint64_t count_nonfinite(const Matrix& matrix, const LoadOptions& options, std::string_view path);

struct DecodedRows {
  Matrix matrix;                  // rows x dim float32, owned
  uint64_t nonfinite_values = 0;  // NaN/Inf among them (counted as they were decoded)
};

// `rows` rows of `dim` values (a multiple of the block's values) of `type` blocks that lie back
// to back from `data`, decoded to float32 by kernels::ggml::dequantize on every core.
// `progress`, if set, is told (done + bytes decoded so far, total) between rounds of rows.
DecodedRows decode_rows(kernels::ggml::BlockType type, const std::byte* data, size_t rows,
                        size_t dim, const LoadProgress& progress = {}, uint64_t done = 0,
                        uint64_t total = 0);

// The first NaN/Inf of a matrix that has some, refused (see count_nonfinite).
[[noreturn]] void refuse_first_nonfinite(const Matrix& matrix, std::string_view path);

}  // namespace embtool::formats::gguf
