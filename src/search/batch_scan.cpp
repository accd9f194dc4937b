// Many cosine queries in one pass over the matrix. Each thread takes a range of rows, block by
// block, and multiplies the block by all the queries at once (kernels::dot_block, a matrix
// product); reading the rows once for all queries and multiplying at the arithmetic peak is
// what makes a batch far cheaper than a scan per query.
//
// The product sums in another order than the single-query kernel (and, with bfloat16, on
// rounded inputs), so its cosines are estimates within a known bound; search/candidates.hpp
// turns them into answers identical to top_k_cosine's, bit for bit. Float16 / bfloat16 rows
// (a model that has nothing finer) are decoded block by block: their single-query kernel is a
// float32 sum of the same decoded values, so the same bound holds.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "search/search.hpp"
#include "kernels/gemm.hpp"
#include "kernels/simd.hpp"
#include "search/parallel_ranges.hpp"
#include "search/candidates.hpp"

namespace embtool::search {
namespace {

// Rows per matrix product: large enough that packing the queries (once per product) costs
// little next to the multiplication; queries go in groups so a block's scores stay in cache.
constexpr uint32_t kBlockRows = 1024;
constexpr size_t kQueryGroup = 1024;
// The rounding of multiplying by 1 / norm here and of dividing by the norm in the float32
// path, on cosines of size about 1.
constexpr double kScoreSlack = 2e-6;
// Below this many queries the per-query scans (which may read a small int8 copy) are faster.
constexpr size_t kMinBatch = 4;

// Rows [begin, end) as a dense float32 matrix: in place when the model keeps float32 rows at
// a float-aligned stride, else decoded into `buffer` (float32 rows read in place from a
// word2vec file, float16 / bfloat16 rows).
const float* dense_rows(const Embeddings& e, uint32_t begin, uint32_t end, std::vector<float>& buffer,
                        size_t& stride) {
  const Matrix& m = e.matrix();
  const size_t stride_bytes = m.stride_bytes();
  if (m.dtype() == Dtype::f32 && stride_bytes % sizeof(float) == 0 && stride_bytes != 0 &&
      reinterpret_cast<uintptr_t>(m.row_bytes(begin)) % alignof(float) == 0) {
    stride = m.stride();
    return m.f32_row(begin);
  }
  stride = e.dim();
  buffer.resize(size_t{end - begin} * e.dim());
  m.decode_rows(begin, end, buffer.data());
  return buffer.data();
}

// A group of queries times blocks of rows, in float32 (sgemm) or with both rounded to
// bfloat16 (sbgemm: twice the rate, a wider bound, the same answers after re-scoring).
class BlockProduct {
 public:
  BlockProduct(const Embeddings& e, std::span<const float> queries, bool bf16)
      : e_(e), queries_(queries), bf16_(bf16) {
    const size_t dim = e.dim();
    if (bf16_) {
      const size_t count = queries.size() / dim;
      queries_bf16_.resize(count * kernels::bf16_pairs(dim));
      kernels::pack_queries_bf16(queries.data(), count, dim, queries_bf16_.data());
      // Per unit: bound * |x| * 1 + absolute * (|x| + 1), divided by |x| >= kTinyNorm.
      error_ = kernels::bf16_dot_error_bound(dim) +
               kernels::bf16_dot_absolute_error(dim) * (1 + 1 / static_cast<double>(kTinyNorm));
    } else {
      error_ = kernels::gemm_dot_error_bound(dim);
    }
    error_ += kScoreSlack;
  }

  // Cosine units, for rows of norm at least kTinyNorm.
  float error() const { return static_cast<float>(error_); }

  // out[q * rows + i] = dot(query q, row start + i).
  void multiply(uint32_t start, uint32_t stop, float* out) {
    const size_t count = queries_.size() / e_.dim();
    if (!bf16_) {
      size_t stride = 0;
      const float* rows = dense_rows(e_, start, stop, buffer_, stride);
      kernels::dot_block(rows, stop - start, stride, queries_.data(), count, e_.dim(), out);
      return;
    }
    const size_t dim = e_.dim();
    pointers_.resize(stop - start);
    size_t stride = 0;
    const float* rows = e_.has_f32_rows() ? nullptr : dense_rows(e_, start, stop, buffer_, stride);
    for (uint32_t r = start; r < stop; ++r) {
      pointers_[r - start] = rows ? rows + size_t{r - start} * stride : e_.row_data(r);
    }
    rows_bf16_.resize(kernels::bf16_packed_rows_size(stop - start, dim));
    kernels::pack_rows_bf16(pointers_.data(), stop - start, dim, rows_bf16_.data());
    kernels::dot_block_bf16(rows_bf16_.data(), stop - start, queries_bf16_.data(), count, dim, out);
  }

