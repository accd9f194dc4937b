// Reduced-precision copies of the matrix and the scans over them (see quantized.hpp).
//
// Highway compiles this file once per target (foreach_target.h re-includes it); the
// functions in HWY_NAMESPACE are one target's, the ones after HWY_ONCE dispatch to the best.
// The scalar reference code and the error bounds live after HWY_ONCE too: they are compiled
// once, and the SIMD code must agree with them bit for bit (float16 conversion, int8 dots) or
// to float32 rounding (float16 dots).
// clang-format off: foreach_target.h must follow HWY_TARGET_INCLUDE, highway.h must follow it.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantized.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
// clang-format on

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kernels/quantized.hpp"
#include "kernels/rounding_bound.hpp"

HWY_BEFORE_NAMESPACE();
namespace embtool::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// x86 from AVX2 up has F16C, whose conversions round to nearest even and keep inf/NaN: the
// same bits as scalar::float_to_half. Highway 1.0.3's portable fallback (SSE4, SSSE3, EMU128)
// truncates instead of rounding and turns half infinities into 65536, so every other target
// uses the bit manipulation below, which matches the scalar reference exactly.
#undef EMBTOOL_NATIVE_F16
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2 && !defined(HWY_DISABLE_F16C)
#define EMBTOOL_NATIVE_F16 1
#else
#define EMBTOOL_NATIVE_F16 0
#endif

// Half bits (one per float lane) -> float, exactly, inf and NaN included.
template <class DF>
HWY_INLINE hn::Vec<DF> HalfBitsToFloat(DF df, hn::Vec<hn::Rebind<uint16_t, DF>> half_bits) {
#if EMBTOOL_NATIVE_F16
  const hn::Rebind<hwy::float16_t, DF> df16;
  return hn::PromoteTo(df, hn::BitCast(df16, half_bits));
#else
  const hn::RebindToUnsigned<DF> du;
  const auto bits = hn::PromoteTo(du, half_bits);
  // Exponent and mantissa moved to their float32 places, then the exponent rebiased 15 -> 127.
  const auto magnitude = hn::ShiftLeft<13>(hn::And(bits, hn::Set(du, 0x7FFFu)));
  const auto exponent = hn::And(magnitude, hn::Set(du, 0x0F800000u));
  const auto rebiased = hn::Add(magnitude, hn::Set(du, 112u << 23));
  // Inf and NaN need the float exponent all ones: rebias a second time.
  const auto special = hn::Add(rebiased, hn::Set(du, 112u << 23));
  // Zero and subnormals: 2^-14 * (1 + m/1024) - 2^-14 = m * 2^-24, exact in float.
  const auto one_more = hn::BitCast(df, hn::Add(magnitude, hn::Set(du, 113u << 23)));
  const auto subnormal = hn::BitCast(du, hn::Sub(one_more, hn::Set(df, 0x1p-14f)));
  auto result = hn::IfThenElse(hn::Eq(exponent, hn::Set(du, 0x0F800000u)), special, rebiased);
  result = hn::IfThenElse(hn::Eq(exponent, hn::Zero(du)), subnormal, result);
  const auto sign = hn::ShiftLeft<16>(hn::And(bits, hn::Set(du, 0x8000u)));
  return hn::BitCast(df, hn::Or(result, sign));
#endif
}

