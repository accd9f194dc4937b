// Many cosine queries in one pass over the matrix. Each thread takes a range of rows, block by
// block, and multiplies the block by all the queries at once (kernels::dot_block, a matrix
// product); reading the rows once for all queries and multiplying at the arithmetic peak is
// what makes a batch far cheaper than a scan per query.
//
// The product sums in another order than the single-query kernel (and, with bfloat16 or int8,
// on rounded inputs), so its cosines are estimates within a known bound; search/candidates.hpp
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
// Queries multiplied with a block at once: 48 x 1024 scores (192 KiB) stay in the core's L2
// until they are collected; a multiple of the kernels' 12 queries a pass.
constexpr size_t kSliceQueries = 48;
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

// How the products are formed: float32 (sgemm), both sides rounded to bfloat16 (twice the
// rate), or both quantized to int8 with exact integer sums (twice that again). All give the
// same answers after re-scoring; the narrower, the wider each block's bound.
enum class Product { f32, bf16, i8 };

// A group of queries times blocks of rows; for each block, each query's estimated cosines
// (dots[q * rows + i]) and the bound on their error.
class BlockProduct {
 public:
  BlockProduct(const Embeddings& e, std::span<const float> queries, Product kind)
      : e_(e), queries_(queries), kind_(kind), count_(queries.size() / e.dim()) {
    const size_t dim = e.dim();
    if (kind_ == Product::bf16) {
      queries_bf16_.resize(count_ * kernels::bf16_pairs(dim));
      kernels::pack_queries_bf16(queries.data(), count_, dim, queries_bf16_.data());
      // Per unit: bound * |x| * 1 + absolute * (|x| + 1), divided by |x| >= kTinyNorm.
      fixed_error_ = kernels::bf16_dot_error_bound(dim) +
                     kernels::bf16_dot_absolute_error(dim) * (1 + 1 / static_cast<double>(kTinyNorm));
    } else if (kind_ == Product::f32) {
      fixed_error_ = kernels::gemm_dot_error_bound(dim);
    } else {
      prepare_i8_queries();
    }
    fixed_error_ += kScoreSlack;
  }

  // Makes rows [start, stop) the block that multiply() works on: packed (bfloat16, int8) or
  // found in place (float32), with their factors and the block's bounds.
  void load(uint32_t start, uint32_t stop) {
    start_ = start;
    rows_ = stop - start;
    factors_.resize(rows_);
    // 1 / norm instead of a division per score: the bound's slack covers its rounding.
    tiny_ = inverse_norms_of(e_, start, stop, factors_.data());
    switch (kind_) {
      case Product::f32: dense_ = dense_rows(e_, start, stop, buffer_, dense_stride_); break;
      case Product::bf16: pack_bf16(); break;
      case Product::i8: pack_i8(); break;
    }
  }

  // Whether multiply() also gives each query's best estimate over the block.
  bool finds_maxima() const { return kind_ == Product::i8; }

  // Queries [first, first + count) times the block: dots[j * rows + i] x factors()[i]
  // estimates the cosine of query first + j and row start + i; where finds_maxima(),
  // maxima[j] is the largest of those estimates for query first + j.
  void multiply(size_t first, size_t count, float* dots, float* maxima) const {
    const size_t dim = e_.dim();
    switch (kind_) {
      case Product::f32:
        kernels::dot_block(dense_, rows_, dense_stride_, queries_.data() + first * dim, count, dim, dots);
        break;
      case Product::bf16:
        kernels::dot_block_bf16(rows_bf16_.data(), rows_, queries_bf16_.data() + first * kernels::bf16_pairs(dim),
                                count, dim, dots);
        break;
      case Product::i8:
        kernels::dot_block_i8(kernels::i8_dot_hardware(), rows_i8_.data(), rows_,
                              queries_i8_.data() + first * kernels::i8_quads(dim), facts_i8_.data() + first,
                              count, dim, factors_.data(), dots, maxima);
        break;
    }
  }

  // Per row of the last block: what turns its products into cosines, 0 for zero rows (which
  // the plain scan scores NaN: never returned).
  const float* factors() const { return factors_.data(); }

  // Cosine units, for the last block multiplied: infinite where it holds a tiny norm.
  float error(size_t query) const {
    if (tiny_) return std::numeric_limits<float>::infinity();
    if (kind_ != Product::i8) return static_cast<float>(fixed_error_);
    const I8QueryBound& q = i8_bounds_[query];
    // The bound is linear in (row scale, row norm): per unit of row norm it is the bound of a
    // row of norm 1 and scale s / |x|, and it grows with that ratio, so the block's largest
    // ratio bounds every row in it. The underflow term does not scale: it is added divided by
    // the smallest norm a block without tiny rows can hold.
    const double per_unit =
        kernels::i8_dot_error_bound_with_residual(e_.dim(), block_scale_ratio_, q.residual_l2, 1.0, q.l1, q.l2);
    return static_cast<float>(per_unit + q.underflow / kTinyNorm + fixed_error_);
  }

