// The int8 block product (see gemm.hpp): packing, the kernels compiled for AVX512-VNNI and
// for AVX-VNNI only (chosen at run time from base/cpu_features.hpp, never by -march), and the
// scalar reference. vpdpbusd multiplies unsigned bytes by signed bytes, four pairs a 32-bit
// lane: rows are stored biased by 128 (unsigned), queries signed, and each query's sum times
// 128 is taken off once at the end, so every integer sum is exact.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "base/cpu_features.hpp"
#include "kernels/gemm.hpp"
#include "kernels/quantized.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBTOOL_HAVE_VNNI_KERNELS 1
#endif

namespace embtool::kernels {
namespace {

constexpr size_t kPanel = kI8PanelRows;
constexpr size_t kQuadBytes = 4;
constexpr int kBias = 128;

size_t panels_of(size_t rows) { return (rows + kPanel - 1) / kPanel; }

// Where quad `kq` of panel `p` starts: 16 rows x 4 bytes, one 64-byte line.
size_t panel_offset(size_t p, size_t kq, size_t quads) { return (p * quads + kq) * kPanel * kQuadBytes; }

// The exact sum with the query's scale applied in float32, as the kernels apply it.
float scaled(int32_t sum, const I8Query& query) {
  return static_cast<float>(sum - query.offset) * query.scale;
}

}  // namespace

I8Hardware i8_dot_hardware() {
#if EMBTOOL_HAVE_VNNI_KERNELS
  const CpuFeatures& cpu = cpu_features();
  if (cpu.avx512vnni) return I8Hardware::avx512_vnni;
  if (cpu.avx_vnni) return I8Hardware::avx_vnni;
#endif
  return I8Hardware::none;
}

size_t i8_quads(size_t dim) { return (dim + kQuadBytes - 1) / kQuadBytes; }

size_t i8_packed_rows_size(size_t count, size_t dim) {
  return panels_of(count) * i8_quads(dim) * kPanel * kQuadBytes;
}

namespace {

// One row's levels (dim of them) written biased to their places in the panel: a transpose of
// 16 rows x quads. The padding past dim keeps the memset's biased zeros.
void place_levels(const int8_t* levels, size_t i, size_t dim, size_t quads, uint8_t* out) {
  uint8_t* lane = out + panel_offset(i / kPanel, 0, quads) + (i % kPanel) * kQuadBytes;
  for (size_t kq = 0; kq < quads; ++kq) {
    uint8_t quad[kQuadBytes] = {kBias, kBias, kBias, kBias};
    for (size_t b = 0; b < kQuadBytes && kq * kQuadBytes + b < dim; ++b) {
      quad[b] = static_cast<uint8_t>(levels[kq * kQuadBytes + b] + kBias);
    }
    std::memcpy(lane + kq * kPanel * kQuadBytes, quad, kQuadBytes);
  }
}

}  // namespace

// Each row quantized whole (quantize_row_i8: the rounding its error bound describes), then
// placed in its panel.
void pack_rows_i8(const float* const* rows, size_t count, size_t dim, uint8_t* out, float* scales) {
  const size_t quads = i8_quads(dim);
  std::memset(out, kBias, i8_packed_rows_size(count, dim));  // zeros, biased
  std::vector<float> values(dim);
  std::vector<int8_t> levels(dim);
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(values.data(), rows[i], dim * sizeof(float));  // rows may be unaligned
    scales[i] = quantize_row_i8(values, levels);
    place_levels(levels.data(), i, dim, quads, out);
  }
}

void pack_levels_i8(const int8_t* const* rows, size_t count, size_t dim, uint8_t* out) {
  const size_t quads = i8_quads(dim);
  std::memset(out, kBias, i8_packed_rows_size(count, dim));
  for (size_t i = 0; i < count; ++i) place_levels(rows[i], i, dim, quads, out);
}