// Float -> half bits, round to nearest even; the vector twin of scalar::float_to_half.
template <class DF>
HWY_INLINE hn::Vec<hn::Rebind<uint16_t, DF>> FloatToHalfBits(DF df, hn::Vec<DF> v) {
  const hn::Rebind<uint16_t, DF> du16;
#if EMBTOOL_NATIVE_F16
  const hn::Rebind<hwy::float16_t, DF> df16;
  return hn::BitCast(du16, hn::DemoteTo(df16, v));
#else
  // Signed lanes: every value compared below is < 2^31, and signed compares exist everywhere.
  const hn::RebindToSigned<DF> di;
  const auto bits = hn::BitCast(di, v);
  const auto abs = hn::And(bits, hn::Set(di, 0x7FFFFFFF));
  const auto sign = hn::And(hn::ShiftRight<16>(bits), hn::Set(di, 0x8000));
  // Normal: rebias the exponent, add just under half an ulp plus the kept mantissa's lowest
  // bit (ties go to even), drop 13 bits. A carry out of the mantissa bumps the exponent.
  const auto odd = hn::And(hn::ShiftRight<13>(abs), hn::Set(di, 1));
  const auto normal =
      hn::ShiftRight<13>(hn::Add(hn::Add(abs, hn::Set(di, 0xFFF - (112 << 23))), odd));
  // Below 2^-14: adding 0.5 (ulp 2^-24, the half subnormal step) rounds to nearest even in
  // the FPU; the integer difference from 0.5's bits is the subnormal mantissa (1024 = 2^-14).
  const auto shifted = hn::BitCast(di, hn::Add(hn::BitCast(df, abs), hn::Set(df, 0.5f)));
  const auto subnormal = hn::Sub(shifted, hn::Set(di, 0x3F000000));
  // NaN stays NaN, quieted, with the top of its payload (what F16C does).
  const auto nan =
      hn::Or(hn::Set(di, 0x7E00), hn::And(hn::ShiftRight<13>(abs), hn::Set(di, 0x3FF)));
  auto result = hn::IfThenElse(hn::Lt(abs, hn::Set(di, 0x38800000)), subnormal, normal);
  result = hn::IfThenElse(hn::Gt(abs, hn::Set(di, 0x477FEFFF)), hn::Set(di, 0x7C00), result);
  result = hn::IfThenElse(hn::Gt(abs, hn::Set(di, 0x7F800000)), nan, result);
  return hn::DemoteTo(du16, hn::Or(result, sign));  // in [0, 0xFFFF]: no saturation
#endif
}

void ToHalfImpl(const float* HWY_RESTRICT in, size_t n, uint16_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    hn::StoreU(FloatToHalfBits(df, hn::LoadU(df, in + i)), du16, out + i);
  for (; i < n; ++i) out[i] = kernels::scalar::float_to_half(in[i]);
}

// Half bits -> float for a whole row: how the model's float16 rows are decoded (norms at open,
// the rows a command prints or re-ranks), as the scans below decode them.
void DecodeHalfImpl(const uint16_t* HWY_RESTRICT in, size_t n, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(HalfBitsToFloat(df, hn::LoadU(du16, in + i)), df, out + i);
  for (; i < n; ++i) out[i] = kernels::half_to_float(in[i]);
}

// One row at a time, front to back: the scan is a single sequential stream, which the
// hardware prefetcher follows at full memory bandwidth. (Interleaving four rows to share the
// query loads measured 2-2.5x slower on this AMD EPYC, out of cache, while in cache both run
// at ~55 GB/s: the loads of the query are not the bottleneck, memory is.) Four accumulators
// hide the FMA latency. The scalar tails only run on vectors wider than the 64-byte padding,
// never on x86.
float DotRowF16(const uint16_t* HWY_RESTRICT row, size_t stride, const float* HWY_RESTRICT query) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  auto sum0 = hn::Zero(df), sum1 = hn::Zero(df), sum2 = hn::Zero(df), sum3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * lanes <= stride; i += 4 * lanes) {
    const uint16_t* HWY_RESTRICT h = row + i;
    const float* HWY_RESTRICT q = query + i;
    sum0 = hn::MulAdd(HalfBitsToFloat(df, hn::LoadU(du16, h)), hn::LoadU(df, q), sum0);
    sum1 =
        hn::MulAdd(HalfBitsToFloat(df, hn::LoadU(du16, h + lanes)), hn::LoadU(df, q + lanes), sum1);
    sum2 = hn::MulAdd(HalfBitsToFloat(df, hn::LoadU(du16, h + 2 * lanes)),
                      hn::LoadU(df, q + 2 * lanes), sum2);
    sum3 = hn::MulAdd(HalfBitsToFloat(df, hn::LoadU(du16, h + 3 * lanes)),
                      hn::LoadU(df, q + 3 * lanes), sum3);
  }
  for (; i + lanes <= stride; i += lanes) {
    sum0 =
        hn::MulAdd(HalfBitsToFloat(df, hn::LoadU(du16, row + i)), hn::LoadU(df, query + i), sum0);
  }
  const auto total = hn::Add(hn::Add(sum0, sum1), hn::Add(sum2, sum3));
  float sum = hn::GetLane(hn::SumOfLanes(df, total));
  for (; i < stride; ++i) sum += kernels::half_to_float(row[i]) * query[i];
  return sum;
}

