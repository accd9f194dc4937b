#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "kernels/quantized.hpp"
#include "model/matrix.hpp"

using namespace embtool;

namespace {

std::vector<float> gaussian(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  return values;
}

uint32_t bits(float x) { return std::bit_cast<uint32_t>(x); }
float from_bits(uint32_t b) { return std::bit_cast<float>(b); }

// torch's c10::BFloat16 round_to_nearest_even, with the expected bits worked out by hand.
struct Bf16Case {
  uint32_t in;
  uint16_t out;
  const char* what;
};
constexpr Bf16Case kBf16Cases[] = {
    {0x3F800000u, 0x3F80, "1.0"},
    {0x80000000u, 0x8000, "-0.0"},
    {0x3F808000u, 0x3F80, "tie, kept part even: down"},
    {0x3F818000u, 0x3F82, "tie, kept part odd: up"},
    {0x3F808001u, 0x3F81, "just above a tie: up"},
    {0x3F807FFFu, 0x3F80, "just below a tie: down"},
    {0xBF818000u, 0xBF82, "negative tie, odd: away from zero"},
    {0x7F800000u, 0x7F80, "+inf"},
    {0xFF800000u, 0xFF80, "-inf"},
    {0x7FC00000u, 0x7FC0, "quiet NaN"},
    {0x7F800001u, 0x7FC0, "signalling NaN"},
    {0xFFC00001u, 0x7FC0, "negative NaN with a payload: torch's one NaN"},
    {0x7F7FFFFFu, 0x7F80, "float max rounds past the largest bfloat16: inf"},
    {0x7F7F8000u, 0x7F80, "the tie above the largest bfloat16 goes to even: inf"},
    {0x7F7F7FFFu, 0x7F7F, "just below that tie: the largest bfloat16"},
    {0xFF7FFFFFu, 0xFF80, "-float max: -inf"},
    {0x00000001u, 0x0000, "smallest subnormal: zero"},
    {0x80000001u, 0x8000, "-smallest subnormal: -0"},
    {0x00008000u, 0x0000, "subnormal tie, even: down"},
    {0x00018000u, 0x0002, "subnormal tie, odd: up"},
    {0x00008001u, 0x0001, "subnormal above a tie: the smallest bfloat16 subnormal"},
    {0x007FFFFFu, 0x0080, "largest subnormal rounds up to the smallest normal"},
    {0x00800000u, 0x0080, "smallest normal"},
};

}  // namespace

TEST_CASE("bfloat16 rounding is torch's round to nearest even, scalar and SIMD alike", "[matrix]") {
  for (const Bf16Case& c : kBf16Cases) {
    INFO(c.what);
    CHECK(kernels::scalar::float_to_bf16(from_bits(c.in)) == c.out);
  }
  // Every case in every lane position of a long row, so the SIMD loop sees each of them.
  std::vector<float> row;
  for (int copy = 0; copy < 7; ++copy) {
    for (const Bf16Case& c : kBf16Cases) row.push_back(from_bits(c.in));
  }
  std::vector<uint16_t> out(row.size());
  kernels::to_bf16(row, out);
  for (size_t i = 0; i < row.size(); ++i) {
    INFO(kBf16Cases[i % std::size(kBf16Cases)].what << " at " << i);
    CHECK(out[i] == kBf16Cases[i % std::size(kBf16Cases)].out);
  }
}

TEST_CASE("bfloat16 decodes to the float with the same top bits", "[matrix]") {
  CHECK(bits(kernels::bf16_to_float(0x3F80)) == 0x3F800000u);
  CHECK(bits(kernels::bf16_to_float(0x0001)) == 0x00010000u);  // subnormal, exact
  CHECK(std::isinf(kernels::bf16_to_float(0xFF80)));
  CHECK(std::isnan(kernels::bf16_to_float(0x7FC0)));
  CHECK(kernels::finite_as_bf16(std::vector<float>{from_bits(0x7F7F7FFFu), -1e38f}));
  CHECK_FALSE(kernels::finite_as_bf16(std::vector<float>{from_bits(0x7F7F8000u)}));
  CHECK_FALSE(kernels::finite_as_bf16(std::vector<float>{std::numeric_limits<float>::quiet_NaN()}));
}

