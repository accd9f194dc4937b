#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/gemm.hpp"
#include "kernels/scalar.hpp"
#include "kernels/simd.hpp"

using namespace embtool;

namespace {

// `n` Gaussian floats starting `offset` floats into a fresh buffer, so that the data is
// deliberately misaligned for every vector width.
std::vector<float> buffer_of(size_t n, size_t offset, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> data(n + offset);
  for (float& x : data) x = gauss(rng);
  return data;
}

// Float32 sums in another order differ from the exact value by a few ulps of the terms.
double tolerance(std::span<const float> a, std::span<const float> b) {
  double magnitude = 0;
  for (size_t i = 0; i < a.size(); ++i) magnitude += std::abs(double{a[i]} * b[i]);
  return 1e-6 * magnitude + 1e-30;
}

}  // namespace

TEST_CASE("SIMD kernels agree with the scalar reference on odd lengths and unaligned data", "[kernels]") {
  INFO("SIMD target: " << kernels::simd_target_name());
  for (size_t n : {1u, 3u, 7u, 8u, 15u, 16u, 17u, 299u, 300u, 301u, 1024u}) {
    for (size_t offset : {0u, 1u, 3u}) {
      INFO("n = " << n << ", offset = " << offset);
      const auto a_buffer = buffer_of(n, offset, static_cast<uint32_t>(n * 7 + offset));
      const auto b_buffer = buffer_of(n, offset + 1, static_cast<uint32_t>(n * 11 + offset));
      const std::span<const float> a(a_buffer.data() + offset, n);
      const std::span<const float> b(b_buffer.data() + offset + 1, n);
      CHECK(kernels::dot(a, b) == Approx(kernels::scalar::dot(a, b)).margin(tolerance(a, b)));
      const float norm = kernels::scalar::norm(a);
      CHECK(kernels::squared_norm(a) == Approx(double{norm} * norm).epsilon(1e-6));

      std::vector<float> scaled(a.begin(), a.end());
      kernels::scale(std::span(scaled.data(), n), 0.5f);
      for (size_t i = 0; i < n; ++i) CHECK(scaled[i] == a[i] * 0.5f);  // exact: one rounding
    }
  }
}

TEST_CASE("dot_rows scores every row of a matrix against a query", "[kernels]") {
  for (size_t dim : {1u, 5u, 300u, 301u}) {
    const size_t rows = 37;
    const auto matrix = buffer_of(rows * dim, 0, static_cast<uint32_t>(dim));
    const auto query = buffer_of(dim, 0, static_cast<uint32_t>(dim + 1));
    std::vector<float> out(rows + 1, -7.0f);  // one extra: nothing may be written past `rows`
    std::vector<const float*> pointers;
    for (size_t r = 0; r < rows; ++r) pointers.push_back(matrix.data() + r * dim);
    kernels::dot_rows(pointers.data(), rows, dim, query.data(), out.data());
    for (size_t r = 0; r < rows; ++r) {
      const std::span<const float> row(matrix.data() + r * dim, dim);
      CHECK(out[r] == Approx(kernels::scalar::dot(row, query)).margin(tolerance(row, query)));
    }
    CHECK(out[rows] == -7.0f);
  }
}

TEST_CASE("dot_rows reads rows that are not even 4-byte aligned", "[kernels]") {
  // Rows read in place from a word2vec binary start right after a word of any length.
  const size_t dim = 301;
  const auto query = buffer_of(dim, 0, 5);
  for (size_t shift : {1u, 2u, 3u}) {
    const auto row = buffer_of(dim, 0, static_cast<uint32_t>(shift));
    std::vector<std::byte> bytes(dim * sizeof(float) + shift);
    std::memcpy(bytes.data() + shift, row.data(), dim * sizeof(float));
    const float* pointer = reinterpret_cast<const float*>(bytes.data() + shift);
    float out = 0;
    kernels::dot_rows(&pointer, 1, dim, query.data(), &out);
    CHECK(out == kernels::dot(row, query));  // same kernel, same bits wherever the row sits
  }
}