void DotRowsF16Impl(const uint16_t* HWY_RESTRICT rows, size_t stride, size_t count,
                    const float* HWY_RESTRICT query, float* HWY_RESTRICT out) {
  for (size_t r = 0; r < count; ++r) out[r] = DotRowF16(rows + r * stride, stride, query);
}

// bfloat16 bits (one per float lane) -> float: the bits are the float's top half.
template <class DF>
HWY_INLINE hn::Vec<DF> Bf16BitsToFloat(DF df, hn::Vec<hn::Rebind<uint16_t, DF>> bf16_bits) {
  const hn::RebindToUnsigned<DF> du;
  return hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du, bf16_bits)));
}

// Float -> bfloat16 bits by torch's rule; the vector twin of scalar::float_to_bf16. No
// non-NaN input overflows the add (the largest is -inf's 0xFF800000).
void ToBf16Impl(const float* HWY_RESTRICT in, size_t n, uint16_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(df, in + i);
    const auto bits = hn::BitCast(du, v);
    const auto odd = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1u));
    auto rounded = hn::ShiftRight<16>(hn::Add(bits, hn::Add(hn::Set(du, 0x7FFFu), odd)));
    rounded = hn::IfThenElse(hn::RebindMask(du, hn::IsNaN(v)), hn::Set(du, 0x7FC0u), rounded);
    // In [0, 0xFFFF] as a signed lane (Highway demotes signed lanes to uint16 everywhere).
    hn::StoreU(hn::DemoteTo(du16, hn::BitCast(di, rounded)), du16, out + i);
  }
  for (; i < n; ++i) out[i] = kernels::scalar::float_to_bf16(in[i]);
}

void DecodeBf16Impl(const uint16_t* HWY_RESTRICT in, size_t n, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(Bf16BitsToFloat(df, hn::LoadU(du16, in + i)), df, out + i);
  for (; i < n; ++i) out[i] = kernels::bf16_to_float(in[i]);
}

// As DotRowF16, with the cheaper bfloat16 decode.
float DotRowBf16(const uint16_t* HWY_RESTRICT row, size_t stride, const float* HWY_RESTRICT query) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<uint16_t, decltype(df)> du16;
  const size_t lanes = hn::Lanes(df);
  auto sum0 = hn::Zero(df), sum1 = hn::Zero(df), sum2 = hn::Zero(df), sum3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * lanes <= stride; i += 4 * lanes) {
    const uint16_t* HWY_RESTRICT b = row + i;
    const float* HWY_RESTRICT q = query + i;
    sum0 = hn::MulAdd(Bf16BitsToFloat(df, hn::LoadU(du16, b)), hn::LoadU(df, q), sum0);
    sum1 =
        hn::MulAdd(Bf16BitsToFloat(df, hn::LoadU(du16, b + lanes)), hn::LoadU(df, q + lanes), sum1);
    sum2 = hn::MulAdd(Bf16BitsToFloat(df, hn::LoadU(du16, b + 2 * lanes)),
                      hn::LoadU(df, q + 2 * lanes), sum2);
    sum3 = hn::MulAdd(Bf16BitsToFloat(df, hn::LoadU(du16, b + 3 * lanes)),
                      hn::LoadU(df, q + 3 * lanes), sum3);
  }
  for (; i + lanes <= stride; i += lanes) {
    sum0 =
        hn::MulAdd(Bf16BitsToFloat(df, hn::LoadU(du16, row + i)), hn::LoadU(df, query + i), sum0);
  }
  const auto total = hn::Add(hn::Add(sum0, sum1), hn::Add(sum2, sum3));
  float sum = hn::GetLane(hn::SumOfLanes(df, total));
  for (; i < stride; ++i) sum += kernels::bf16_to_float(row[i]) * query[i];
  return sum;
}