void pack_queries_i8(const float* queries, size_t count, size_t dim, int32_t* out, I8Query* facts) {
  const size_t quads = i8_quads(dim);
  std::vector<int8_t> levels(quads * kQuadBytes);
  for (size_t q = 0; q < count; ++q) {
    std::fill(levels.begin(), levels.end(), int8_t{0});
    const float scale = quantize_row_i8(std::span(queries + q * dim, dim), levels);
    int32_t sum = 0;
    for (int8_t v : levels) sum += v;
    facts[q] = {.scale = scale, .offset = kBias * sum};
    std::memcpy(out + q * quads, levels.data(), quads * kQuadBytes);
  }
}

namespace scalar {

void dot_block_i8(const uint8_t* packed_rows, size_t row_count, const int32_t* packed_queries,
                  const I8Query* facts, size_t query_count, size_t dim, const float* row_factors,
                  float* out, float* maxima) {
  const size_t quads = i8_quads(dim);
  for (size_t q = 0; q < query_count; ++q) {
    maxima[q] = -std::numeric_limits<float>::infinity();
    const auto* query = reinterpret_cast<const int8_t*>(packed_queries + q * quads);
    for (size_t i = 0; i < row_count; ++i) {
      int32_t sum = 0;
      for (size_t kq = 0; kq < quads; ++kq) {
        const uint8_t* quad = packed_rows + panel_offset(i / kPanel, kq, quads) + (i % kPanel) * kQuadBytes;
        for (size_t b = 0; b < kQuadBytes; ++b) sum += int32_t{quad[b]} * query[kq * kQuadBytes + b];
      }
      out[q * row_count + i] = scaled(sum, facts[q]);
      maxima[q] = std::max(maxima[q], out[q * row_count + i] * row_factors[i]);
    }
  }
}

}  // namespace scalar

#if EMBTOOL_HAVE_VNNI_KERNELS
namespace {

// Both kernels' drivers: `pass(N, q)` multiplies queries [q, q + N) with the block, N a
// compile-time constant: whole passes of `kPass` queries, then the rest one at a time.
template <int kPass, class Pass>
void in_query_passes(size_t query_count, const Pass& pass) {
  size_t q = 0;
  for (; q + kPass <= query_count; q += kPass) pass(std::integral_constant<int, kPass>{}, q);
  for (; q < query_count; ++q) pass(std::integral_constant<int, 1>{}, q);
}

__mmask16 valid_rows_mask(size_t first_row_past, size_t row_count) {
  const size_t valid = first_row_past <= row_count ? kPanel : row_count % kPanel;
  return static_cast<__mmask16>((1u << valid) - 1);
}

// acc += the four-byte dot products of lanes of unsigned `rows` and signed `value`. GCC 12
// copies and spills the accumulators around _mm512_dpbusd_epi32 (0.8x the bfloat16 kernel's
// rate); written as the instruction, with the loops unrolled whole, each stays in its
// register (2.3x).
__attribute__((target("avx512f,avx512vnni"), always_inline)) inline void accumulate(__m512i& acc, __m512i rows,
                                                                               __m512i value) {
  asm("vpdpbusd %[value], %[rows], %[acc]" : [acc] "+v"(acc) : [rows] "v"(rows), [value] "v"(value));
}

// P panels (16 P rows) times Q queries, all quads: 16 P x Q sums in P * Q registers.
template <int P, int Q>
__attribute__((target("avx512f,avx512vnni"), noinline)) void panel_block_512(
    const uint8_t* panels, size_t quads, const int32_t* queries, const I8Query* facts,
    const float* factors, float* out, size_t out_stride, __mmask16 last_mask, __m512* maxima) {
  __m512i acc[P][Q];
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) acc[p][q] = _mm512_setzero_si512();
  }
  for (size_t kq = 0; kq < quads; ++kq) {
    __m512i rows[P];
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) rows[p] = _mm512_loadu_si512(panels + (p * quads + kq) * kPanel * kQuadBytes);
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      const __m512i value = _mm512_set1_epi32(queries[q * quads + kq]);
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) accumulate(acc[p][q], rows[p], value);
    }
  }
  __m512 row_factors[P];
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) {
    const __mmask16 mask = p == P - 1 ? last_mask : static_cast<__mmask16>(0xFFFF);
    row_factors[p] = _mm512_maskz_loadu_ps(mask, factors + p * kPanel);  // 0 past the rows
  }
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    const __m512i offset = _mm512_set1_epi32(facts[q].offset);
    const __m512 scale = _mm512_set1_ps(facts[q].scale);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) {
      const __mmask16 mask = p == P - 1 ? last_mask : static_cast<__mmask16>(0xFFFF);
      // maskz: GCC 12 warns wrongly on the plain form's undefined source register.
      const __m512 sums = _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_sub_epi32(acc[p][q], offset));
      const __m512 values = _mm512_mul_ps(sums, scale);
      _mm512_mask_storeu_ps(out + q * out_stride + p * kPanel, mask, values);
      maxima[q] = _mm512_mask_max_ps(maxima[q], mask, maxima[q], _mm512_mul_ps(values, row_factors[p]));
    }
  }
}

