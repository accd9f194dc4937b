#include "formats/gguf/gguf_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "base/huge_pages.hpp"
#include "base/thread_pool.hpp"
#include "kernels/simd.hpp"

namespace embtool::formats::gguf {
namespace {

// Rows decoded per round (the progress is told between rounds), per task at least, and per
// slice: a slice is decoded, then its rows' norms are taken while they are in the cache.
constexpr size_t kRowsPerRound = 8192;
constexpr size_t kMinRowsPerTask = 256;
constexpr size_t kRowsPerSlice = 16;
constexpr size_t kNoRow = SIZE_MAX;

// What the matrix's owner keeps alive: the decoded rows, in huge pages (a 4 KiB page fault
// every 1,024 values would cost more than decoding them), and their norms.
struct DecodedStorage {
  BigVector<float> values;
  std::vector<float> norms;
};

struct TaskResult {
  uint64_t nonfinite = 0;
  size_t first_row = kNoRow;  // the task's first row holding a NaN/Inf
};

// Rows [first, first + count) decoded into `out`, their norms into `norms`; a row holds a
// NaN/Inf only if its norm is not finite (so does a row too large to square, counted as none).
void decode_slice(kernels::ggml::BlockType type, const std::byte* data, size_t first, size_t count,
                  size_t dim, size_t blocks_per_row, size_t row_bytes, float* out,
                  std::vector<float>& norms, TaskResult& result) {
  float* rows = out + first * dim;
  kernels::ggml::dequantize(type, data + first * row_bytes, count * blocks_per_row, rows);
  for (size_t r = 0; r < count; ++r) {
    const std::span<const float> values(rows + r * dim, dim);
    // As Matrix::norm computes it, so that these are the norms Embeddings would compute.
    const float norm = std::sqrt(kernels::squared_norm(values));
    norms[first + r] = norm;
    if (std::isfinite(norm)) continue;
    const auto bad = static_cast<uint64_t>(
        std::count_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }));
    if (bad > 0 && result.first_row == kNoRow) result.first_row = first + r;
    result.nonfinite += bad;
  }
}

[[noreturn]] void refuse_nonfinite(const Matrix& matrix, size_t row, std::string_view path) {
  const std::vector<float> values = matrix.row_values(row);
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: token id {} has the value {} at dimension {}", path, row,
                            values[i], i + 1),
                Remedy::keep_nonfinite);
  }
  throw Error(ErrorKind::internal, "internal error: a NaN/Inf value counted but not found");
}

}  // namespace

DecodedRows decode_rows(kernels::ggml::BlockType type, const std::byte* data, size_t rows,
                        size_t dim, const LoadOptions& options, std::string_view path,
                        uint64_t done, uint64_t total) {
  const kernels::ggml::BlockLayout layout = kernels::ggml::block_layout(type);
  const size_t blocks_per_row = dim / layout.values;
  const size_t row_bytes = blocks_per_row * layout.bytes;
  auto storage = std::make_shared<DecodedStorage>();
  storage->values.resize(rows * dim);  // not value-initialized: the decoder writes every value
  storage->norms.resize(rows);
  float* out = storage->values.data();

  TaskResult all;
  for (size_t begin = 0; begin < rows; begin += kRowsPerRound) {
    const TaskPlan plan(std::min(rows, begin + kRowsPerRound) - begin, 0,
                        Split{kMinRowsPerTask, 1});
    std::vector<TaskResult> tasks(plan.tasks());
    parallel_for(plan, [&](const Task& task) {
      for (size_t first = begin + task.begin; first < begin + task.end; first += kRowsPerSlice) {
        const size_t count = std::min(kRowsPerSlice, begin + task.end - first);
        decode_slice(type, data, first, count, dim, blocks_per_row, row_bytes, out, storage->norms,
                     tasks[task.index]);
      }
    });
    for (const TaskResult& task : tasks) {
      all.nonfinite += task.nonfinite;
      all.first_row = std::min(all.first_row, task.first_row);
    }
    if (options.progress) options.progress(done + (begin + plan.items()) * row_bytes, total);
  }
  DecodedRows result;
  const auto* base = reinterpret_cast<const std::byte*>(out);
  result.norms = storage->norms;
  result.matrix = Matrix::view(Dtype::f32, rows, dim, base, dim, std::move(storage));
  result.nonfinite_values = all.nonfinite;
  if (all.nonfinite > 0 && !options.allow_nonfinite)
    refuse_nonfinite(result.matrix, all.first_row, path);
  return result;
}

}  // namespace embtool::formats::gguf
