// Tests of the float16 / int8 copies: conversions bit for bit against the scalar reference
// and an independent nearest-value oracle, the scans against the scalar loops on every SIMD
// target this CPU runs, and the error bounds against the float32 path on random and
// adversarial rows.
#include <catch2/catch.hpp>
#include <hwy/targets.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"

using namespace embtool;

namespace {

// Restores normal target dispatch however the test body exits.
struct TargetOverride {
  explicit TargetOverride(int64_t target) { hwy::SetSupportedTargetsForTest(target); }
  ~TargetOverride() { hwy::SetSupportedTargetsForTest(0); }
  TargetOverride(const TargetOverride&) = delete;
  TargetOverride& operator=(const TargetOverride&) = delete;
};

// Runs `body` once on every SIMD target that is both compiled in and supported by this CPU
// (e.g. AVX3, AVX2, SSE4, SSSE3, EMU128), so that the fallbacks are tested on this machine.
template <class Body>
void for_each_target(Body&& body) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    const TargetOverride override_target(target);
    const std::string name = hwy::TargetName(target);
    INFO("SIMD target " << name);
    // Dispatch really switched: the float32 kernels report the same target.
    REQUIRE(name == kernels::simd_target_name());
    body();
  }
}

float from_bits(uint32_t bits) {
  return std::bit_cast<float>(bits);
}
uint32_t bits_of(float x) {
  return std::bit_cast<uint32_t>(x);
}

// Independent oracle for float -> half: binary search for the neighbouring halves among the
// finite positive ones (their bit patterns are ordered like their values), then pick the
// nearer, ties to the even one. Differences of floats are exact in double.
uint16_t nearest_half(float x) {
  if (std::isnan(x)) return 0x7E00;  // callers compare NaN by class only
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  const double a = std::abs(double{x});
  uint16_t lo = 0, hi = 0x7BFF;  // invariant: value(lo) <= a
  if (a >= 65504.0) {
    lo = 0x7BFF;
  } else {
    while (lo < hi) {
      const auto mid = static_cast<uint16_t>((lo + hi + 1) / 2);
      if (double{kernels::half_to_float(mid)} <= a) {
        lo = mid;
      } else {
        hi = static_cast<uint16_t>(mid - 1);
      }
    }
  }
  // 65536 stands for the step past the largest finite half: rounding there overflows to inf.
  const double below = kernels::half_to_float(lo);
  const double above =
      lo == 0x7BFF ? 65536.0 : double{kernels::half_to_float(static_cast<uint16_t>(lo + 1))};
  uint16_t pick = lo;
  if (a - below > above - a || (a - below == above - a && (lo & 1u)))
    pick = static_cast<uint16_t>(lo + 1);
  return static_cast<uint16_t>(sign | pick);  // lo + 1 == 0x7C00 is infinity
}

bool is_half_nan(uint16_t h) {
  return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0;
}

// Every finite half, its float neighbours, the midpoints to the next half and their
// neighbours (all the ties), both signs, the special values, and random bit patterns.
std::vector<float> conversion_cases() {
  std::vector<float> cases;
  const float inf = std::numeric_limits<float>::infinity();
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    const float v = kernels::half_to_float(static_cast<uint16_t>(h));
    const float next =
        h + 1 < 0x7C00 ? kernels::half_to_float(static_cast<uint16_t>(h + 1)) : 65536.0f;
    const float mid = (v + next) / 2;  // exact: one more bit than a half has
    for (float c : {v, std::nextafter(v, inf), std::nextafter(v, -inf), mid,
                    std::nextafter(mid, inf), std::nextafter(mid, -inf)}) {
      cases.push_back(c);
      cases.push_back(-c);
    }
  }
  for (uint32_t bits : {0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00000u, 0x7F800001u,
                        0x7FBFFFFFu, 0x7FFFFFFFu, 0xFFA12345u, 0x7F802000u, 0x00000001u,
                        0x80000001u, 0x007FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu}) {
    cases.push_back(from_bits(bits));
  }
  for (float x :
       {65504.0f, 65519.996f, 65520.0f, 65536.0f, 6.1e-5f, 6.1035156e-5f, 5.96e-8f, 2.98e-8f,
        2.99e-8f, 0x1p-25f, 3 * 0x1p-25f, 5 * 0x1p-25f, 0x1p-14f - 0x1p-25f, 0.1f, 1.0f / 3}) {
    cases.push_back(x);
    cases.push_back(-x);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) cases.push_back(from_bits(static_cast<uint32_t>(rng())));
  return cases;
}