void DotRowsBf16Impl(const uint16_t* HWY_RESTRICT rows, size_t stride, size_t count,
                     const float* HWY_RESTRICT query, float* HWY_RESTRICT out) {
  for (size_t r = 0; r < count; ++r) out[r] = DotRowBf16(rows + r * stride, stride, query);
}

// int8 rows are sign-extended to int16 and multiplied with the int16 query in pairs summed
// into int32 lanes (vpmaddwd on x86): exact, since quantize_query_i16 keeps every partial
// sum below 2^31. Integer adds have one cycle of latency; two accumulators are plenty. The
// `odd` ones are only used on targets whose widening multiply splits even and odd lanes (on
// x86 they stay zero). One row at a time, for the reason given above DotRowF16.
int32_t DotRowI8(const int8_t* HWY_RESTRICT row, size_t stride, const int16_t* HWY_RESTRICT query) {
  const hn::ScalableTag<int16_t> d16;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const hn::Repartition<int32_t, decltype(d16)> d32;
  const size_t lanes = hn::Lanes(d16);
  auto sum0 = hn::Zero(d32), sum1 = hn::Zero(d32), odd0 = hn::Zero(d32), odd1 = hn::Zero(d32);
  size_t i = 0;
  for (; i + 2 * lanes <= stride; i += 2 * lanes) {
    const auto a0 = hn::PromoteTo(d16, hn::LoadU(d8, row + i));
    const auto a1 = hn::PromoteTo(d16, hn::LoadU(d8, row + i + lanes));
    sum0 = hn::ReorderWidenMulAccumulate(d32, a0, hn::LoadU(d16, query + i), sum0, odd0);
    sum1 = hn::ReorderWidenMulAccumulate(d32, a1, hn::LoadU(d16, query + i + lanes), sum1, odd1);
  }
  for (; i + lanes <= stride; i += lanes) {
    const auto a = hn::PromoteTo(d16, hn::LoadU(d8, row + i));
    sum0 = hn::ReorderWidenMulAccumulate(d32, a, hn::LoadU(d16, query + i), sum0, odd0);
  }
  const auto total =
      hn::Add(hn::RearrangeToOddPlusEven(sum0, odd0), hn::RearrangeToOddPlusEven(sum1, odd1));
  int32_t sum = hn::GetLane(hn::SumOfLanes(d32, total));
  for (; i < stride; ++i) sum += int32_t{row[i]} * query[i];
  return sum;
}

void DotRowsI8Impl(const int8_t* HWY_RESTRICT rows, size_t stride, size_t count,
                   const int16_t* HWY_RESTRICT query, int32_t* HWY_RESTRICT out) {
  for (size_t r = 0; r < count; ++r) out[r] = DotRowI8(rows + r * stride, stride, query);
}

// max |in[i]|, and whether every value is finite (x * 0 is NaN exactly for inf and NaN).
float MaxAbsImpl(const float* HWY_RESTRICT in, size_t n, bool* finite) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  auto max_abs = hn::Zero(df);
  auto poison = hn::Zero(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(df, in + i);
    max_abs = hn::Max(max_abs, hn::Abs(v));
    poison = hn::Add(poison, hn::Mul(v, hn::Zero(df)));
  }
  float result = hn::GetLane(hn::MaxOfLanes(df, max_abs));
  bool ok = hn::AllTrue(df, hn::Eq(poison, poison));  // no NaN lane
  for (; i < n; ++i) {
    result = std::max(result, std::abs(in[i]));
    ok = ok && std::isfinite(in[i]);
  }
  *finite = ok;
  return result;
}