template <int Q>
__attribute__((target("avx512f,avx512vnni"))) void queries_block_512(
    const uint8_t* packed_rows, size_t row_count, const int32_t* queries, const I8Query* facts, size_t quads,
    const float* factors, float* out, float* maxima) {
  const size_t panels = panels_of(row_count);
  const size_t panel_bytes = quads * kPanel * kQuadBytes;
  __m512 lanes[Q];
  for (int q = 0; q < Q; ++q) lanes[q] = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  size_t p = 0;
  for (; p + 2 <= panels; p += 2) {
    panel_block_512<2, Q>(packed_rows + p * panel_bytes, quads, queries, facts, factors + p * kPanel,
                          out + p * kPanel, row_count, valid_rows_mask((p + 2) * kPanel, row_count), lanes);
  }
  if (p < panels) {
    panel_block_512<1, Q>(packed_rows + p * panel_bytes, quads, queries, facts, factors + p * kPanel,
                          out + p * kPanel, row_count, valid_rows_mask((p + 1) * kPanel, row_count), lanes);
  }
  // Stored and reduced by hand: GCC 12 warns wrongly inside _mm512_reduce_max_ps.
  for (int q = 0; q < Q; ++q) {
    float values[kPanel];
    _mm512_storeu_ps(values, lanes[q]);
    maxima[q] = *std::max_element(values, values + kPanel);
  }
}

void dot_block_avx512_vnni(const uint8_t* packed_rows, size_t row_count, const int32_t* packed_queries,
                           const I8Query* facts, size_t query_count, size_t dim, const float* factors,
                           float* out, float* maxima) {
  const size_t quads = i8_quads(dim);
  // 2 panels x 12 queries = 24 accumulators of 32 registers.
  in_query_passes<12>(query_count, [&](auto queries, size_t q) {
    queries_block_512<decltype(queries)::value>(packed_rows, row_count, packed_queries + q * quads, facts + q,
                                                quads, factors, out + q * row_count, maxima + q);
  });
}

// As the 512-bit accumulate; {vex} asks for the AVX-VNNI encoding, which reaches only the
// registers 0-15 ("x").
__attribute__((target("avx2,avxvnni"), always_inline)) inline void accumulate(__m256i& acc, __m256i rows,
                                                                          __m256i value) {
  asm("%{vex%} vpdpbusd %[value], %[rows], %[acc]" : [acc] "+x"(acc) : [rows] "x"(rows), [value] "x"(value));
}