std::vector<float> gaussian(size_t n, std::mt19937& rng, float sigma = 1.0f) {
  std::normal_distribution<float> g(0.0f, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = g(rng);
  return v;
}

double l1(std::span<const float> v) {
  double sum = 0;
  for (float x : v) sum += std::abs(double{x});
  return sum;
}

double l2(std::span<const float> v) {
  double sum = 0;
  for (float x : v) sum += double{x} * x;
  return std::sqrt(sum);
}

// Row families for the error bounds: plain Gaussian, Gaussian with one large outlier (the
// int8 scale then is coarse for everything else), and tiny values (half subnormals).
enum class Family { gaussian, outlier, tiny };

std::vector<float> random_row(Family family, size_t dim, std::mt19937& rng) {
  std::vector<float> row = gaussian(dim, rng);
  if (family == Family::outlier) {
    std::uniform_int_distribution<size_t> where(0, dim - 1);
    std::uniform_real_distribution<float> size(20.0f, 1000.0f);
    row[where(rng)] = (rng() & 1u ? 1.0f : -1.0f) * size(rng);
  } else if (family == Family::tiny) {
    for (float& x : row) x *= 3e-6f;
  }
  return row;
}

const char* name_of(Family family) {
  switch (family) {
    case Family::gaussian: return "gaussian";
    case Family::outlier: return "outlier";
    case Family::tiny: return "tiny";
  }
  return "?";
}

// Worst |error| / bound over many rows; the bound holds when this is <= 1.
struct Worst {
  double ratio = 0;
  void add(double error, double bound) {
    ratio = std::max(ratio, bound > 0 ? error / bound : (error > 0 ? 1e300 : 0));
  }
};

constexpr size_t kBoundDims[] = {1, 3, 299, 300, 301, 1024};

}  // namespace

TEST_CASE("padded_length rounds up to whole 64-byte lines", "[quantized]") {
  CHECK(kernels::padded_length(0, 1) == 0);
  CHECK(kernels::padded_length(1, 1) == 64);
  CHECK(kernels::padded_length(64, 1) == 64);
  CHECK(kernels::padded_length(65, 1) == 128);
  CHECK(kernels::padded_length(300, 1) == 320);
  CHECK(kernels::padded_length(1, 2) == 32);
  CHECK(kernels::padded_length(300, 2) == 320);
  CHECK(kernels::padded_length(301, 2) == 320);
  CHECK(kernels::padded_length(321, 2) == 352);
  CHECK(kernels::padded_length(300, 4) == 304);
  CHECK(kernels::padded_length(3, 4) == 16);
}

TEST_CASE("float_to_half rounds the edge cases to nearest even", "[quantized]") {
  using kernels::scalar::float_to_half;
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(float_to_half(0.0f) == 0x0000);
  CHECK(float_to_half(-0.0f) == 0x8000);
  CHECK(float_to_half(1.0f) == 0x3C00);
  CHECK(float_to_half(-2.0f) == 0xC000);
  CHECK(float_to_half(1.0f + 0x1p-11f) == 0x3C00);      // tie, even stays
  CHECK(float_to_half(1.0f + 3 * 0x1p-11f) == 0x3C02);  // tie, odd rounds up
  CHECK(float_to_half(1.0f + 0x1p-11f + 0x1p-23f) == 0x3C01);
  CHECK(float_to_half(65504.0f) == 0x7BFF);
  CHECK(float_to_half(65519.996f) == 0x7BFF);
  CHECK(float_to_half(65520.0f) == 0x7C00);  // tie with 65536: overflows
  CHECK(float_to_half(-65520.0f) == 0xFC00);
  CHECK(float_to_half(1e10f) == 0x7C00);
  CHECK(float_to_half(inf) == 0x7C00);
  CHECK(float_to_half(-inf) == 0xFC00);
  CHECK(is_half_nan(float_to_half(std::numeric_limits<float>::quiet_NaN())));
  CHECK(is_half_nan(float_to_half(from_bits(0x7F800001u))));  // payload only in low bits
  CHECK(is_half_nan(float_to_half(from_bits(0xFFC00000u))));
  CHECK((float_to_half(from_bits(0xFFC00000u)) & 0x8000) != 0);
  CHECK(float_to_half(0x1p-14f) == 0x0400);  // smallest normal
  CHECK(float_to_half(6.1e-5f) == 0x03FF);   // just below it: largest subnormal
  CHECK(float_to_half(0x1p-24f) == 0x0001);  // smallest subnormal, 5.96e-8
  CHECK(float_to_half(5.96e-8f) == 0x0001);
  CHECK(float_to_half(0x1p-25f) == 0x0000);  // tie with 0: even
  CHECK(float_to_half(2.98e-8f) == 0x0000);  // a hair below 2^-25
  CHECK(float_to_half(2.99e-8f) == 0x0001);  // a hair above
  CHECK(float_to_half(-0x1p-25f) == 0x8000);
  CHECK(float_to_half(3 * 0x1p-25f) == 0x0002);         // subnormal tie, odd rounds up
  CHECK(float_to_half(5 * 0x1p-25f) == 0x0002);         // subnormal tie, even stays
  CHECK(float_to_half(0x1p-14f - 0x1p-25f) == 0x0400);  // tie between 0x3FF and 0x400
  CHECK(float_to_half(from_bits(1)) == 0x0000);         // float subnormal
}