TEST_CASE("a matrix decodes each dtype's rows to float32", "[matrix]") {
  const size_t rows = 9, dim = 37;  // 37: rows are padded for the reduced dtypes
  const std::vector<float> values = gaussian(rows * dim, 5);
  for (Dtype dtype : {Dtype::f32, Dtype::f16, Dtype::bf16, Dtype::i8}) {
    INFO(dtype_name(dtype));
    const Matrix m = Matrix::encode(values, dim, dtype);
    REQUIRE(m.dtype() == dtype);
    REQUIRE(m.rows() == rows);
    REQUIRE(m.dim() == dim);
    CHECK(m.stride() == (dtype == Dtype::f32 ? dim : kernels::padded_length(dim, dtype_bytes(dtype))));
    std::vector<float> all(rows * dim);
    m.decode_rows(0, rows, all.data());
    for (size_t r = 0; r < rows; ++r) {
      const std::vector<float> row = m.row_values(r);
      CHECK(std::memcmp(row.data(), all.data() + r * dim, dim * sizeof(float)) == 0);
      for (size_t i = 0; i < dim; ++i) {
        const float x = values[r * dim + i];
        switch (dtype) {
          case Dtype::f32: CHECK(bits(row[i]) == bits(x)); break;
          case Dtype::f16: CHECK(bits(row[i]) == bits(kernels::half_to_float(kernels::scalar::float_to_half(x)))); break;
          case Dtype::bf16: CHECK(bits(row[i]) == bits(kernels::bf16_to_float(kernels::scalar::float_to_bf16(x)))); break;
          case Dtype::i8: CHECK(std::abs(row[i] - x) <= m.scales()[r] * 0.5f * (1 + 1e-6f)); break;
        }
      }
      if (dtype != Dtype::f32) {  // the padding the kernels sum over is zero
        const auto* bytes = m.row_bytes(r);
        for (size_t b = dim * dtype_bytes(dtype); b < m.stride_bytes(); ++b) CHECK(bytes[b] == std::byte{0});
      }
      // The norm is of the decoded values, in float32.
      double sum = 0;
      for (float v : row) sum += double{v} * v;
      std::vector<float> scratch(dim);
      CHECK(m.norm(r, scratch) == Approx(std::sqrt(sum)).epsilon(1e-6));
    }
    CHECK(m.bytes() == rows * m.stride() * dtype_bytes(dtype));
  }
}

TEST_CASE("a matrix views memory at a stride or at offsets, and keeps its owner alive", "[matrix]") {
  const size_t dim = 5;
  auto memory = std::make_shared<std::vector<std::byte>>(64 * 4);
  std::weak_ptr<std::vector<std::byte>> watch = memory;
  const std::vector<float> a = {1, 2, 3, 4, 5}, b = {-1, 0, 0, 0, 2};
  std::memcpy(memory->data() + 3, a.data(), dim * 4);   // unaligned, as in a word2vec file
  std::memcpy(memory->data() + 41, b.data(), dim * 4);
  static const std::vector<uint64_t> offsets = {41, 3};
  Matrix m = Matrix::view_at_offsets(dim, memory->data(), offsets, memory);
  memory.reset();
  REQUIRE_FALSE(watch.expired());
  CHECK(m.stride() == 0);
  CHECK(m.row_values(0) == b);
  CHECK(m.row_values(1) == a);
  const Matrix first = m.first_rows(1);
  CHECK(first.rows() == 1);
  CHECK(first.row_values(0) == b);
  std::vector<float> scratch;
  CHECK(m.norm(1, scratch) == Approx(std::sqrt(55.0)));
  m = Matrix();
  const Matrix copy = first;  // views share the owner
  CHECK_FALSE(watch.expired());
}

TEST_CASE("a matrix refuses a view whose stride or scales do not fit", "[matrix]") {
  std::vector<int8_t> rows(64 * 2);
  const std::vector<float> scales = {1.0f};
  CHECK_THROWS(Matrix::view(Dtype::i8, 2, 64, reinterpret_cast<const std::byte*>(rows.data()), 64,
                            nullptr, scales));
  CHECK_THROWS(Matrix::view(Dtype::f16, 2, 64, reinterpret_cast<const std::byte*>(rows.data()), 32,
                            nullptr));
}
