// Highway compiles this file once per target (foreach_target.h re-includes it); the
// functions in HWY_NAMESPACE are one target's, the ones after HWY_ONCE dispatch to the best.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstring>
#include <limits>

#include "kernels/simd.hpp"

HWY_BEFORE_NAMESPACE();
namespace embtool::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Four independent accumulators hide the latency of the fused multiply-adds. The tail that
// does not fill a vector is copied into zero-padded buffers and added in one more vector
// step: nothing is read past the end, no chain of dependent scalar adds (12 of them for 300
// dims on AVX-512), and every row's sum is formed the same way wherever it sits.
float DotImpl(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto sum0 = hn::Zero(d), sum1 = hn::Zero(d), sum2 = hn::Zero(d), sum3 = hn::Zero(d);
  size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    sum0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), sum0);
    sum1 = hn::MulAdd(hn::LoadU(d, a + i + lanes), hn::LoadU(d, b + i + lanes), sum1);
    sum2 = hn::MulAdd(hn::LoadU(d, a + i + 2 * lanes), hn::LoadU(d, b + i + 2 * lanes), sum2);
    sum3 = hn::MulAdd(hn::LoadU(d, a + i + 3 * lanes), hn::LoadU(d, b + i + 3 * lanes), sum3);
  }
  for (; i + lanes <= n; i += lanes) {
    sum0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), sum0);
  }
  if (i < n) {
    HWY_ALIGN float tail_a[HWY_MAX_BYTES / sizeof(float)] = {};
    HWY_ALIGN float tail_b[HWY_MAX_BYTES / sizeof(float)] = {};
    // memcpy, not a[i]: rows read in place from a word2vec file need not be 4-byte aligned.
    std::memcpy(tail_a, a + i, (n - i) * sizeof(float));
    std::memcpy(tail_b, b + i, (n - i) * sizeof(float));
    sum1 = hn::MulAdd(hn::Load(d, tail_a), hn::Load(d, tail_b), sum1);
  }
  const auto total = hn::Add(hn::Add(sum0, sum1), hn::Add(sum2, sum3));
  return hn::GetLane(hn::SumOfLanes(d, total));
}

float SquaredNormImpl(const float* HWY_RESTRICT v, size_t n) { return DotImpl(v, v, n); }

void ScaleImpl(float* HWY_RESTRICT v, size_t n, float factor) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const auto f = hn::Set(d, factor);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, v + i), f), d, v + i);
  for (; i < n; ++i) v[i] *= factor;  // owned, aligned buffers only
}

void DotRowsImpl(const float* const* HWY_RESTRICT rows, size_t count, size_t dim,
                 const float* HWY_RESTRICT query, float* HWY_RESTRICT out) {
  for (size_t r = 0; r < count; ++r) out[r] = DotImpl(rows[r], query, dim);
}

// A product that is NaN fails the comparison and never replaces the best so far, in the
// vector loop as in the tail.
float MaxProductImpl(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto best = hn::Set(d, -std::numeric_limits<float>::infinity());
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto product = hn::Mul(hn::LoadU(d, a + i), hn::LoadU(d, b + i));
    best = hn::IfThenElse(hn::Gt(product, best), product, best);
  }
  float result = hn::GetLane(hn::MaxOfLanes(d, best));  // no lane is NaN: a plain max
  for (; i < n; ++i) result = a[i] * b[i] > result ? a[i] * b[i] : result;
  return result;
}

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace embtool::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace embtool::kernels {

HWY_EXPORT(DotImpl);
HWY_EXPORT(SquaredNormImpl);
HWY_EXPORT(ScaleImpl);
HWY_EXPORT(DotRowsImpl);
HWY_EXPORT(MaxProductImpl);
HWY_EXPORT(TargetNameImpl);

float dot(std::span<const float> a, std::span<const float> b) {
  return HWY_DYNAMIC_DISPATCH(DotImpl)(a.data(), b.data(), a.size());
}

DotFunction dot_function() {
  // The table's first entry chooses the target and calls through; once a call has chosen,
  // the index names the chosen target's own function.
  (void)HWY_DYNAMIC_DISPATCH(TargetNameImpl)();
  return &HWY_DYNAMIC_DISPATCH(DotImpl);
}

float squared_norm(std::span<const float> v) {
  return HWY_DYNAMIC_DISPATCH(SquaredNormImpl)(v.data(), v.size());
}

void scale(std::span<float> v, float factor) {
  HWY_DYNAMIC_DISPATCH(ScaleImpl)(v.data(), v.size(), factor);
}

void dot_rows(const float* const* rows, size_t count, size_t dim, const float* query, float* out) {
  HWY_DYNAMIC_DISPATCH(DotRowsImpl)(rows, count, dim, query, out);
}

float max_product(const float* a, const float* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(MaxProductImpl)(a, b, n);
}

const char* simd_target_name() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

}  // namespace embtool::kernels
#endif  // HWY_ONCE