TEST_CASE("half_to_float inverts float_to_half on all 65536 halves", "[quantized]") {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto half = static_cast<uint16_t>(h);
    const float f = kernels::half_to_float(half);
    if (is_half_nan(half)) {
      CHECK(std::isnan(f));
      // NaN stays NaN with its payload; only the quiet bit may be added.
      CHECK(kernels::scalar::float_to_half(f) == (half | 0x0200));
    } else if (kernels::scalar::float_to_half(f) != half) {
      FAIL("half " << h << " -> " << f << " -> " << kernels::scalar::float_to_half(f));
    }
  }
  CHECK(kernels::half_to_float(0x3C00) == 1.0f);
  CHECK(kernels::half_to_float(0x0001) == 0x1p-24f);
  CHECK(kernels::half_to_float(0x7BFF) == 65504.0f);
  CHECK(kernels::half_to_float(0x7C00) == std::numeric_limits<float>::infinity());
  CHECK(std::signbit(kernels::half_to_float(0x8000)));
}

TEST_CASE("float_to_half picks the nearest half, ties to even (independent oracle)",
          "[quantized]") {
  size_t mismatches = 0;
  for (float x : conversion_cases()) {
    const uint16_t got = kernels::scalar::float_to_half(x);
    const uint16_t want = nearest_half(x);
    const bool same = std::isnan(x) ? is_half_nan(got) : got == want;
    if (!same && ++mismatches <= 10) {
      FAIL_CHECK("x = " << x << " (bits " << bits_of(x) << "): got " << got << ", want " << want);
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("to_half is bit-identical to the scalar conversion on every target", "[quantized]") {
  const std::vector<float> cases = conversion_cases();
  std::vector<uint16_t> want(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) want[i] = kernels::scalar::float_to_half(cases[i]);
  for_each_target([&] {
    // Misaligned starts and lengths that leave every possible tail.
    for (size_t offset : {0u, 1u, 3u}) {
      for (size_t cut : {0u, 1u, 7u, 15u}) {
        const size_t n = cases.size() - offset - cut;
        std::vector<uint16_t> got(n + 1, 0xABCD);
        kernels::to_half(std::span(cases).subspan(offset, n), std::span(got).first(n));
        size_t mismatches = 0;
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != want[offset + i] && ++mismatches <= 10) {
            FAIL_CHECK("x bits " << bits_of(cases[offset + i]) << ": got " << got[i] << ", want "
                                 << want[offset + i]);
          }
        }
        CHECK(mismatches == 0);
        CHECK(got[n] == 0xABCD);  // nothing written past the end
      }
    }
  });
}

TEST_CASE("finite_as_half accepts exactly the values up to 65504", "[quantized]") {
  std::vector<float> values(1000, 1.0f);
  CHECK(kernels::finite_as_half(values));
  CHECK(kernels::finite_as_half(std::span<const float>()));
  values[999] = -65504.0f;
  CHECK(kernels::finite_as_half(values));
  values[500] = std::nextafter(65504.0f, 1e9f);
  CHECK_FALSE(kernels::finite_as_half(values));
  values[500] = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(kernels::finite_as_half(values));
  values[500] = -std::numeric_limits<float>::infinity();
  CHECK_FALSE(kernels::finite_as_half(values));
}

TEST_CASE("dot_rows_f16 widens every half exactly on every target", "[quantized]") {
  // Row h holds half h in its first element and zeros elsewhere; the query is (1, 0, ...).
  const size_t stride = kernels::padded_length(1, 2);
  std::vector<uint16_t> rows(65536 * stride, 0);
  for (uint32_t h = 0; h <= 0xFFFF; ++h) rows[h * stride] = static_cast<uint16_t>(h);
  std::vector<float> query(stride, 0.0f);
  query[0] = 1.0f;
  for_each_target([&] {
    std::vector<float> out(65536);
    kernels::dot_rows_f16(rows.data(), stride, 65536, query.data(), out.data());
    size_t mismatches = 0;
    for (uint32_t h = 0; h <= 0xFFFF; ++h) {
      const float want = kernels::half_to_float(static_cast<uint16_t>(h));
      const bool same = std::isnan(want) ? std::isnan(out[h]) : out[h] == want;
      if (!same && ++mismatches <= 10)
        FAIL_CHECK("half " << h << ": got " << out[h] << ", want " << want);
    }
    CHECK(mismatches == 0);
  });
}

TEST_CASE("dot_rows_f16 agrees with the scalar reference on every target", "[quantized]") {
  std::mt19937 rng(11);
  for (size_t dim : {1u, 3u, 31u, 32u, 33u, 299u, 300u, 301u, 1024u}) {
    const size_t stride = kernels::padded_length(dim, 2);
    const size_t count = 11;
    // One element more than needed so the rows can start misaligned.
    std::vector<uint16_t> storage(count * stride + 1, 0);
    for (size_t offset : {0u, 1u}) {
      uint16_t* rows = storage.data() + offset;
      std::fill(storage.begin(), storage.end(), uint16_t{0});
      for (size_t r = 0; r < count; ++r) {
        const auto values = gaussian(dim, rng, r % 3 == 0 ? 100.0f : 1.0f);
        kernels::to_half(values, std::span(rows + r * stride, dim));
      }
      std::vector<float> query(stride, 0.0f);
      const auto q = gaussian(dim, rng);
      std::copy(q.begin(), q.end(), query.begin());
      for_each_target([&] {
        INFO("dim " << dim << ", offset " << offset);
        std::vector<float> out(count + 1, -7.0f);
        kernels::dot_rows_f16(rows, stride, count, query.data(), out.data());
        for (size_t r = 0; r < count; ++r) {
          const uint16_t* row = rows + r * stride;
          double magnitude = 0;
          for (size_t i = 0; i < stride; ++i)
            magnitude += std::abs(double{kernels::half_to_float(row[i])} * query[i]);
          const float want = kernels::scalar::dot_row_f16(row, stride, query.data());
          CHECK(out[r] == Approx(want).margin(1e-6 * magnitude + 1e-30));
        }
        CHECK(out[count] == -7.0f);
      });
    }
  }
}

TEST_CASE("quantize_row_i8 scales by max|x| / 127 and rounds half away from zero", "[quantized]") {
  // Scale exactly 1: the ties show the rounding direction.
  const std::vector<float> row = {127.0f, 63.5f, -63.5f, 0.5f,  -0.5f,
                                  1.5f,   2.5f,  -2.5f,  0.49f, -127.0f};
  std::vector<int8_t> q(row.size());
  CHECK(kernels::quantize_row_i8(row, q) == 1.0f);
  CHECK(q == std::vector<int8_t>{127, 64, -64, 1, -1, 2, 3, -3, 0, -127});

  std::vector<int8_t> zeros(5, 9);
  CHECK(kernels::quantize_row_i8(std::vector<float>(5, 0.0f), zeros) == 0.0f);
  CHECK(zeros == std::vector<int8_t>(5, 0));

  // A non-finite row gets scale NaN, so every bound computed from it is NaN too.
  std::vector<float> bad = {1.0f, std::numeric_limits<float>::infinity()};
  std::vector<int8_t> bad_q(2, 9);
  CHECK(std::isnan(kernels::quantize_row_i8(bad, bad_q)));
  CHECK(bad_q == std::vector<int8_t>(2, 0));

  // Random rows, from ordinary to float-subnormal magnitudes: in range, the largest value
  // maps to +-127, every value within half a step, the scale within an ulp of max|x| / 127.
  std::mt19937 rng(3);
  for (float magnitude : {1.0f, 1e-3f, 1e30f, 1e-36f, 1e-40f, 1e-44f}) {
    for (int trial = 0; trial < 50; ++trial) {
      auto values = gaussian(300, rng);
      for (float& x : values) x *= magnitude;
      std::vector<int8_t> out(300);
      const float scale = kernels::quantize_row_i8(values, out);
      float max_abs = 0;
      for (float x : values) max_abs = std::max(max_abs, std::abs(x));
      INFO("magnitude " << magnitude << ", max " << max_abs << ", scale " << scale);
      REQUIRE(scale > 0.0f);
      CHECK(double{scale} * 127 >= max_abs);
      CHECK(std::nextafter(scale, 0.0f) * 127.0 < max_abs);
      int largest = 0;
      for (size_t i = 0; i < values.size(); ++i) {
        largest = std::max(largest, std::abs(int{out[i]}));
        const double error = std::abs(double{values[i]} - double{scale} * out[i]);
        CHECK(error <= double{scale} * (0.5 + 0x1p-36));
      }
      if (max_abs >= 1e-37f) CHECK(largest == 127);  // far below, the scale is a coarse subnormal
    }
  }
}

TEST_CASE("quantize_query_i16 keeps int32 sums from overflowing", "[quantized]") {
  std::mt19937 rng(5);
  for (size_t dim : {1u, 300u, 1024u, 16000u, 20000u}) {
    const size_t stride = kernels::padded_length(dim, 1);
    const int qmax = static_cast<int>(std::min<size_t>(32767, 2147483647u / (127 * stride)));
    INFO("dim " << dim << ", qmax " << qmax);
    const auto query = gaussian(dim, rng);
    std::vector<int16_t> out(stride, 99);
    const float scale = kernels::quantize_query_i16(query, out);
    int largest = 0;
    for (size_t i = 0; i < dim; ++i) {
      largest = std::max(largest, std::abs(int{out[i]}));
      CHECK(std::abs(double{query[i]} - double{scale} * out[i]) <= double{scale} * (0.5 + 0x1p-36));
    }
    CHECK(largest == qmax);
    for (size_t i = dim; i < stride; ++i) CHECK(out[i] == 0);
  }
  std::vector<int16_t> out(64, 99);
  CHECK(kernels::quantize_query_i16(std::vector<float>(10, 0.0f), out) == 0.0f);
  CHECK(out == std::vector<int16_t>(64, 0));
}

TEST_CASE("dot_rows_i8 is exact on every target", "[quantized]") {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> any_i8(-127, 127);
  for (size_t dim : {1u, 3u, 64u, 299u, 300u, 301u, 1024u}) {
    const size_t stride = kernels::padded_length(dim, 1);
    for (size_t count : {0u, 1u, 3u, 4u, 5u, 9u}) {
      std::vector<int8_t> storage(count * stride + 1, 0);
      for (size_t offset : {0u, 1u}) {
        int8_t* rows = storage.data() + offset;
        std::fill(storage.begin(), storage.end(), int8_t{0});
        for (size_t r = 0; r < count; ++r) {
          for (size_t i = 0; i < dim; ++i) rows[r * stride + i] = static_cast<int8_t>(any_i8(rng));
        }
        std::vector<int16_t> query(stride);
        kernels::quantize_query_i16(gaussian(dim, rng), query);
        for_each_target([&] {
          INFO("dim " << dim << ", count " << count << ", offset " << offset);
          std::vector<int32_t> out(count + 1, -7);
          kernels::dot_rows_i8(rows, stride, count, query.data(), out.data());
          for (size_t r = 0; r < count; ++r) {
            CHECK(out[r] == kernels::scalar::dot_row_i8(rows + r * stride, stride, query.data()));
          }
          CHECK(out[count] == -7);
        });
      }
    }
  }
}

TEST_CASE("dot_rows_i8 reaches the largest sums quantize_query_i16 allows", "[quantized]") {
  // Every product at its extreme, all of one sign: the sum is stride * 127 * qmax, just
  // below 2^31 for this stride (qmax = 1028), and must come out exact.
  const size_t stride = 16448;
  std::vector<int16_t> query(stride);
  kernels::quantize_query_i16(std::vector<float>(stride, -1.0f), query);
  REQUIRE(query[0] == -1028);
  std::vector<int8_t> rows(2 * stride, int8_t{-127});
  std::fill(rows.begin() + stride, rows.end(), int8_t{127});
  const int64_t extreme = int64_t{127} * 1028 * static_cast<int64_t>(stride);
  REQUIRE(extreme <= std::numeric_limits<int32_t>::max());
  for_each_target([&] {
    int32_t out[2] = {};
    kernels::dot_rows_i8(rows.data(), stride, 2, query.data(), out);
    CHECK(out[0] == extreme);
    CHECK(out[1] == -extreme);
  });
}

TEST_CASE("the int8 error bound covers the float32 dot on random rows", "[quantized]") {
  std::mt19937 rng(17);
  for (size_t dim : kBoundDims) {
    const size_t stride = kernels::padded_length(dim, 1);
    const auto query = gaussian(dim, rng);
    std::vector<int16_t> query_i16(stride);
    const float query_scale = kernels::quantize_query_i16(query, query_i16);
    for (Family family : {Family::gaussian, Family::outlier, Family::tiny}) {
      const size_t count = 2000;
      std::vector<std::vector<float>> values(count);
      std::vector<float> scales(count);
      std::vector<int8_t> rows(count * stride, 0);
      for (size_t r = 0; r < count; ++r) {
        values[r] = random_row(family, dim, rng);
        scales[r] = kernels::quantize_row_i8(values[r], std::span(rows).subspan(r * stride, dim));
      }
      for_each_target([&] {
        INFO("dim " << dim << ", " << name_of(family) << " rows");
        std::vector<int32_t> dots(count);
        kernels::dot_rows_i8(rows.data(), stride, count, query_i16.data(), dots.data());
        Worst worst;
        for (size_t r = 0; r < count; ++r) {
          const double exact = kernels::dot(values[r], query);
          const double approximate = double{scales[r]} * query_scale * dots[r];
          // Row norms as the store computes them, in float32; query norms in double.
          const double row_l2 = std::sqrt(kernels::squared_norm(values[r]));
          worst.add(std::abs(exact - approximate),
                    kernels::i8_dot_error_bound(dim, scales[r], query_scale, row_l2, l1(query),
                                                l2(query)));
        }
        INFO("worst error / bound " << worst.ratio);
        CHECK(worst.ratio <= 1.0);
      });
    }
  }
}

TEST_CASE("the int8 error bound holds on rows built to reach it", "[quantized]") {
  // Every element sits exactly half a step between two int8 levels (scale 2^-6) and rounds
  // away from zero, against the sign of its query element: e.q = scale/2 * |q|_1, the
  // dominant term of the bound, is reached exactly.
  std::mt19937 rng(19);
  std::uniform_int_distribution<int> level(0, 125);
  for (size_t dim : kBoundDims) {
    const size_t stride = kernels::padded_length(dim, 1);
    const auto query = gaussian(dim, rng);
    std::vector<int16_t> query_i16(stride);
    const float query_scale = kernels::quantize_query_i16(query, query_i16);
    Worst worst;
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<float> row(dim);
      for (size_t i = 0; i < dim; ++i) {
        const float magnitude = (static_cast<float>(level(rng)) + 0.5f) * 0x1p-6f;
        row[i] = query[i] > 0 ? -magnitude : magnitude;
      }
      row[0] = query[0] > 0 ? -127 * 0x1p-6f : 127 * 0x1p-6f;  // pins the scale at 2^-6
      std::vector<int8_t> q(stride, 0);
      const float scale = kernels::quantize_row_i8(row, q);
      REQUIRE(scale == 0x1p-6f);
      int32_t dot = 0;
      kernels::dot_rows_i8(q.data(), stride, 1, query_i16.data(), &dot);
      const double error = std::abs(kernels::dot(row, query) - double{scale} * query_scale * dot);
      worst.add(error, kernels::i8_dot_error_bound(dim, scale, query_scale, l2(row), l1(query),
                                                   l2(query)));
    }
    INFO("dim " << dim << ": worst error / bound " << worst.ratio);
    CHECK(worst.ratio <= 1.0);
    if (dim >= 299) CHECK(worst.ratio > 0.9);  // and the bound is nearly tight
  }
}

