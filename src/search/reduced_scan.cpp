// Searches that scan a reduced copy (float16, or int8 with a scale per row) and still return
// exactly the float32 answer: each block of rows gets approximate cosines and one error bound
// (kernels/quantized.hpp); search/candidates.hpp turns them into the exact answer.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "search/search.hpp"
#include "kernels/quantized.hpp"
#include "search/parallel_ranges.hpp"
#include "search/reduced_scan.hpp"
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

class Int8Scan {
 public:
  Int8Scan(const Embeddings& e, const ReducedRows& copy, std::span<const float> unit_query)
      : e_(e), copy_(copy), query_(copy.stride), dots_(kBlockRows) {
    std::vector<float> padded(copy.stride, 0.0f);
    std::copy(unit_query.begin(), unit_query.end(), padded.begin());
    query_scale_ = kernels::quantize_query_i16(padded, query_);
    query_l1_ = l1_norm(unit_query);
    query_l2_ = l2_norm(unit_query);
  }

  void estimate(uint32_t begin, uint32_t end, BlockEstimate& out) {
    const auto* rows = reinterpret_cast<const int8_t*>(copy_.base) + size_t{begin} * copy_.stride;
    const uint32_t count = end - begin;
    kernels::dot_rows_i8(rows, copy_.stride, count, query_.data(), dots_.data());
    const float* norms = e_.norms().data() + begin;
    const float* scales = copy_.scales.data() + begin;
    for (uint32_t i = 0; i < count; ++i) {
      ratios_[i] = norms[i] > 0.0f ? scales[i] / norms[i] : kNaN;  // scale / norm
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
  const ReducedRows& copy_;
  std::vector<int16_t> query_;
  std::vector<int32_t> dots_;
  std::vector<float> ratios_ = std::vector<float>(kBlockRows);
  float query_scale_ = 0;
  double query_l1_ = 0, query_l2_ = 0;
};

class HalfScan {
 public:
  HalfScan(const Embeddings& e, const ReducedRows& copy, std::span<const float> unit_query)
      : e_(e), copy_(copy), query_(copy.stride, 0.0f), dots_(kBlockRows) {
    std::copy(unit_query.begin(), unit_query.end(), query_.begin());
    query_l1_ = l1_norm(unit_query);
    query_l2_ = l2_norm(unit_query);
  }

  void estimate(uint32_t begin, uint32_t end, BlockEstimate& out) {
    const auto* rows = reinterpret_cast<const uint16_t*>(copy_.base) + size_t{begin} * copy_.stride;
    const uint32_t count = end - begin;
    kernels::dot_rows_f16(rows, copy_.stride, count, query_.data(), dots_.data());
    const float* norms = e_.norms().data() + begin;
    for (uint32_t i = 0; i < count; ++i) {
      inverses_[i] = norms[i] > 0.0f ? 1.0f / norms[i] : kNaN;
      out.approx[i] = norms[i] > 0.0f ? dots_[i] / norms[i] : kNaN;
    }
    out.max_approx = max_of(out.approx.data(), count);
    // Divided by the norm, the bound is the one for a row of norm 1 and a query whose
    // absolute (subnormal) term is scaled by 1 / norm: the block's largest inverse bounds all.
    const double inverse_bound = static_cast<double>(max_of(inverses_.data(), count)) * (1 + 0x1p-20);
    out.error = static_cast<float>(
        kernels::f16_dot_error_bound(e_.dim(), 1.0, query_l1_ * inverse_bound, query_l2_) +
        kScoreSlack);
    if (!std::isfinite(out.error) || has_tiny_norm({norms, count})) out.error = kInfinity;
  }

 private:
  const Embeddings& e_;
  const ReducedRows& copy_;
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
    if (block.max_approx + block.error < collector.entry_score()) continue;
    for (uint32_t r = start; r < stop; ++r) collector.offer(r, block.approx[r - start], block.error);
  }
}

template <typename Scan>
std::vector<Neighbor> reduced_top_k(const Embeddings& e, const ReducedRows& copy,
                                    std::span<const float> unit_query, size_t k,
                                    std::span<const uint32_t> excluded, const SearchOptions& options) {
  const size_t rows = searched_rows(e, options);
  const TaskPlan plan = row_tasks(rows, options);
  std::vector<CandidateCollector> collectors(plan.tasks(), CandidateCollector(k, excluded));
  parallel_for(plan, [&](const Task& task) {
    Scan scan(e, copy, unit_query);
    collect_range(scan, static_cast<uint32_t>(task.begin), static_cast<uint32_t>(task.end),
                  collectors[task.index]);
  });
  std::vector<CandidateCollector*> all;
  for (CandidateCollector& c : collectors) all.push_back(&c);
  return exact_top_k(e, unit_query, k, excluded, all);
}

}  // namespace

const ReducedRows* copy_to_scan(const Embeddings& e, ScanChoice choice) {
  // NaN/Inf values kept by --allow-nonfinite have no meaningful reduced form.
  if (e.has_nonfinite_values()) return nullptr;
  switch (choice) {
    case ScanChoice::f32: return nullptr;
    case ScanChoice::f16: return e.reduced(Dtype::f16);
    case ScanChoice::i8: return e.reduced(Dtype::i8);
    case ScanChoice::smallest:
      if (const ReducedRows* i8 = e.reduced(Dtype::i8)) return i8;
      return e.reduced(Dtype::f16);
  }
  return nullptr;
}

std::vector<Neighbor> reduced_top_k_cosine(const Embeddings& e, const ReducedRows& copy,
                                           std::span<const float> unit_query, size_t k,
                                           std::span<const uint32_t> excluded,
                                           const SearchOptions& options) {
  if (copy.dtype == Dtype::i8) return reduced_top_k<Int8Scan>(e, copy, unit_query, k, excluded, options);
  return reduced_top_k<HalfScan>(e, copy, unit_query, k, excluded, options);
}

}  // namespace embtool::search
