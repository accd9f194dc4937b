#include "formats/dense_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "base/error.hpp"
#include "base/thread_pool.hpp"
#include "kernels/simd.hpp"

namespace embtool::formats {
namespace {

// Rows per task of the pass, at least; and tasks per thread, so that the threads that are free
// take over the later tasks of one that another process slows down (a shared machine).
constexpr size_t kMinRowsPerTask = 2048;
constexpr size_t kTasksPerThread = 4;
constexpr size_t kNoRow = std::numeric_limits<size_t>::max();

// What the matrix's owner keeps alive: the rows (the mapping, or their copy) and the norms.
struct RowsAndNorms {
  std::shared_ptr<const void> rows;
  std::vector<float> norms;
};

template <class Element>
std::shared_ptr<const void> aligned_copy(const std::byte* data, size_t values, const std::byte*& base) {
  auto copy = std::make_shared<std::vector<Element>>(values);
  std::memcpy(copy->data(), data, values * sizeof(Element));
  base = reinterpret_cast<const std::byte*>(copy->data());
  return copy;
}

uint64_t nonfinite_in(std::span<const float> values) {
  uint64_t count = 0;
  for (float v : values) count += !std::isfinite(v);
  return count;
}

struct TaskResult {
  uint64_t nonfinite = 0;
  size_t first_row = kNoRow;  // the first row of the task holding a NaN/Inf
};

// Norms of rows [begin, end), and their NaN/Inf values: a row holding one has a norm that is
// not finite (so does a row of finite values too large to square, counted as none).
TaskResult norms_of(const Matrix& matrix, size_t begin, size_t end, std::vector<float>& norms) {
  TaskResult result;
  std::vector<float> scratch(matrix.dtype() == Dtype::f32 ? 0 : matrix.dim());
  for (size_t r = begin; r < end; ++r) {
    std::span<const float> values;
    if (matrix.dtype() == Dtype::f32) {
      values = {matrix.f32_row(r), matrix.dim()};
    } else {
      matrix.decode_row(r, scratch);
      values = scratch;
    }
    // As Matrix::norm computes it, so that these are the norms Embeddings would compute.
    const float norm = std::sqrt(kernels::squared_norm(values));
    norms[r] = norm;
    if (std::isfinite(norm)) continue;
    const uint64_t bad = nonfinite_in(values);
    if (bad > 0 && result.first_row == kNoRow) result.first_row = r;
    result.nonfinite += bad;
  }
  return result;
}

[[noreturn]] void refuse_nonfinite(const Matrix& matrix, size_t row, std::string_view file) {
  const std::vector<float> values = matrix.row_values(row);
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: token id {} has the value {} at dimension {}", file, row, values[i], i + 1),
                Remedy::keep_nonfinite);
  }
  throw Error(ErrorKind::internal, "internal error: a NaN/Inf value counted but not found");
}

}  // namespace

DenseMatrix dense_matrix(const DenseRows& rows, size_t kept, const LoadOptions& options, std::string_view file) {
  if (rows.dtype == Dtype::i8 || kept > rows.rows) throw Error(ErrorKind::internal, "internal error: dense rows");
  const size_t element = dtype_bytes(rows.dtype);
  auto owner = std::make_shared<RowsAndNorms>();
  const std::byte* base = rows.data;
  if (reinterpret_cast<uintptr_t>(rows.data) % element == 0) {
    owner->rows = rows.owner;
  } else {
    // A tensor at an offset that is no multiple of its element's size: the kernels load whole
    // elements, so the rows are copied once to memory that is aligned.
    owner->rows = rows.dtype == Dtype::f32 ? aligned_copy<float>(rows.data, kept * rows.dim, base)
                                           : aligned_copy<uint16_t>(rows.data, kept * rows.dim, base);
  }
  owner->norms.resize(kept);
  std::vector<float>& norms = owner->norms;
  DenseMatrix result;
  result.matrix = Matrix::view(rows.dtype, kept, rows.dim, base, rows.dim, owner);
  result.norms = norms;

  const TaskPlan plan(kept, 0, Split{kMinRowsPerTask, kTasksPerThread});
  std::vector<TaskResult> tasks(plan.tasks());
  parallel_for(plan, [&](const Task& task) {
    tasks[task.index] = norms_of(result.matrix, task.begin, task.end, norms);
  });
  size_t first_row = kNoRow;
  for (const TaskResult& task : tasks) {
    result.nonfinite_values += task.nonfinite;
    first_row = std::min(first_row, task.first_row);
  }
  if (result.nonfinite_values > 0 && !options.allow_nonfinite) refuse_nonfinite(result.matrix, first_row, file);
  return result;
}

}  // namespace embtool::formats
