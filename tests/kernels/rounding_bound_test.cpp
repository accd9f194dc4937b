#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/gemm.hpp"
#include "kernels/rounding_bound.hpp"
#include "kernels/simd.hpp"

using namespace embtool;

namespace {

struct Case {
  std::string name;
  std::vector<float> x, q;
};

// Exact enough: each product of two floats is exact in long double (48 of 64 bits), and the
// sum's own rounding, at most n 2^-64 of the magnitude, is counted separately below.
long double reference_dot(const std::vector<float>& x, const std::vector<float>& q) {
  long double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += static_cast<long double>(x[i]) * q[i];
  return sum;
}

long double magnitude(const std::vector<float>& x, const std::vector<float>& q) {
  long double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += std::fabs(static_cast<long double>(x[i]) * q[i]);
  return sum;
}

// The plainest float32 sum, left to right: its error grows the fastest of all orders.
float sequential_dot(const std::vector<float>& x, const std::vector<float>& q) {
  float sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float product = x[i] * q[i];
    sum += product;
  }
  return sum;
}

float blas_dot(const std::vector<float>& x, const std::vector<float>& q) {
  float out = 0;
  kernels::dot_block(x.data(), 1, x.size(), q.data(), 1, x.size(), &out);
  return out;
}

std::vector<Case> adversarial_cases() {
  std::vector<Case> cases;
  std::mt19937 rng(1234);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  for (size_t n : {1u, 2u, 17u, 300u, 1000u, 4096u, 100000u}) {
    Case gaussian{"gaussian " + std::to_string(n), std::vector<float>(n), std::vector<float>(n)};
    for (size_t i = 0; i < n; ++i) {
      gaussian.x[i] = gauss(rng);
      gaussian.q[i] = gauss(rng);
    }
    cases.push_back(gaussian);

    // One large term, then terms just under half an ulp of the running sum: a left-to-right
    // sum drops every one of them, an error near the whole bound.
    Case absorbed{"absorbed " + std::to_string(n), std::vector<float>(n, 0x1.fffffep-25f),
                  std::vector<float>(n, 1.0f)};
    absorbed.x[0] = 1.0f;
    cases.push_back(absorbed);

    // Every product a tie (1 + 2^-23 squared is 1 + 2^-22 + 2^-46), all the same sign.
    cases.push_back({"ties " + std::to_string(n), std::vector<float>(n, 1.0f + 0x1p-23f),
                     std::vector<float>(n, 1.0f + 0x1p-23f)});

    // Large terms that cancel, with small ones in between: the exact sum is tiny next to the
    // terms, so every rounding of the large ones shows.
    Case cancelling{"cancelling " + std::to_string(n), std::vector<float>(n), std::vector<float>(n)};
    for (size_t i = 0; i < n; ++i) {
      const float big = (i % 2 == 0 ? 1.0f : -1.0f) * (1e4f + static_cast<float>(i % 7));
      cancelling.x[i] = i % 3 == 2 ? 1e-3f * gauss(rng) : big;
      cancelling.q[i] = 1.0f + 0x1p-20f * static_cast<float>(i % 5);
    }
    cases.push_back(cancelling);

    // Magnitudes spread over many binades, sorted largest last: each addition loses the most.
    Case spread{"spread " + std::to_string(n), std::vector<float>(n), std::vector<float>(n)};
    for (size_t i = 0; i < n; ++i) {
      spread.x[i] = std::ldexp(1.0f + 0x1p-23f * static_cast<float>(i % 1000), static_cast<int>(i % 40) - 20);
      spread.q[i] = 1.0f - 0x1p-24f * static_cast<float>(i % 3);
    }
    cases.push_back(spread);
  }
  return cases;
}

}  // namespace

TEST_CASE("the float32 dot rounding bound is gamma_n", "[kernels]") {
  CHECK(kernels::float32_dot_rounding_bound(0) == 0.0);
  CHECK(kernels::float32_dot_rounding_bound(1) == Approx(0x1p-24).epsilon(1e-6));
  CHECK(kernels::float32_dot_rounding_bound(300) == Approx(300 * 0x1p-24 / (1 - 300 * 0x1p-24)).epsilon(1e-12));
  CHECK(std::isinf(kernels::float32_dot_rounding_bound(size_t{1} << 23)));
  // The batch's bound is the distance between two sums, each within gamma of the exact one.
  CHECK(kernels::gemm_dot_error_bound(300) == 2 * kernels::float32_dot_rounding_bound(301));
}

TEST_CASE("the float32 dot rounding bound holds against a long double reference", "[kernels]") {
  INFO("SIMD target: " << kernels::simd_target_name());
  for (const Case& c : adversarial_cases()) {
    INFO(c.name);
    const size_t n = c.x.size();
    const long double exact = reference_dot(c.x, c.q);
    const long double sum_abs = magnitude(c.x, c.q);
    const long double reference_slack = static_cast<long double>(n) * 0x1p-63L * sum_abs;
    const long double allowed =
        static_cast<long double>(kernels::float32_dot_rounding_bound(n)) * sum_abs + reference_slack;
    const float simd = kernels::dot(c.x, c.q);
    const float sequential = sequential_dot(c.x, c.q);
    const float blas = blas_dot(c.x, c.q);
    CHECK(std::fabs(static_cast<long double>(simd) - exact) <= allowed);
    CHECK(std::fabs(static_cast<long double>(sequential) - exact) <= allowed);
    CHECK(std::fabs(static_cast<long double>(blas) - exact) <= allowed);
  }
}

TEST_CASE("the float32 dot rounding bound is nearly reached, so it is not loose", "[kernels]") {
  // Left to right, the absorbed case loses n - 1 terms of almost u each.
  for (size_t n : {300u, 4096u}) {
    std::vector<float> x(n, 0x1.fffffep-25f), q(n, 1.0f);
    x[0] = 1.0f;
    const long double error = std::fabs(static_cast<long double>(sequential_dot(x, q)) - reference_dot(x, q));
    const long double bound = static_cast<long double>(kernels::float32_dot_rounding_bound(n)) * magnitude(x, q);
    INFO("n " << n << ": error " << static_cast<double>(error) << ", bound " << static_cast<double>(bound));
    CHECK(error > 0.45L * bound);
  }
}