TEST_CASE("the float16 error bound covers the float32 dot on random rows", "[quantized]") {
  std::mt19937 rng(23);
  for (size_t dim : kBoundDims) {
    const size_t stride = kernels::padded_length(dim, 2);
    const auto q = gaussian(dim, rng);
    std::vector<float> query(stride, 0.0f);
    std::copy(q.begin(), q.end(), query.begin());
    for (Family family : {Family::gaussian, Family::outlier, Family::tiny}) {
      const size_t count = 2000;
      std::vector<std::vector<float>> values(count);
      std::vector<uint16_t> rows(count * stride, 0);
      for (size_t r = 0; r < count; ++r) {
        values[r] = random_row(family, dim, rng);
        REQUIRE(kernels::finite_as_half(values[r]));
        kernels::to_half(values[r], std::span(rows).subspan(r * stride, dim));
      }
      for_each_target([&] {
        INFO("dim " << dim << ", " << name_of(family) << " rows");
        std::vector<float> approximate(count);
        kernels::dot_rows_f16(rows.data(), stride, count, query.data(), approximate.data());
        Worst worst;
        for (size_t r = 0; r < count; ++r) {
          const double exact = kernels::dot(values[r], q);
          const double row_l2 = std::sqrt(kernels::squared_norm(values[r]));
          worst.add(std::abs(exact - approximate[r]),
                    kernels::f16_dot_error_bound(dim, row_l2, l1(q), l2(q)));
        }
        INFO("worst error / bound " << worst.ratio);
        CHECK(worst.ratio <= 1.0);
      });
    }
  }
}

