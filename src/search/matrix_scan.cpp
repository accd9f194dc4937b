// Every cosine search scans one matrix: the model's own rows, or a reduced copy of them
// (float16, bfloat16, or int8 with a scale per row). Each block of rows gets cosines and one
// error bound: zero for the model's own rows, the dtype's bound (kernels/quantized.hpp) for a
// copy; search/candidates.hpp turns them into the exact answer, re-scored on the model's own
// rows. So a copy changes how many rows are read and re-scored, never the answer: the float32
// answer where float32 rows exist, the file's own precision where float16 / bfloat16 rows are
// all a model has.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "search/search.hpp"
#include "kernels/quantized.hpp"
#include "search/parallel_ranges.hpp"
#include "search/matrix_scan.hpp"
#include "search/candidates.hpp"

namespace embtool::search {
namespace {

constexpr uint32_t kBlockRows = 1024;
// Covers the float rounding of forming an approximate cosine (a few products of numbers of
// size <= 1) and of the float32 path's final division by the norm.
constexpr double kScoreSlack = 1e-6;

double l1_norm(std::span<const float> v) {
  double sum = 0;
  for (float x : v) sum += std::abs(static_cast<double>(x));
  return sum;
}

double l2_norm(std::span<const float> v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

constexpr float kInfinity = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The approximate cosines of one block (NaN for zero rows), their common error bound, and
// the largest of them: most blocks cannot reach the running lambda, and are then skipped
// after one vectorized pass.
struct BlockEstimate {
  std::vector<float> approx = std::vector<float>(kBlockRows);
  float error = 0;
  float max_approx = 0;
};

// Loops the compiler vectorizes; NaN (zero rows) never wins a comparison.
float max_of(const float* values, size_t count) {
  float best = -kInfinity;
  for (size_t i = 0; i < count; ++i) best = values[i] > best ? values[i] : best;
  return best;
}

bool has_tiny_norm(std::span<const float> norms) {
  int tiny = 0;
  for (float norm : norms) tiny |= static_cast<int>(norm > 0.0f) & static_cast<int>(norm < kTinyNorm);
  return tiny != 0;
}

// The model's own rows: their cosines are the answer's scores, exactly as cosine_block()
// computes them, so the bound is zero.
class ExactScan {
 public:
  ExactScan(const Embeddings& e, const Matrix&, std::span<const float> unit_query)
      : e_(e), dots_(e.matrix(), unit_query) {}

  void estimate(uint32_t begin, uint32_t end, BlockEstimate& out) {
    const uint32_t count = end - begin;
    dots_.range(begin, end, out.approx.data());
    const float* norms = e_.norms().data() + begin;
    for (uint32_t i = 0; i < count; ++i) {
      out.approx[i] = norms[i] > 0.0f ? out.approx[i] / norms[i] : kNaN;
    }
    out.max_approx = max_of(out.approx.data(), count);
    out.error = 0.0f;
  }

 private:
  const Embeddings& e_;
  RowDots dots_;
};

class Int8Scan {
 public:
  Int8Scan(const Embeddings& e, const Matrix& copy, std::span<const float> unit_query)
      : e_(e), copy_(copy), query_(copy.stride()), dots_(kBlockRows) {
    std::vector<float> padded(copy.stride(), 0.0f);
    std::copy(unit_query.begin(), unit_query.end(), padded.begin());
    query_scale_ = kernels::quantize_query_i16(padded, query_);
    query_l1_ = l1_norm(unit_query);
    query_l2_ = l2_norm(unit_query);
  }

  void estimate(uint32_t begin, uint32_t end, BlockEstimate& out) {
    const uint32_t count = end - begin;
    kernels::dot_rows_i8(copy_.i8_row(begin), copy_.stride(), count, query_.data(), dots_.data());
    const float* norms = e_.norms().data() + begin;
    const float* scales = copy_.scales().data() + begin;
    for (uint32_t i = 0; i < count; ++i) {  // as in RoundedScan: divide, then mask
      const float ratio = scales[i] / norms[i];  // scale / norm
      ratios_[i] = norms[i] > 0.0f ? ratio : kNaN;
      out.approx[i] = query_scale_ * static_cast<float>(dots_[i]) * ratios_[i];
    }
    out.max_approx = max_of(out.approx.data(), count);
    // The bound is homogeneous in (scale, norm): divided by the norm it is the bound for a
    // row of norm 1 and scale `ratio`; it grows with the ratio, so the block's largest ratio
    // (enlarged for its rounding) bounds every row of the block.
    const double ratio_bound = static_cast<double>(max_of(ratios_.data(), count)) * (1 + 0x1p-20);
    out.error = static_cast<float>(
        kernels::i8_dot_error_bound(e_.dim(), ratio_bound, query_scale_, 1.0, query_l1_, query_l2_) +
        kScoreSlack);
    if (!std::isfinite(out.error) || has_tiny_norm({norms, count})) out.error = kInfinity;
  }

 private:
  const Embeddings& e_;
  const Matrix& copy_;
  std::vector<int16_t> query_;
  std::vector<int32_t> dots_;
  std::vector<float> ratios_ = std::vector<float>(kBlockRows);
  float query_scale_ = 0;
  double query_l1_ = 0, query_l2_ = 0;
};

// A float16 or bfloat16 copy: the rows rounded to a narrower float.
class RoundedScan {
 public:
  RoundedScan(const Embeddings& e, const Matrix& copy, std::span<const float> unit_query)
      : e_(e), copy_(copy), query_(copy.stride(), 0.0f), dots_(kBlockRows) {
    std::copy(unit_query.begin(), unit_query.end(), query_.begin());
    query_l1_ = l1_norm(unit_query);
    query_l2_ = l2_norm(unit_query);
  }

  void estimate(uint32_t begin, uint32_t end, BlockEstimate& out) {
    const uint32_t count = end - begin;
    const bool bf16 = copy_.dtype() == Dtype::bf16;
    (bf16 ? kernels::dot_rows_bf16 : kernels::dot_rows_f16)(copy_.u16_row(begin), copy_.stride(),
                                                            count, query_.data(), dots_.data());
    const float* norms = e_.norms().data() + begin;
    // The divisions done for every row and the rows without a norm masked after: GCC does not
    // vectorize a division under a condition (it could raise a flag the condition avoids), and
    // one at a time they cost as much as the dot products. The same values as before.
    for (uint32_t i = 0; i < count; ++i) {
      const float inverse = 1.0f / norms[i];
      const float approx = dots_[i] / norms[i];
      const bool has_norm = norms[i] > 0.0f;
      inverses_[i] = has_norm ? inverse : kNaN;
      out.approx[i] = has_norm ? approx : kNaN;
    }
    out.max_approx = max_of(out.approx.data(), count);
    // Divided by the norm, the bound is the one for a row of norm 1 and a query whose
    // absolute (subnormal) term is scaled by 1 / norm: the block's largest inverse bounds all.
    const double inverse_bound = static_cast<double>(max_of(inverses_.data(), count)) * (1 + 0x1p-20);
    const auto bound = bf16 ? kernels::bf16_row_dot_error_bound : kernels::f16_dot_error_bound;
    out.error = static_cast<float>(bound(e_.dim(), 1.0, query_l1_ * inverse_bound, query_l2_) +
                                   kScoreSlack);
    if (!std::isfinite(out.error) || has_tiny_norm({norms, count})) out.error = kInfinity;
  }

 private:
  const Embeddings& e_;
  const Matrix& copy_;
  std::vector<float> query_;
  std::vector<float> dots_;
  std::vector<float> inverses_ = std::vector<float>(kBlockRows);
  double query_l1_ = 0, query_l2_ = 0;
};

template <typename Scan>
void collect_range(Scan& scan, uint32_t begin, uint32_t end, CandidateCollector& collector) {
  BlockEstimate block;
  for (uint32_t start = begin, stop; start < end; start = stop) {
    stop = start + std::min(kBlockRows, end - start);
    scan.estimate(start, stop, block);
    float entry = collector.entry_score();
    if (block.max_approx + block.error < entry) continue;
    // The collector's own first test, here where it inlines: most rows fail it, and a call
    // per row costs as much as the scan of the model's own rows (NaN fails it too).
    for (uint32_t r = start; r < stop; ++r) {
      const float approx = block.approx[r - start];
      if (!(approx + block.error >= entry)) continue;
      collector.offer(r, approx, block.error);
      entry = collector.entry_score();
    }
  }
}

template <typename Scan>
std::vector<Neighbor> scan_matrix(const Embeddings& e, const Matrix& scanned,
                                    std::span<const float> unit_query, size_t k,
                                    std::span<const uint32_t> excluded, const SearchOptions& options) {
  const size_t rows = searched_rows(e, options);
  const TaskPlan plan = row_tasks(rows, options);
  std::vector<CandidateCollector> collectors(plan.tasks(), CandidateCollector(k, excluded));
  parallel_for(plan, [&](const Task& task) {
    Scan scan(e, scanned, unit_query);
    collect_range(scan, static_cast<uint32_t>(task.begin), static_cast<uint32_t>(task.end),
                  collectors[task.index]);
  });
  std::vector<CandidateCollector*> all;
  for (CandidateCollector& c : collectors) all.push_back(&c);
  return exact_top_k(e, unit_query, k, excluded, all);
}

}  // namespace

const Matrix& matrix_to_scan(const Embeddings& e, ScanChoice choice) {
  // NaN/Inf values kept by --allow-nonfinite have no meaningful reduced form.
  const Matrix* copy = nullptr;
  if (!e.has_nonfinite_values()) {
    switch (choice) {
      case ScanChoice::f32: break;
      case ScanChoice::f16: copy = e.reduced(Dtype::f16); break;
      case ScanChoice::bf16: copy = e.reduced(Dtype::bf16); break;
      case ScanChoice::i8: copy = e.reduced(Dtype::i8); break;
      case ScanChoice::smallest:
        for (Dtype dtype : {Dtype::i8, Dtype::f16, Dtype::bf16}) {
          if (copy == nullptr) copy = e.reduced(dtype);
        }
        break;
    }
  }
  return copy ? *copy : e.matrix();
}

std::vector<Neighbor> matrix_top_k_cosine(const Embeddings& e, const Matrix& scanned,
                                          std::span<const float> unit_query, size_t k,
                                          std::span<const uint32_t> excluded,
                                          const SearchOptions& options) {
  if (k == 0 || searched_rows(e, options) == 0) return {};
  if (&scanned == &e.matrix()) return scan_matrix<ExactScan>(e, scanned, unit_query, k, excluded, options);
  if (scanned.dtype() == Dtype::i8) return scan_matrix<Int8Scan>(e, scanned, unit_query, k, excluded, options);
  return scan_matrix<RoundedScan>(e, scanned, unit_query, k, excluded, options);
}

}  // namespace embtool::search
