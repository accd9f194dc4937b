#include "formats/gguf/gguf_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "base/huge_pages.hpp"
#include "base/thread_pool.hpp"

namespace embtool::formats::gguf {
namespace {

constexpr size_t kMinRowsPerTask = 4096;

// All exponent bits set: NaN or infinity.
constexpr uint32_t kF32Exponent = 0x7F800000u;
constexpr uint16_t kF16Exponent = 0x7C00u;
constexpr uint16_t kBf16Exponent = 0x7F80u;

// Branch-free with a 32-bit count, so that the compiler vectorizes them: they read every
// value of the matrix. (A row has at most kMaxDim values: no overflow.)
uint32_t nonfinite_in(const float* values, size_t n) {
  uint32_t count = 0;
  for (size_t i = 0; i < n; ++i)
    count += (std::bit_cast<uint32_t>(values[i]) & kF32Exponent) == kF32Exponent;
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

// Rows decoded per round (the progress is told between rounds), and per task: a task's rows
// are counted for NaN/Inf right after they are decoded, while they are still in the cache.
constexpr size_t kRowsPerRound = 8192;
constexpr size_t kMinDecodedRowsPerTask = 256;
constexpr size_t kRowsPerCountedSlice = 16;

}  // namespace

void refuse_first_nonfinite(const Matrix& matrix, std::string_view path) {
  std::vector<float> values(matrix.dim());
  for (size_t row = 0; row < matrix.rows(); ++row) {
    if (nonfinite_in_row(matrix, row) == 0) continue;
    matrix.decode_row(row, values);
    for (size_t i = 0; i < values.size(); ++i) {
      if ((std::bit_cast<uint32_t>(values[i]) & kF32Exponent) != kF32Exponent) continue;
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: token id {} has the value {} at dimension {}", path, row,
                              values[i], i + 1),
                  Remedy::keep_nonfinite);
    }
  }
  throw Error(ErrorKind::internal, "internal error: a NaN/Inf value counted but not found");
}

uint64_t count_nonfinite(const Matrix& matrix, const LoadOptions& options, std::string_view path) {
  if (matrix.rows() == 0 || matrix.dim() == 0) return 0;
  const TaskPlan plan(matrix.rows(), 0, Split{kMinRowsPerTask, 1});
  std::vector<uint64_t> counts(plan.tasks(), 0);
  parallel_for(plan, [&](const Task& task) {
    uint64_t count = 0;
    for (size_t row = task.begin; row < task.end; ++row) count += nonfinite_in_row(matrix, row);
    counts[task.index] = count;
  });
  uint64_t total = 0;
  for (uint64_t count : counts) total += count;
  if (total > 0 && !options.allow_nonfinite) refuse_first_nonfinite(matrix, path);
  return total;
}

DecodedRows decode_rows(kernels::ggml::BlockType type, const std::byte* data, size_t rows,
                        size_t dim, const LoadProgress& progress, uint64_t done, uint64_t total) {
  const kernels::ggml::BlockLayout layout = kernels::ggml::block_layout(type);
  const size_t blocks_per_row = dim / layout.values;
  const size_t row_bytes = blocks_per_row * layout.bytes;
  // In huge pages (a 4 KiB page fault every 1,024 values cost more than decoding them), and not
  // value-initialized: every value is written by the decoder, first by the thread that decodes it.
  auto values = std::make_shared<BigVector<float>>();
  values->resize(rows * dim);
  float* out = values->data();
  uint64_t nonfinite = 0;
  for (size_t begin = 0; begin < rows; begin += kRowsPerRound) {
    const TaskPlan plan(std::min(rows, begin + kRowsPerRound) - begin, 0,
                        Split{kMinDecodedRowsPerTask, 1});
    std::vector<uint64_t> counts(plan.tasks(), 0);
    parallel_for(plan, [&](const Task& task) {
      for (size_t first = begin + task.begin; first < begin + task.end;
           first += kRowsPerCountedSlice) {
        const size_t count = std::min(kRowsPerCountedSlice, begin + task.end - first);
        float* slice = out + first * dim;
        kernels::ggml::dequantize(type, data + first * row_bytes, count * blocks_per_row, slice);
        counts[task.index] += nonfinite_in(slice, count * dim);
      }
    });
    for (uint64_t count : counts) nonfinite += count;
    if (progress) progress(done + (begin + plan.items()) * row_bytes, total);
  }
  const auto* base = reinterpret_cast<const std::byte*>(values->data());
  return {Matrix::view(Dtype::f32, rows, dim, base, dim, std::move(values)), nonfinite};
}

}  // namespace embtool::formats::gguf
