// Rows of float32, float16 or bfloat16 values that lie back to back in a mapped file
// (safetensors, .npy): served in place when they are aligned for their dtype, copied once
// otherwise. One pass over them, split among the cores, computes every row's norm and counts
// the NaN/Inf values (refused unless the caller allows them): the only work proportional to
// the matrix that opening such a file does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "formats/formats.hpp"
#include "model/matrix.hpp"

namespace embtool::formats {

// rows x dim little-endian values of `dtype` (f32, f16 or bf16) from `data`, which `owner`
// keeps alive (a MappedFile).
struct DenseRows {
  Dtype dtype = Dtype::f32;
  size_t rows = 0;
  size_t dim = 0;
  const std::byte* data = nullptr;
  std::shared_ptr<const void> owner;
};

struct DenseMatrix {
  Matrix matrix;                 // stride dim; its owner keeps the norms alive too
  std::span<const float> norms;  // each row's, as Matrix::norm computes it
  uint64_t nonfinite_values = 0;
};

// The first `kept` rows as a Matrix at stride dim: a view of `rows.data` when it is aligned for
// the dtype (2 bytes for f16 / bf16, 4 for f32), else an owned copy (a file whose tensor data
// starts at an odd offset), with their norms. Unless options.allow_nonfinite, the first NaN/Inf
// value is refused with a bad_data Error naming `file`, the token id (row) and the dimension.
DenseMatrix dense_matrix(const DenseRows& rows, size_t kept, const LoadOptions& options, std::string_view file);

}  // namespace embtool::formats
