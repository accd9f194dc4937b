#include "formats/dense_rows.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "base/thread_pool.hpp"

namespace embtool::formats {

Matrix dense_matrix(const DenseRows& rows) {
  const size_t element = dtype_bytes(rows.dtype);
  const size_t values = rows.rows * rows.dim;
  if (rows.dtype == Dtype::i8) throw Error(ErrorKind::internal, "internal error: dense int8 rows");
  if (reinterpret_cast<uintptr_t>(rows.data) % element == 0) {
    return Matrix::view(rows.dtype, rows.rows, rows.dim, rows.data, rows.dim, rows.owner);
  }
  // A tensor at an offset that is no multiple of its element size: the kernels load whole
  // elements, so the rows are copied once to memory that is aligned.
  if (rows.dtype == Dtype::f32) {
    std::vector<float> copy(values);
    std::memcpy(copy.data(), rows.data, values * element);
    return Matrix::from_f32(std::move(copy), rows.dim);
  }
  auto copy = std::make_shared<std::vector<uint16_t>>(values);
  std::memcpy(copy->data(), rows.data, values * element);
  const auto* base = reinterpret_cast<const std::byte*>(copy->data());
  return Matrix::view(rows.dtype, rows.rows, rows.dim, base, rows.dim, std::move(copy));
}

namespace {

// Rows per task of the counting pass: big enough that a task is worth a thread.
constexpr size_t kMinRowsPerTask = 4096;

// The bits that are all set in the exponent of a NaN or an infinity.
constexpr uint32_t kF32Exponent = 0x7F800000u;
constexpr uint16_t kF16Exponent = 0x7C00u;
constexpr uint16_t kBf16Exponent = 0x7F80u;

// Counted without a branch, so that the compiler vectorizes the loops: they read every value
// of the matrix.
uint32_t nonfinite_in(const float* values, size_t n) {
  uint32_t count = 0;
  for (size_t i = 0; i < n; ++i) count += (std::bit_cast<uint32_t>(values[i]) & kF32Exponent) == kF32Exponent;
  return count;
}

uint32_t nonfinite_in(const uint16_t* values, size_t n, uint16_t exponent) {
  uint32_t count = 0;
  for (size_t i = 0; i < n; ++i) count += (values[i] & exponent) == exponent;
  return count;
}

uint32_t nonfinite_in_row(const Matrix& matrix, size_t row) {
  switch (matrix.dtype()) {
    case Dtype::f32: return nonfinite_in(matrix.f32_row(row), matrix.dim());
    case Dtype::f16: return nonfinite_in(matrix.u16_row(row), matrix.dim(), kF16Exponent);
    case Dtype::bf16: return nonfinite_in(matrix.u16_row(row), matrix.dim(), kBf16Exponent);
    case Dtype::i8: return 0;
  }
  return 0;
}

[[noreturn]] void refuse_first_nonfinite(const Matrix& matrix, std::string_view file) {
  std::vector<float> values(matrix.dim());
  for (size_t row = 0; row < matrix.rows(); ++row) {
    if (nonfinite_in_row(matrix, row) == 0) continue;
    matrix.decode_row(row, values);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint32_t bits = std::bit_cast<uint32_t>(values[i]);
      if ((bits & kF32Exponent) != kF32Exponent) continue;
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: token id {} has the value {} at dimension {}", file, row,
                              values[i], i + 1),
                  Remedy::keep_nonfinite);
    }
  }
  throw Error(ErrorKind::internal, "internal error: a NaN/Inf value counted but not found");
}

}  // namespace

uint64_t count_nonfinite(const Matrix& matrix, const LoadOptions& options, std::string_view file) {
  if (matrix.dim() == 0 || matrix.rows() == 0) return 0;
  const TaskPlan plan(matrix.rows(), 0, Split{kMinRowsPerTask, 1});
  std::vector<uint64_t> counts(plan.tasks(), 0);
  parallel_for(plan, [&](const Task& task) {
    uint64_t count = 0;
    for (size_t row = task.begin; row < task.end; ++row) count += nonfinite_in_row(matrix, row);
    counts[task.index] = count;
  });
  uint64_t total = 0;
  for (uint64_t count : counts) total += count;
  if (total > 0 && !options.allow_nonfinite) refuse_first_nonfinite(matrix, file);
  return total;
}

}  // namespace embtool::formats