// lround(double(in[i]) * inverse), clamped to [-levels, levels], as int8: the same rounding as
// the scalar quantize_with, formed the same way (one double product), so the same values.
void QuantizeI8Impl(const float* HWY_RESTRICT in, size_t n, double inverse, int8_t* HWY_RESTRICT out) {
#if HWY_HAVE_FLOAT64
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const hn::Rebind<int32_t, decltype(dd)> di32;
  const hn::Rebind<int16_t, decltype(dd)> di16;
  const hn::Rebind<int8_t, decltype(dd)> di8;
  const size_t lanes = hn::Lanes(dd);
  const auto factor = hn::Set(dd, inverse);
  const auto half = hn::Set(dd, 0.5);
  const auto one = hn::Set(dd, 1.0);
  const auto top = hn::Set(dd, 127.0);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto q = hn::Mul(hn::PromoteTo(dd, hn::LoadU(df, in + i)), factor);
    // Half away from zero: the truncation, one step further when the part cut off is >= 1/2.
    auto t = hn::Trunc(q);
    const auto cut = hn::Sub(q, t);  // exact: |q| < 2^52
    t = hn::Add(t, hn::IfThenElseZero(hn::Ge(cut, half), one));
    t = hn::Sub(t, hn::IfThenElseZero(hn::Le(cut, hn::Neg(half)), one));
    t = hn::Min(hn::Max(t, hn::Neg(top)), top);
    hn::StoreU(hn::DemoteTo(di8, hn::DemoteTo(di16, hn::DemoteTo(di32, t))), di8, out + i);
  }
#else
  size_t i = 0;
#endif
  for (; i < n; ++i) {
    const long q = std::lround(double{in[i]} * inverse);
    out[i] = static_cast<int8_t>(std::clamp<long>(q, -127, 127));
  }
}

}  // namespace embtool::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace embtool::kernels {

HWY_EXPORT(ToHalfImpl);
HWY_EXPORT(DotRowsF16Impl);
HWY_EXPORT(DotRowsI8Impl);
HWY_EXPORT(ToBf16Impl);
HWY_EXPORT(DotRowsBf16Impl);
HWY_EXPORT(DecodeHalfImpl);
HWY_EXPORT(DecodeBf16Impl);
HWY_EXPORT(MaxAbsImpl);
HWY_EXPORT(QuantizeI8Impl);

size_t padded_length(size_t dim, size_t element_bytes) {
  assert(element_bytes > 0 && 64 % element_bytes == 0);
  const size_t per_line = 64 / element_bytes;
  return (dim + per_line - 1) / per_line * per_line;
}

// ---- float16 ----------------------------------------------------------------------------------

namespace {

constexpr float kMaxHalf = 65504.0f;

}  // namespace

namespace scalar {

// Integer-only, so it does not depend on the FPU's rounding mode or on _Float16 support.
uint16_t float_to_half(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) {  // NaN: quiet it, keep the top of the payload (as F16C does)
    return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
  }
  // 65520 = 65504 + half an ulp: the tie goes to the even neighbour, 65536, i.e. infinity.
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);
  if (abs >= 0x38800000u) {  // >= 2^-14: a normal half
    const uint32_t rebiased = abs - (112u << 23);
    const uint32_t odd = (rebiased >> 13) & 1u;
    // Just under half an ulp, plus one if the kept part is odd: ties round to even. A carry
    // out of the mantissa correctly bumps the exponent.
    return static_cast<uint16_t>(sign | ((rebiased + 0xFFFu + odd) >> 13));
  }
  // Subnormal half: the value in units of 2^-24 rounded to nearest even; 1024 (= 2^-14, the
  // smallest normal) comes out right too. Below 2^-25 (exponent < 102) everything is 0.
  const uint32_t exponent = abs >> 23;
  if (exponent < 102) return sign;
  const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
  const uint32_t shift = 126 - exponent;  // in [14, 24]
  const uint32_t kept = mantissa >> shift;
  const uint32_t rest = mantissa & ((1u << shift) - 1);
  const uint32_t halfway = 1u << (shift - 1);
  const uint32_t rounded = kept + ((rest > halfway || (rest == halfway && (kept & 1u))) ? 1u : 0u);
  return static_cast<uint16_t>(sign | rounded);
}

float dot_row_f16(const uint16_t* row, size_t stride, const float* query) {
  double sum = 0.0;
  for (size_t i = 0; i < stride; ++i) sum += double{half_to_float(row[i])} * query[i];
  return static_cast<float>(sum);
}

float dot_row_bf16(const uint16_t* row, size_t stride, const float* query) {
  double sum = 0.0;
  for (size_t i = 0; i < stride; ++i) sum += double{bf16_to_float(row[i])} * query[i];
  return static_cast<float>(sum);
}