TEST_CASE("the float16 error bound holds on rows built to reach it", "[quantized]") {
  // x_i = +-2^e_i (1 + 2^-11 - 2^-23) rounds down to +-2^e_i, an error of almost 2^-11 |x_i|,
  // with the sign of q_i = +-2^e_i: the errors add up to about 2^-11 |x| |q|, the dominant
  // term of the bound. Two families: normal halves, and subnormal ones, where each error is
  // just under 2^-25 (x_i = (2k + 1 - 2^-10) 2^-25 rounds to 2k 2^-25).
  std::mt19937 rng(29);
  std::uniform_int_distribution<int> exponent(-8, 8);
  std::uniform_int_distribution<int> level(0, 500);
  for (size_t dim : kBoundDims) {
    const size_t stride = kernels::padded_length(dim, 2);
    for (bool subnormal : {false, true}) {
      Worst worst;
      for (int trial = 0; trial < 200; ++trial) {
        std::vector<float> row(dim), query(stride, 0.0f);
        for (size_t i = 0; i < dim; ++i) {
          const float sign = rng() & 1u ? 1.0f : -1.0f;
          if (subnormal) {
            query[i] = sign;
            row[i] = sign * (2.0f * static_cast<float>(level(rng)) + 1.0f - 0x1p-10f) * 0x1p-25f;
          } else {
            const float power = std::ldexp(1.0f, exponent(rng));
            query[i] = sign * power;
            row[i] = sign * power * (1.0f + 0x1p-11f - 0x1p-23f);
          }
        }
        std::vector<uint16_t> half(stride, 0);
        kernels::to_half(row, std::span(half).first(dim));
        float approximate = 0;
        kernels::dot_rows_f16(half.data(), stride, 1, query.data(), &approximate);
        const auto q = std::span<const float>(query).first(dim);
        const double error = std::abs(kernels::dot(row, q) - double{approximate});
        worst.add(error, kernels::f16_dot_error_bound(dim, l2(row), l1(q), l2(q)));
      }
      INFO("dim " << dim << (subnormal ? ", subnormal" : ", normal") << ": worst error / bound "
                  << worst.ratio);
      CHECK(worst.ratio <= 1.0);
      if (dim >= 299) CHECK(worst.ratio > 0.5);  // and the bound is not loose
    }
  }
}