 private:
  struct I8QueryBound {
    double residual_l2, l1, l2, underflow;
  };

  void prepare_i8_queries() {
    const size_t dim = e_.dim();
    queries_i8_.resize(count_ * kernels::i8_quads(dim));
    facts_i8_.resize(count_);
    kernels::pack_queries_i8(queries_.data(), count_, dim, queries_i8_.data(), facts_i8_.data());
    for (size_t q = 0; q < count_; ++q) {
      const auto* levels = reinterpret_cast<const int8_t*>(queries_i8_.data() + q * kernels::i8_quads(dim));
      double l1 = 0, l2 = 0, residual = 0;
      for (size_t j = 0; j < dim; ++j) {
        const double v = queries_[q * dim + j];
        l1 += std::abs(v);
        l2 += v * v;
        // Exact: the scale (24 bits) times a level (8 bits), and its difference with v.
        const double e = v - double{facts_i8_[q].scale} * levels[j];
        residual += e * e;
      }
      // The sum of squares and its root round by under (dim + 2) 2^-53 relative: 2^-30 covers it.
      const double residual_l2 = std::sqrt(residual) * (1 + 0x1p-30);
      // The float32 rounding of multiplying the exact sum by the query's scale, then by the
      // row's scale over its norm: a few units of 2^-24 of |cosine| <= 1 + the bound, inside
      // kScoreSlack. The bound's own underflow term, (dim + 2) 2^-149, is the one absolute part.
      i8_bounds_.push_back({residual_l2, l1, std::sqrt(l2), static_cast<double>(dim + 2) * 0x1p-149});
    }
  }

  void pack_bf16() {
    gather_row_pointers();
    rows_bf16_.resize(kernels::bf16_packed_rows_size(rows_, e_.dim()));
    kernels::pack_rows_bf16(pointers_.data(), rows_, e_.dim(), rows_bf16_.data());
  }

  // Estimated cosine = exact integer sum x query scale (the kernel) x row scale / row norm.
  // A store's int8 copy holds the rows as quantize_row_i8 made them (a quarter of the bytes
  // to read, nothing to quantize); other models' rows are quantized block by block.
  void pack_i8() {
    rows_i8_.resize(kernels::i8_packed_rows_size(rows_, e_.dim()));
    row_scales_.resize(rows_);
    if (const Matrix* copy = stored_i8_copy()) {
      level_pointers_.resize(rows_);
      for (uint32_t i = 0; i < rows_; ++i) level_pointers_[i] = copy->i8_row(start_ + i);
      kernels::pack_levels_i8(level_pointers_.data(), rows_, e_.dim(), rows_i8_.data());
      std::copy_n(copy->scales().begin() + start_, rows_, row_scales_.begin());
    } else {
      gather_row_pointers();
      kernels::pack_rows_i8(pointers_.data(), rows_, e_.dim(), rows_i8_.data(), row_scales_.data());
    }
    block_scale_ratio_ = 0;
    for (uint32_t i = 0; i < rows_; ++i) {
      factors_[i] *= row_scales_[i];  // stays 0 for zero rows
      block_scale_ratio_ = std::max(block_scale_ratio_, double{factors_[i]});
    }
    // The ratio as rounded above may sit a float step or two below the exact one.
    block_scale_ratio_ *= 1 + 0x1p-21;
  }

  const Matrix* stored_i8_copy() const {
    const Matrix* copy = e_.reduced(Dtype::i8);
    return copy != nullptr && copy->rows() == e_.rows() && copy->scales().size() == e_.rows() ? copy : nullptr;
  }

  // Row pointers for the packers: float32 rows in place, else decoded into buffer_.
  void gather_row_pointers() {
    pointers_.resize(rows_);
    size_t stride = 0;
    const float* rows = e_.has_f32_rows() ? nullptr : dense_rows(e_, start_, start_ + rows_, buffer_, stride);
    for (uint32_t i = 0; i < rows_; ++i) {
      pointers_[i] = rows ? rows + size_t{i} * stride : e_.row_data(start_ + i);
    }
  }