TEST_CASE("the SIMD target is named", "[kernels]") {
  const std::string name = kernels::simd_target_name();
  CHECK_FALSE(name.empty());
  CHECK(name != "Unknown");
}

// Rows (unaligned, one float past a buffer's start) and queries for the block-product tests.
struct BlockInputs {
  BlockInputs(size_t dim, size_t rows, size_t queries)
      : matrix(buffer_of(rows * dim + 1, 1, static_cast<uint32_t>(dim + rows))),
        query_values(buffer_of(queries * dim, 0, static_cast<uint32_t>(queries))) {
    for (size_t r = 0; r < rows; ++r) pointers.push_back(matrix.data() + 1 + r * dim);
  }
  std::vector<float> matrix;
  std::vector<float> query_values;
  std::vector<const float*> pointers;
};

TEST_CASE("the bfloat16 block product agrees with its reference and stays within its bound", "[kernels]") {
  INFO("AVX512_BF16 in hardware: " << kernels::bf16_in_hardware());
  for (size_t dim : {1u, 3u, 300u, 301u}) {
    for (size_t rows : {1u, 15u, 16u, 17u, 45u}) {
      for (size_t queries : {1u, 5u, 13u, 25u}) {
        INFO("dim " << dim << ", rows " << rows << ", queries " << queries);
        const BlockInputs inputs(dim, rows, queries);
        const auto& query_values = inputs.query_values;
        const auto& pointers = inputs.pointers;
        std::vector<uint16_t> packed_rows(kernels::bf16_packed_rows_size(rows, dim));
        std::vector<uint32_t> packed_queries(queries * kernels::bf16_pairs(dim));
        kernels::pack_rows_bf16(pointers.data(), rows, dim, packed_rows.data());
        kernels::pack_queries_bf16(query_values.data(), queries, dim, packed_queries.data());
        std::vector<float> fast(rows * queries + 1, -7.0f), reference(rows * queries);
        kernels::dot_block_bf16(packed_rows.data(), rows, packed_queries.data(), queries, dim, fast.data());
        kernels::scalar::dot_block_bf16(packed_rows.data(), rows, packed_queries.data(), queries, dim,
                                        reference.data());
        CHECK(fast[rows * queries] == -7.0f);  // nothing written past the block
        for (size_t q = 0; q < queries; ++q) {
          const std::span<const float> query(query_values.data() + q * dim, dim);
          for (size_t r = 0; r < rows; ++r) {
            const std::span<const float> row(pointers[r], dim);
            const float exact = kernels::dot(row, query);
            const double bound =
                kernels::bf16_dot_error_bound(dim) * kernels::scalar::norm(row) * kernels::scalar::norm(query) +
                kernels::bf16_dot_absolute_error(dim) * (kernels::scalar::norm(row) + kernels::scalar::norm(query));
            CHECK(std::abs(double{fast[q * rows + r]} - exact) <= bound);
            CHECK(fast[q * rows + r] == Approx(reference[q * rows + r]).margin(tolerance(row, query) * 4));
          }
        }
      }
    }
  }
}

TEST_CASE("float to bfloat16 rounds to nearest, ties to even", "[kernels]") {
  CHECK(kernels::scalar::float_to_bf16(1.0f) == 0x3F80);
  CHECK(kernels::scalar::float_to_bf16(std::bit_cast<float>(0x3F808000u)) == 0x3F80);  // tie: even
  CHECK(kernels::scalar::float_to_bf16(std::bit_cast<float>(0x3F818000u)) == 0x3F82);  // tie: even
  CHECK(kernels::scalar::float_to_bf16(std::bit_cast<float>(0x3F808001u)) == 0x3F81);
  CHECK(kernels::scalar::float_to_bf16(-2.0f) == 0xC000);
}