 private:
  const Embeddings& e_;
  std::span<const float> queries_;
  bool bf16_;
  double error_ = 0;
  std::vector<uint32_t> queries_bf16_;
  std::vector<uint16_t> rows_bf16_;
  std::vector<const float*> pointers_;
  std::vector<float> buffer_;
};

// One query's scores for the rows of a block, offered to its collector where they can matter.
void collect_block(const float* dots, const float* inverse_norms, uint32_t start, uint32_t count,
                   float error, CandidateCollector& collector) {
  if (kernels::max_product(dots, inverse_norms, count) < collector.entry_score() - error) return;
  for (uint32_t i = 0; i < count; ++i) {
    if (inverse_norms[i] == 0.0f) continue;  // a zero row scores NaN: never returned
    const float approx = dots[i] * inverse_norms[i];
    if (approx >= collector.entry_score() - error) collector.offer(start + i, approx, error);
  }
}

// 1 / norm of rows [start, stop), 0 for zero rows; whether any norm is below kTinyNorm,
// where the bounds' absolute terms stop being negligible (such a block is re-scored whole).
bool inverse_norms_of(const Embeddings& e, uint32_t start, uint32_t stop, float* out) {
  bool tiny = false;
  for (uint32_t r = start; r < stop; ++r) {
    const float norm = e.norm(r);
    out[r - start] = norm > 0.0f ? 1.0f / norm : 0.0f;
    tiny |= norm > 0.0f && norm < kTinyNorm;
  }
  return tiny;
}

void collect_range(const Embeddings& e, std::span<const float> queries, bool bf16,
                   uint32_t begin, uint32_t end, std::span<CandidateCollector> collectors) {
  const size_t count = collectors.size();
  BlockProduct product(e, queries, bf16);
  std::vector<float> dots(size_t{kBlockRows} * count);
  std::vector<float> inverse_norms(kBlockRows);
  for (uint32_t start = begin, stop; start < end; start = stop) {
    stop = start + std::min(kBlockRows, end - start);
    const uint32_t rows_in_block = stop - start;
    product.multiply(start, stop, dots.data());
    // 1 / norm instead of a division per score: the bound's slack covers its rounding.
    const bool tiny = inverse_norms_of(e, start, stop, inverse_norms.data());
    const float error = tiny ? std::numeric_limits<float>::infinity() : product.error();
    for (size_t q = 0; q < count; ++q) {
      collect_block(dots.data() + q * rows_in_block, inverse_norms.data(), start, rows_in_block,
                    error, collectors[q]);
    }
  }
}

}  // namespace
}  // namespace embtool::search

namespace embtool {

std::vector<std::vector<Neighbor>> top_k_cosine_batch(const Embeddings& e,
                                                      std::span<const CosineQuery> queries,
                                                      const SearchOptions& options,
                                                      BatchArithmetic arithmetic) {
  std::vector<std::vector<Neighbor>> answers(queries.size());
  // NaN/Inf values (kept by --allow-nonfinite) would break the bounds: scan per query then.
  // With an approximate index each query walks its graph: no pass over the matrix to share.
  if (queries.size() < search::kMinBatch || e.rows() == 0 || e.has_nonfinite_values() || options.ann != nullptr) {
    for (size_t q = 0; q < queries.size(); ++q) {
      answers[q] = top_k_cosine(e, queries[q].unit_query, queries[q].k, queries[q].excluded, options);
      if (options.progress) options.progress(q + 1, queries.size());
    }
    return answers;
  }
  std::vector<float> packed(queries.size() * e.dim());
  for (size_t q = 0; q < queries.size(); ++q) {
    std::copy(queries[q].unit_query.begin(), queries[q].unit_query.end(), packed.begin() + q * e.dim());
  }
  // bf16 is asked for explicitly only by tests; without the instructions it runs the
  // (slow, exact-to-the-same-rules) scalar kernel.
  const bool bf16 = arithmetic == BatchArithmetic::bf16 ||
                    (arithmetic == BatchArithmetic::automatic && kernels::bf16_in_hardware());

  const size_t rows = searched_rows(e, options);
  const TaskPlan plan = search::row_tasks(rows, options);
  std::vector<std::vector<search::CandidateCollector>> collectors(plan.tasks());
  for (auto& per_task : collectors) {
    for (const CosineQuery& query : queries) per_task.emplace_back(query.k, query.excluded);
  }
  parallel_for(plan, [&](const Task& task) {
    const auto begin = static_cast<uint32_t>(task.begin), end = static_cast<uint32_t>(task.end);
    for (size_t group = 0; group < queries.size(); group += search::kQueryGroup) {
      const size_t size = std::min(search::kQueryGroup, queries.size() - group);
      search::collect_range(e, std::span(packed).subspan(group * e.dim(), size * e.dim()), bf16,
                            begin, end, std::span(collectors[task.index]).subspan(group, size));
      // One task a thread, of equal sizes: task 0's pace (on the calling thread) is everyone's.
      if (task.index == 0 && options.progress) options.progress(group + size, queries.size());
    }
  });

  for (size_t q = 0; q < queries.size(); ++q) {
    std::vector<search::CandidateCollector*> per_query;
    for (auto& per_task : collectors) per_query.push_back(&per_task[q]);
    answers[q] = search::exact_top_k(e, queries[q].unit_query, queries[q].k, queries[q].excluded,
                                     per_query);
  }
  return answers;
}

}  // namespace embtool