int32_t dot_row_i8(const int8_t* row, size_t stride, const int16_t* query) {
  int64_t sum = 0;
  for (size_t i = 0; i < stride; ++i) sum += int64_t{row[i]} * query[i];
  return static_cast<int32_t>(sum);
}

}  // namespace scalar

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  }
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

void half_to_float(std::span<const uint16_t> in, std::span<float> out) {
  assert(out.size() == in.size());
  HWY_DYNAMIC_DISPATCH(DecodeHalfImpl)(in.data(), in.size(), out.data());
}

void to_half(std::span<const float> in, std::span<uint16_t> out) {
  assert(out.size() == in.size());
  HWY_DYNAMIC_DISPATCH(ToHalfImpl)(in.data(), in.size(), out.data());
}

// No early exit, so that the compiler can vectorize the loop; NaN fails the comparison.
bool finite_as_half(std::span<const float> values) {
  bool ok = true;
  for (float x : values) ok &= std::abs(x) <= kMaxHalf;
  return ok;
}

void dot_rows_f16(const uint16_t* rows, size_t stride, size_t count, const float* query,
                  float* out) {
  HWY_DYNAMIC_DISPATCH(DotRowsF16Impl)(rows, stride, count, query, out);
}

// ---- bfloat16 ---------------------------------------------------------------------------------

float bf16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

void bf16_to_float(std::span<const uint16_t> in, std::span<float> out) {
  assert(out.size() == in.size());
  HWY_DYNAMIC_DISPATCH(DecodeBf16Impl)(in.data(), in.size(), out.data());
}

void to_bf16(std::span<const float> in, std::span<uint16_t> out) {
  assert(out.size() == in.size());
  HWY_DYNAMIC_DISPATCH(ToBf16Impl)(in.data(), in.size(), out.data());
}

// Below the float just under the largest bfloat16's rounding boundary (0x7F7F8000, a tie
// that goes to the even neighbour, infinity). No early exit, so the loop vectorizes.
bool finite_as_bf16(std::span<const float> values) {
  bool ok = true;
  for (float x : values) ok &= (std::bit_cast<uint32_t>(x) & 0x7FFFFFFFu) < 0x7F7F8000u;
  return ok;
}

void dot_rows_bf16(const uint16_t* rows, size_t stride, size_t count, const float* query,
                   float* out) {
  HWY_DYNAMIC_DISPATCH(DotRowsBf16Impl)(rows, stride, count, query, out);
}

// ---- int8 / int16 ------------------------------------------------------------------------------

namespace {

// Largest |v|, and whether every value is finite.
struct Magnitude {
  float max_abs = 0.0f;
  bool finite = true;
};

Magnitude magnitude_of(std::span<const float> values) {
  Magnitude m;
  for (float v : values) {
    m.max_abs = std::max(m.max_abs, std::abs(v));
    m.finite &= std::isfinite(v);
  }
  return m;
}

// max_abs / levels rounded up to a float: then |v| / scale <= levels holds exactly for every
// v, so no value needs clamping and the rounding error stays within half a step. Rounding
// to nearest could leave the largest value a hair above `levels` steps, and for tiny rows
// (scale a float subnormal) far above.
float scale_for(float max_abs, int levels) {
  float scale = static_cast<float>(double{max_abs} / levels);
  if (double{scale} * levels < double{max_abs}) {  // exact: 24 bits times < 16 bits
    scale = std::nextafter(scale, std::numeric_limits<float>::infinity());
  }
  return scale;
}

// Writes round-half-away-from-zero (std::lround) of values[i] / scale. The quotient is formed
// in double by multiplying with the reciprocal: two roundings of 2^-53 relative on a quotient
// of at most `levels` <= 32767 steps, under 2^-37 steps, so
// |values[i] - scale * q[i]| <= scale * (1/2 + 2^-36), the figure the error bounds use.
template <class Int>
void quantize_with(std::span<const float> values, float scale, int levels, Int* out) {
  const double inverse = 1.0 / double{scale};
  for (size_t i = 0; i < values.size(); ++i) {
    const long q = std::lround(double{values[i]} * inverse);
    out[i] = static_cast<Int>(std::clamp<long>(q, -levels, levels));  // clamp: belt and braces
  }
}

}  // namespace