TEST_CASE("the int8 block product equals its reference on every kernel and stays within its bound", "[kernels]") {
  INFO("best int8 kernel here: " << static_cast<int>(kernels::i8_dot_hardware()));
  for (size_t dim : {1u, 3u, 4u, 300u, 301u}) {
    for (size_t rows : {1u, 15u, 16u, 17u, 45u}) {
      for (size_t queries : {1u, 5u, 13u, 25u}) {
        INFO("dim " << dim << ", rows " << rows << ", queries " << queries);
        const BlockInputs inputs(dim, rows, queries);
        const auto& query_values = inputs.query_values;
        const auto& pointers = inputs.pointers;
        std::vector<uint8_t> packed_rows(kernels::i8_packed_rows_size(rows, dim));
        std::vector<float> row_scales(rows);
        std::vector<int32_t> packed_queries(queries * kernels::i8_quads(dim));
        std::vector<kernels::I8Query> facts(queries);
        kernels::pack_rows_i8(pointers.data(), rows, dim, packed_rows.data(), row_scales.data());
        kernels::pack_queries_i8(query_values.data(), queries, dim, packed_queries.data(), facts.data());
        // Factors as the batch passes them (row scale / norm), one zero row.
        std::vector<float> factors(rows);
        for (size_t r = 0; r < rows; ++r) factors[r] = row_scales[r] / kernels::scalar::norm(std::span(pointers[r], dim));
        if (rows > 2) factors[rows / 2] = 0.0f;
        std::vector<float> reference(rows * queries), reference_maxima(queries);
        kernels::scalar::dot_block_i8(packed_rows.data(), rows, packed_queries.data(), facts.data(), queries,
                                      dim, factors.data(), reference.data(), reference_maxima.data());
        for (size_t q = 0; q < queries; ++q) {
          float best = -std::numeric_limits<float>::infinity();
          for (size_t r = 0; r < rows; ++r) best = std::max(best, reference[q * rows + r] * factors[r]);
          CHECK(reference_maxima[q] == best);
        }
        for (auto hardware : {kernels::I8Hardware::none, kernels::I8Hardware::avx_vnni,
                              kernels::I8Hardware::avx512_vnni}) {
          std::vector<float> fast(rows * queries + 1, -7.0f), maxima(queries);
          kernels::dot_block_i8(hardware, packed_rows.data(), rows, packed_queries.data(), facts.data(),
                                queries, dim, factors.data(), fast.data(), maxima.data());
          CHECK(fast[rows * queries] == -7.0f);  // nothing written past the block
          fast.pop_back();
          CHECK(fast == reference);  // exact integer sums, the same float steps: the same bits
          CHECK(maxima == reference_maxima);
        }
        for (size_t q = 0; q < queries; ++q) {
          const std::span<const float> query(query_values.data() + q * dim, dim);
          double l1 = 0;
          for (float v : query) l1 += std::abs(double{v});
          for (size_t r = 0; r < rows; ++r) {
            const std::span<const float> row(pointers[r], dim);
            const double bound = kernels::i8_dot_error_bound(dim, row_scales[r], facts[q].scale,
                                                             kernels::scalar::norm(row), l1,
                                                             kernels::scalar::norm(query));
            if (factors[r] == 0.0f) continue;
            const double estimate = double{reference[q * rows + r]} * row_scales[r];
            CHECK(std::abs(estimate - kernels::dot(row, query)) <= bound * (1 + 1e-5) + 1e-30);
            // The tighter form with the query's own residual holds too, and is never wider.
            const auto* levels = reinterpret_cast<const int8_t*>(packed_queries.data() + q * kernels::i8_quads(dim));
            double residual = 0;
            for (size_t j = 0; j < dim; ++j) {
              const double e = double{query[j]} - double{facts[q].scale} * levels[j];
              residual += e * e;
            }
            const double tight = kernels::i8_dot_error_bound_with_residual(
                dim, row_scales[r], std::sqrt(residual) * (1 + 0x1p-30), kernels::scalar::norm(row), l1,
                kernels::scalar::norm(query));
            CHECK(tight <= bound);
            CHECK(std::abs(estimate - kernels::dot(row, query)) <= tight * (1 + 1e-5) + 1e-30);
          }
        }
      }
    }
  }
}