  const Embeddings& e_;
  std::span<const float> queries_;
  Product kind_;
  size_t count_;
  uint32_t start_ = 0, rows_ = 0;
  const float* dense_ = nullptr;  // the block as float32 rows (Product::f32)
  size_t dense_stride_ = 0;
  double fixed_error_ = 0;
  bool tiny_ = false;
  std::vector<uint32_t> queries_bf16_;
  std::vector<uint16_t> rows_bf16_;
  std::vector<int32_t> queries_i8_;
  std::vector<kernels::I8Query> facts_i8_;
  std::vector<I8QueryBound> i8_bounds_;
  std::vector<uint8_t> rows_i8_;
  std::vector<const int8_t*> level_pointers_;
  std::vector<float> row_scales_;
  double block_scale_ratio_ = 0;
  std::vector<float> factors_;
  std::vector<const float*> pointers_;
  std::vector<float> buffer_;
};

// One query's scores for the rows of a block, offered to its collector where they can matter.
void collect_block(const float* dots, const float* factors, uint32_t start, uint32_t count,
                   float error, CandidateCollector& collector) {
  if (kernels::max_product(dots, factors, count) < collector.entry_score() - error) return;
  // Some row may matter: look closer, a run of rows at a time, row by row only in the runs
  // whose best can still enter (most of a block cannot, once the top k fill up).
  constexpr uint32_t kRun = 64;
  for (uint32_t run = 0; run < count; run += kRun) {
    const uint32_t run_end = std::min(count, run + kRun);
    if (kernels::max_product(dots + run, factors + run, run_end - run) < collector.entry_score() - error) continue;
    for (uint32_t i = run; i < run_end; ++i) {
      if (factors[i] == 0.0f) continue;  // a zero row scores NaN: never returned
      const float approx = dots[i] * factors[i];
      if (approx >= collector.entry_score() - error) collector.offer(start + i, approx, error);
    }
  }
}

// bf16 and i8 are asked for explicitly only by tests and benchmarks; without the
// instructions they run the (slow, equal to the last bit) scalar kernels.
Product product_for(BatchArithmetic arithmetic, size_t dim) {
  switch (arithmetic) {
    case BatchArithmetic::f32: return Product::f32;
    case BatchArithmetic::bf16: return Product::bf16;
    case BatchArithmetic::i8: return dim <= kernels::kI8MaxDim ? Product::i8 : Product::f32;
    case BatchArithmetic::automatic: break;
  }
  if (kernels::i8_dot_hardware() != kernels::I8Hardware::none && dim <= kernels::kI8MaxDim) return Product::i8;
  return kernels::bf16_in_hardware() ? Product::bf16 : Product::f32;
}

void collect_range(const Embeddings& e, std::span<const float> queries, Product kind,
                   uint32_t begin, uint32_t end, std::span<CandidateCollector> collectors) {
  BlockProduct product(e, queries, kind);
  std::vector<float> dots(size_t{kBlockRows} * kSliceQueries);
  std::vector<float> maxima(kSliceQueries);
  for (uint32_t start = begin, stop; start < end; start = stop) {
    stop = start + std::min(kBlockRows, end - start);
    const uint32_t rows_in_block = stop - start;
    product.load(start, stop);
    // A slice of queries at a time, so that its scores are still in cache when collected.
    for (size_t first = 0; first < collectors.size(); first += kSliceQueries) {
      const size_t count = std::min(kSliceQueries, collectors.size() - first);
      product.multiply(first, count, dots.data(), maxima.data());
      for (size_t j = 0; j < count; ++j) {
        const float* scores = dots.data() + j * rows_in_block;
        const float error = product.error(first + j);
        // The int8 kernel found each query's best: most queries skip the block on it.
        if (product.finds_maxima() && maxima[j] < collectors[first + j].entry_score() - error) continue;
        collect_block(scores, product.factors(), start, rows_in_block, error, collectors[first + j]);
      }
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
  const search::Product product = search::product_for(arithmetic, e.dim());

  const size_t rows = searched_rows(e, options);
  // One task a thread: each task's collectors start empty and take in every row of their
  // first blocks until their k fill up, a cost per task and query that more tasks multiply.
  const TaskPlan plan(rows, options.threads, Split{search::kMinRowsPerThread, 1});
  std::vector<std::vector<search::CandidateCollector>> collectors(plan.tasks());
  for (auto& per_task : collectors) {
    for (const CosineQuery& query : queries) per_task.emplace_back(query.k, query.excluded);
  }
  parallel_for(plan, [&](const Task& task) {
    const auto begin = static_cast<uint32_t>(task.begin), end = static_cast<uint32_t>(task.end);
    for (size_t group = 0; group < queries.size(); group += search::kQueryGroup) {
      const size_t size = std::min(search::kQueryGroup, queries.size() - group);
      search::collect_range(e, std::span(packed).subspan(group * e.dim(), size * e.dim()), product,
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