// ---- bfloat16 -------------------------------------------------------------------------------

TEST_CASE("to_bf16 is bit-identical to the scalar conversion on every target", "[quantized]") {
  std::vector<float> cases = conversion_cases();
  cases.push_back(from_bits(0xFFC00001u));  // a negative NaN: torch's rule makes it 0x7FC0
  cases.push_back(from_bits(0x7F7FFFFFu));
  std::vector<uint16_t> want(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) want[i] = kernels::scalar::float_to_bf16(cases[i]);
  for_each_target([&] {
    for (size_t offset : {0u, 1u, 3u}) {
      for (size_t cut : {0u, 1u, 7u, 15u}) {
        const size_t n = cases.size() - offset - cut;
        std::vector<uint16_t> got(n + 1, 0xABCD);
        kernels::to_bf16(std::span(cases).subspan(offset, n), std::span(got).first(n));
        size_t mismatches = 0;
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != want[offset + i] && ++mismatches <= 10) {
            FAIL_CHECK("x bits " << bits_of(cases[offset + i]) << ": got " << got[i] << ", want "
                                 << want[offset + i]);
          }
        }
        CHECK(mismatches == 0);
        CHECK(got[n] == 0xABCD);
      }
    }
  });
}

TEST_CASE("dot_rows_bf16 widens every bfloat16 exactly and agrees with the scalar reference",
          "[quantized]") {
  const size_t stride = kernels::padded_length(1, 2);
  std::vector<uint16_t> every(65536 * stride, 0);
  for (uint32_t b = 0; b <= 0xFFFF; ++b) every[b * stride] = static_cast<uint16_t>(b);
  std::vector<float> unit(stride, 0.0f);
  unit[0] = 1.0f;
  std::mt19937 rng(13);
  for_each_target([&] {
    std::vector<float> out(65536);
    kernels::dot_rows_bf16(every.data(), stride, 65536, unit.data(), out.data());
    size_t mismatches = 0;
    for (uint32_t b = 0; b <= 0xFFFF; ++b) {
      const float want = kernels::bf16_to_float(static_cast<uint16_t>(b));
      const bool same = std::isnan(want) ? std::isnan(out[b]) : out[b] == want;  // a sum of -0 is +0
      if (!same && ++mismatches <= 10) FAIL_CHECK("bf16 " << b << ": got " << out[b]);
    }
    CHECK(mismatches == 0);
  });
  for (size_t dim : {1u, 3u, 31u, 33u, 300u, 1024u}) {
    const size_t row_stride = kernels::padded_length(dim, 2);
    const size_t count = 11;
    std::vector<uint16_t> rows(count * row_stride, 0);
    for (size_t r = 0; r < count; ++r) {
      kernels::to_bf16(gaussian(dim, rng, r % 3 == 0 ? 100.0f : 1.0f), std::span(rows).subspan(r * row_stride, dim));
    }
    std::vector<float> query(row_stride, 0.0f);
    const auto q = gaussian(dim, rng);
    std::copy(q.begin(), q.end(), query.begin());
    for_each_target([&] {
      INFO("dim " << dim);
      std::vector<float> out(count + 1, -7.0f);
      kernels::dot_rows_bf16(rows.data(), row_stride, count, query.data(), out.data());
      for (size_t r = 0; r < count; ++r) {
        const uint16_t* row = rows.data() + r * row_stride;
        double magnitude = 0;
        for (size_t i = 0; i < row_stride; ++i) magnitude += std::abs(double{kernels::bf16_to_float(row[i])} * query[i]);
        CHECK(out[r] == Approx(kernels::scalar::dot_row_bf16(row, row_stride, query.data()))
                            .margin(1e-6 * magnitude + 1e-30));
      }
      CHECK(out[count] == -7.0f);
    });
  }
}