// A row with a NaN or an infinity cannot be quantized: its values become 0 and its scale NaN,
// so that every score and bound computed from it is NaN (the store keeps only finite rows).
// Vectorized (the batch product quantizes every row of every pass); scalar::quantize_row_i8
// is the reference it equals.
float quantize_row_i8(std::span<const float> row, std::span<int8_t> out) {
  assert(out.size() >= row.size());
  bool finite = true;
  const float max_abs = HWY_DYNAMIC_DISPATCH(MaxAbsImpl)(row.data(), row.size(), &finite);
  if (!finite || max_abs == 0.0f) {
    std::fill_n(out.begin(), row.size(), int8_t{0});
    return finite ? 0.0f : std::numeric_limits<float>::quiet_NaN();
  }
  const float scale = scale_for(max_abs, 127);
  HWY_DYNAMIC_DISPATCH(QuantizeI8Impl)(row.data(), row.size(), 1.0 / double{scale}, out.data());
  return scale;
}

namespace scalar {

float quantize_row_i8(std::span<const float> row, std::span<int8_t> out) {
  assert(out.size() >= row.size());
  const Magnitude m = magnitude_of(row);
  if (!m.finite || m.max_abs == 0.0f) {
    std::fill_n(out.begin(), row.size(), int8_t{0});
    return m.finite ? 0.0f : std::numeric_limits<float>::quiet_NaN();
  }
  const float scale = scale_for(m.max_abs, 127);
  quantize_with(row, scale, 127, out.data());
  return scale;
}

}  // namespace scalar

float quantize_query_i16(std::span<const float> query, std::span<int16_t> out) {
  assert(out.size() >= query.size());
  std::fill(out.begin(), out.end(), int16_t{0});
  if (out.empty()) return 0.0f;
  // |sum| <= out.size() * 127 * qmax <= 2^31 - 1 in every partial sum of the int32 dot.
  const size_t limit = size_t{std::numeric_limits<int32_t>::max()} / (127 * out.size());
  if (limit == 0) throw std::length_error("quantize_query_i16: row too long for int32 sums");
  const int qmax = static_cast<int>(std::min<size_t>(32767, limit));
  const Magnitude m = magnitude_of(query);
  if (!m.finite) return std::numeric_limits<float>::quiet_NaN();
  if (m.max_abs == 0.0f) return 0.0f;
  const float scale = scale_for(m.max_abs, qmax);
  quantize_with(query, scale, qmax, out.data());
  return scale;
}

void dot_rows_i8(const int8_t* rows, size_t stride, size_t count, const int16_t* query,
                 int32_t* out) {
  HWY_DYNAMIC_DISPATCH(DotRowsI8Impl)(rows, stride, count, query, out);
}

// ---- error bounds ------------------------------------------------------------------------------
//
// Both bounds add three parts:
//  (1) the quantization error of the approximate dot, derived below;
//  (2) the float32 rounding of the exact path, kernels::dot(x, q) over `dim` floats. In any
//      summation order, with or without FMA, it is <= gamma(dim) * sum |x_i q_i|
//      <= gamma(dim) * |x| |q| (Cauchy-Schwarz), gamma(n) = n u / (1 - n u), u = 2^-24
//      (float32_dot_rounding_bound, kernels/rounding_bound.hpp);
//  (3) a few float32 ulps of the approximate value itself (|approx| <= |x||q| + (1)), in case
//      the caller forms it in float, and 2^-149 per term for products that underflow.
// The total is then widened by 4 gamma(dim) relative so that norms computed in float32
// (squared_norm + sqrt, relative error about gamma(dim)) still give a valid bound.