// The same product with 256-bit registers (AVX-VNNI, 16 of them): a panel is two halves of
// 8 rows, Q queries a pass.
template <int Q>
__attribute__((target("avx2,avxvnni"))) void panel_block_256(const uint8_t* panel, size_t quads,
                                                             const int32_t* queries, const I8Query* facts,
                                                             const float* factors, float* out,
                                                             size_t out_stride, size_t valid_rows,
                                                             float* maxima) {
  __m256i acc[2][Q];
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) acc[h][q] = _mm256_setzero_si256();
  }
  for (size_t kq = 0; kq < quads; ++kq) {
    const uint8_t* line = panel + kq * kPanel * kQuadBytes;
    const __m256i rows[2] = {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(line)),
                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(line + 32))};
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      const __m256i value = _mm256_set1_epi32(queries[q * quads + kq]);
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) accumulate(acc[h][q], rows[h], value);
    }
  }
  float row_factors[kPanel] = {};
  std::memcpy(row_factors, factors, valid_rows * sizeof(float));
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    const __m256i offset = _mm256_set1_epi32(facts[q].offset);
    const __m256 scale = _mm256_set1_ps(facts[q].scale);
    float sums[kPanel];
    for (int h = 0; h < 2; ++h) {
      const __m256 values = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[h][q], offset));
      _mm256_storeu_ps(sums + 8 * h, _mm256_mul_ps(values, scale));
    }
    std::memcpy(out + q * out_stride, sums, valid_rows * sizeof(float));
    for (size_t i = 0; i < valid_rows; ++i) maxima[q] = std::max(maxima[q], sums[i] * row_factors[i]);
  }
}

template <int Q>
void queries_block_256(const uint8_t* packed_rows, size_t row_count, const int32_t* queries,
                       const I8Query* facts, size_t quads, const float* factors, float* out, float* maxima) {
  const size_t panel_bytes = quads * kPanel * kQuadBytes;
  for (int q = 0; q < Q; ++q) maxima[q] = -std::numeric_limits<float>::infinity();
  for (size_t p = 0; p < panels_of(row_count); ++p) {
    const size_t valid = std::min(kPanel, row_count - p * kPanel);
    panel_block_256<Q>(packed_rows + p * panel_bytes, quads, queries, facts, factors + p * kPanel,
                       out + p * kPanel, row_count, valid, maxima);
  }
}

void dot_block_avx_vnni(const uint8_t* packed_rows, size_t row_count, const int32_t* packed_queries,
                        const I8Query* facts, size_t query_count, size_t dim, const float* factors,
                        float* out, float* maxima) {
  const size_t quads = i8_quads(dim);
  // 2 halves x 6 queries = 12 accumulators, 2 rows, 1 value.
  in_query_passes<6>(query_count, [&](auto queries, size_t q) {
    queries_block_256<decltype(queries)::value>(packed_rows, row_count, packed_queries + q * quads, facts + q,
                                                quads, factors, out + q * row_count, maxima + q);
  });
}

}  // namespace
#endif

void dot_block_i8(I8Hardware hardware, const uint8_t* packed_rows, size_t row_count,
                  const int32_t* packed_queries, const I8Query* facts, size_t query_count, size_t dim,
                  const float* row_factors, float* out, float* maxima) {
#if EMBTOOL_HAVE_VNNI_KERNELS
  // Never more than the CPU has, whatever the caller asks (tests ask for each in turn).
  const CpuFeatures& cpu = cpu_features();
  if (hardware == I8Hardware::avx512_vnni && cpu.avx512vnni) {
    dot_block_avx512_vnni(packed_rows, row_count, packed_queries, facts, query_count, dim, row_factors, out, maxima);
    return;
  }
  if (hardware != I8Hardware::none && cpu.avx_vnni) {
    dot_block_avx_vnni(packed_rows, row_count, packed_queries, facts, query_count, dim, row_factors, out, maxima);
    return;
  }
#endif
  scalar::dot_block_i8(packed_rows, row_count, packed_queries, facts, query_count, dim, row_factors, out, maxima);
}

}  // namespace embtool::kernels