TEST_CASE("the bfloat16 error bound covers the float32 dot, and is reached", "[quantized]") {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> exponent(-8, 8);
  std::uniform_int_distribution<int> level(0, 500);
  for (size_t dim : kBoundDims) {
    const size_t stride = kernels::padded_length(dim, 2);
    // Random rows of each family.
    const auto q = gaussian(dim, rng);
    std::vector<float> query(stride, 0.0f);
    std::copy(q.begin(), q.end(), query.begin());
    for (Family family : {Family::gaussian, Family::outlier, Family::tiny}) {
      Worst worst;
      for (int r = 0; r < 500; ++r) {
        const auto values = random_row(family, dim, rng);
        std::vector<uint16_t> row(stride, 0);
        kernels::to_bf16(values, std::span(row).first(dim));
        float approximate = 0;
        kernels::dot_rows_bf16(row.data(), stride, 1, query.data(), &approximate);
        worst.add(std::abs(kernels::dot(values, q) - double{approximate}),
                  kernels::bf16_row_dot_error_bound(dim, l2(values), l1(q), l2(q)));
      }
      INFO("dim " << dim << ", " << name_of(family) << " rows: worst error / bound " << worst.ratio);
      CHECK(worst.ratio <= 1.0);
    }
    // Rows built to reach it: x_i = +-2^e (1 + 2^-8 - 2^-23) rounds down to +-2^e, with the
    // sign of q_i; and subnormals just under an odd number of half steps, 2^-134.
    for (bool subnormal : {false, true}) {
      Worst worst;
      for (int trial = 0; trial < 200; ++trial) {
        std::vector<float> row(dim), adversary(stride, 0.0f);
        for (size_t i = 0; i < dim; ++i) {
          const float sign = rng() & 1u ? 1.0f : -1.0f;
          if (subnormal) {
            adversary[i] = sign;
            row[i] = sign * (2.0f * static_cast<float>(level(rng)) + 1.0f - 0x1p-10f) * 0x1p-134f;
          } else {
            const float power = std::ldexp(1.0f, exponent(rng));
            adversary[i] = sign * power;
            row[i] = sign * power * (1.0f + 0x1p-8f - 0x1p-23f);
          }
        }
        std::vector<uint16_t> narrow(stride, 0);
        kernels::to_bf16(row, std::span(narrow).first(dim));
        float approximate = 0;
        kernels::dot_rows_bf16(narrow.data(), stride, 1, adversary.data(), &approximate);
        const auto a = std::span<const float>(adversary).first(dim);
        worst.add(std::abs(kernels::dot(row, a) - double{approximate}),
                  kernels::bf16_row_dot_error_bound(dim, l2(row), l1(a), l2(a)));
      }
      INFO("dim " << dim << (subnormal ? ", subnormal" : ", normal") << ": worst error / bound " << worst.ratio);
      CHECK(worst.ratio <= 1.0);
      if (dim >= 299 && !subnormal) CHECK(worst.ratio > 0.5);
    }
  }
}