namespace {

double with_float_rounding(size_t dim, double quantization, double row_l2, double query_l2) {
  const double product = row_l2 * query_l2;
  const double exact_path = float32_dot_rounding_bound(dim) * product;
  const double forming = 3 * kFloat32UnitRoundoff * (product + quantization);
  const double underflow = static_cast<double>(dim + 2) * 0x1p-149;
  return (quantization + exact_path + forming + underflow) * (1 + 4 * float32_dot_rounding_bound(dim));
}

// A row rounded to a narrower float, |x_i - h_i| <= relative |x_i| + absolute; derived below
// for float16.
double rounded_dot_error_bound(size_t dim, double relative, double absolute, double row_l2,
                               double query_l1, double query_l2) {
  const double product = row_l2 * query_l2;
  const double conversion = relative * product + absolute * query_l1;
  const double kernel = float32_dot_rounding_bound(dim) * ((1 + relative) * product + absolute * query_l1);
  return with_float_rounding(dim, conversion + kernel, row_l2, query_l2);
}

}  // namespace

// Half rounding: |x_i - h_i| <= 2^-11 |x_i| (normal, 11-bit significand) or <= 2^-25 (half
// subnormal step 2^-24), so |x.q - h.q| <= sum (2^-11 |x_i| + 2^-25) |q_i|
// <= 2^-11 |x| |q| + 2^-25 |q|_1. The kernel sums h_i q_i in float32, in its own order:
// <= gamma(dim) sum |h_i q_i| <= gamma(dim) ((1 + 2^-11) |x| |q| + 2^-25 |q|_1) (padding terms
// are zero, and adding an exact zero does not round).
double f16_dot_error_bound(size_t dim, double row_l2, double query_l1, double query_l2) {
  return rounded_dot_error_bound(dim, 0x1p-11, 0x1p-25, row_l2, query_l1, query_l2);
}

// bfloat16 keeps float32's exponent range and 8 significant bits: |x_i - b_i| <= 2^-8 |x_i|
// (normal) or <= 2^-134 (half the subnormal step 2^-133); otherwise as for float16.
double bf16_row_dot_error_bound(size_t dim, double row_l2, double query_l1, double query_l2) {
  return rounded_dot_error_bound(dim, 0x1p-8, 0x1p-134, row_l2, query_l1, query_l2);
}

// With x_i = s_r a_i + e_i, |e_i| <= s_r/2 (a = int8 row) and q_i = s_q b_i + f_i,
// |f_i| <= s_q/2 (b = int16 query), D = a.b exactly:
//   x.q - s_r s_q D = e.q + s_r a.f,
//   |e.q| <= s_r/2 |q|_1,   |s_r a.f| <= s_r s_q/2 sum |a_i|,
// and sum |a_i| <= min(127 dim, |x|_1 / s_r + dim/2) with |x|_1 <= sqrt(dim) |x|: the second
// form is about three times tighter for Gaussian rows. The "1/2" steps carry the 2^-36 of
// quantize_with.
// x.q - x~.q~ = e_x.q + x~.e_q: |e_x.q| <= h s_x |q|_1 as above, and by Cauchy-Schwarz
// |x~.e_q| <= |x~| |e_q| <= (|x| + h s_x sqrt(n)) |e_q|, with the query's own residual instead
// of its worst case h s_q sqrt(n).
double i8_dot_error_bound_with_residual(size_t dim, double row_scale, double query_residual_l2,
                                        double row_l2, double query_l1, double query_l2) {
  const double half_step = 0.5 + 0x1p-36;
  const double n = static_cast<double>(dim);
  const double quantization = half_step * row_scale * query_l1 +
                              (row_l2 + half_step * row_scale * std::sqrt(n)) * query_residual_l2;
  return with_float_rounding(dim, quantization, row_l2, query_l2);
}

double i8_dot_error_bound(size_t dim, double row_scale, double query_scale, double row_l2,
                          double query_l1, double query_l2) {
  const double half_step = 0.5 + 0x1p-36;
  const double n = static_cast<double>(dim);
  const double row_terms =
      std::min(127 * n * row_scale, std::sqrt(n) * row_l2 + n * half_step * row_scale);
  const double quantization =
      half_step * row_scale * query_l1 + half_step * query_scale * row_terms;
  return with_float_rounding(dim, quantization, row_l2, query_l2);
}

}  // namespace embtool::kernels
#endif  // HWY_ONCE