TEST_CASE("whole rows of float16 and bfloat16 decode as each value alone does, every bit pattern",
          "[kernels][quantized]") {
  std::vector<uint16_t> all(65536 + 5);  // not a multiple of any vector width: the tail too
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  std::vector<float> half(all.size()), bf16(all.size());
  kernels::half_to_float(all, half);
  kernels::bf16_to_float(all, bf16);
  for (size_t i = 0; i < all.size(); ++i) {
    const float h = kernels::half_to_float(all[i]);
    const float b = kernels::bf16_to_float(all[i]);
    // NaNs are NaNs (F16C may quiet a signalling one); every other value is the same bits.
    if (std::isnan(h)) CHECK(std::isnan(half[i]));
    else CHECK(std::bit_cast<uint32_t>(half[i]) == std::bit_cast<uint32_t>(h));
    CHECK(std::bit_cast<uint32_t>(bf16[i]) == std::bit_cast<uint32_t>(b));
  }
}

TEST_CASE("quantize_row_i8's vector code gives the scalar reference's values", "[quantized]") {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (size_t n : {1u, 3u, 7u, 8u, 15u, 16u, 17u, 31u, 64u, 100u, 299u, 300u, 1000u}) {
    std::vector<float> row(n);
    for (float& x : row) x = normal(rng);
    // Exact half steps (ties round away from zero) and the largest value, both signs.
    row[0] = -row[0];
    if (n > 2) row[n / 2] = 0.5f * row[0];
    std::vector<int8_t> fast(n), reference(n);
    const float fast_scale = kernels::quantize_row_i8(row, fast);
    const float reference_scale = kernels::scalar::quantize_row_i8(row, reference);
    CHECK(fast_scale == reference_scale);
    CHECK(fast == reference);
  }
  // Values built to fall on half steps of scale 1: 127 levels of max 127.
  std::vector<float> ties;
  for (int i = -127; i <= 127; ++i) ties.push_back(static_cast<float>(i) + (i % 2 ? 0.5f : 0.0f));
  ties.push_back(127.0f);
  std::vector<int8_t> fast(ties.size()), reference(ties.size());
  CHECK(kernels::quantize_row_i8(ties, fast) == kernels::scalar::quantize_row_i8(ties, reference));
  CHECK(fast == reference);
  // A NaN or an infinity anywhere, also in the vector part: scale NaN, values 0.
  for (size_t at : {0u, 5u, 20u, 40u}) {
    std::vector<float> bad(41, 1.0f);
    bad[at] = at % 2 ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
    std::vector<int8_t> q(bad.size(), 9);
    CHECK(std::isnan(kernels::quantize_row_i8(bad, q)));
    CHECK(std::all_of(q.begin(), q.end(), [](int8_t v) { return v == 0; }));
  }
}
