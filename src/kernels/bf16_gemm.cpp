// The bfloat16 block product (see gemm.hpp): packing, an AVX512_BF16 kernel compiled for that
// instruction set only (chosen at run time from base/cpu_features.hpp, never by -march), and
// the scalar reference.
#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "base/cpu_features.hpp"
#include "kernels/gemm.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBTOOL_HAVE_BF16_KERNEL 1
#endif

namespace embtool::kernels {
namespace {

constexpr size_t kPanel = kBf16PanelRows;

size_t panels_of(size_t rows) { return (rows + kPanel - 1) / kPanel; }

// Where pair `kp` of panel `p` starts: 16 rows x 2 values.
size_t panel_offset(size_t p, size_t kp, size_t pairs) { return (p * pairs + kp) * kPanel * 2; }

}  // namespace

bool bf16_in_hardware() {
#if EMBTOOL_HAVE_BF16_KERNEL
  return cpu_features().avx512bf16;
#else
  return false;
#endif
}

size_t bf16_pairs(size_t dim) { return (dim + 1) / 2; }

size_t bf16_packed_rows_size(size_t count, size_t dim) {
  return panels_of(count) * bf16_pairs(dim) * kPanel * 2;
}

namespace scalar {

// Round to nearest, ties to even, on the bits (inputs are finite: NaN/Inf never reach batches).
uint16_t float_to_bf16(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

float bf16_to_float(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out) {
  const size_t pairs = bf16_pairs(dim);
  for (size_t q = 0; q < query_count; ++q) {
    const uint32_t* query = packed_queries + q * pairs;
    for (size_t i = 0; i < row_count; ++i) {
      float sum = 0;
      for (size_t kp = 0; kp < pairs; ++kp) {
        const uint16_t* pair = packed_rows + panel_offset(i / kPanel, kp, pairs) + (i % kPanel) * 2;
        sum += bf16_to_float(pair[0]) * bf16_to_float(static_cast<uint16_t>(query[kp]));
        sum += bf16_to_float(pair[1]) * bf16_to_float(static_cast<uint16_t>(query[kp] >> 16));
      }
      out[q * row_count + i] = sum;
    }
  }
}

}  // namespace scalar

// Each row converted whole (a loop the compiler vectorizes), then its pairs (one uint32 each)
// written to their places in the panel: a transpose of 16 rows x pairs.
void pack_rows_bf16(const float* const* rows, size_t count, size_t dim, uint16_t* out) {
  const size_t pairs = bf16_pairs(dim);
  std::memset(out, 0, bf16_packed_rows_size(count, dim) * sizeof(uint16_t));
  std::vector<float> values(2 * pairs, 0.0f);
  std::vector<uint16_t> halves(2 * pairs);
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(values.data(), rows[i], dim * sizeof(float));  // rows may be unaligned
    for (size_t k = 0; k < 2 * pairs; ++k) halves[k] = scalar::float_to_bf16(values[k]);
    uint16_t* lane = out + panel_offset(i / kPanel, 0, pairs) + (i % kPanel) * 2;
    for (size_t kp = 0; kp < pairs; ++kp) {
      std::memcpy(lane + kp * kPanel * 2, halves.data() + 2 * kp, 2 * sizeof(uint16_t));
    }
  }
}

void pack_queries_bf16(const float* queries, size_t count, size_t dim, uint32_t* out) {
  const size_t pairs = bf16_pairs(dim);
  for (size_t q = 0; q < count; ++q) {
    for (size_t kp = 0; kp < pairs; ++kp) {
      const float low = queries[q * dim + 2 * kp];
      const float high = 2 * kp + 1 < dim ? queries[q * dim + 2 * kp + 1] : 0.0f;
      out[q * pairs + kp] = scalar::float_to_bf16(low) |
                            (static_cast<uint32_t>(scalar::float_to_bf16(high)) << 16);
    }
  }
}

#if EMBTOOL_HAVE_BF16_KERNEL
namespace {

// P panels (16 P rows) times Q queries, all pairs: 16 P x Q dot products in P * Q registers.
template <int P, int Q>
__attribute__((target("avx512f,avx512bf16"))) void panel_block(const uint16_t* panels, size_t pairs,
                                                               const uint32_t* queries, float* out,
                                                               size_t out_stride, __mmask16 last_mask) {
  __m512 acc[P][Q];
  for (int p = 0; p < P; ++p) {
    for (int q = 0; q < Q; ++q) acc[p][q] = _mm512_setzero_ps();
  }
  for (size_t kp = 0; kp < pairs; ++kp) {
    __m512bh rows[P];
    for (int p = 0; p < P; ++p) {
      rows[p] = (__m512bh)_mm512_loadu_si512(panels + (p * pairs + kp) * kPanel * 2);
    }
    for (int q = 0; q < Q; ++q) {
      const __m512bh value = (__m512bh)_mm512_set1_epi32(static_cast<int>(queries[q * pairs + kp]));
      for (int p = 0; p < P; ++p) acc[p][q] = _mm512_dpbf16_ps(acc[p][q], rows[p], value);
    }
  }
  for (int q = 0; q < Q; ++q) {
    for (int p = 0; p < P; ++p) {
      const __mmask16 mask = p == P - 1 ? last_mask : static_cast<__mmask16>(0xFFFF);
      _mm512_mask_storeu_ps(out + q * out_stride + p * kPanel, mask, acc[p][q]);
    }
  }
}

template <int Q>
void queries_block(const uint16_t* packed_rows, size_t row_count, const uint32_t* queries,
                   size_t pairs, float* out) {
  const size_t panels = panels_of(row_count);
  auto mask_for = [&](size_t first_row_past) {
    const size_t valid = first_row_past <= row_count ? kPanel : row_count % kPanel;
    return static_cast<__mmask16>((1u << valid) - 1);
  };
  size_t p = 0;
  for (; p + 2 <= panels; p += 2) {
    panel_block<2, Q>(packed_rows + p * pairs * kPanel * 2, pairs, queries, out + p * kPanel,
                      row_count, mask_for((p + 2) * kPanel));
  }
  if (p < panels) {
    panel_block<1, Q>(packed_rows + p * pairs * kPanel * 2, pairs, queries, out + p * kPanel,
                      row_count, mask_for((p + 1) * kPanel));
  }
}

void dot_block_avx512_bf16(const uint16_t* packed_rows, size_t row_count,
                           const uint32_t* packed_queries, size_t query_count, size_t dim,
                           float* out) {
  const size_t pairs = bf16_pairs(dim);
  constexpr size_t kQueries = 12;  // 2 panels x 12 queries = 24 accumulators of 32 registers
  size_t q = 0;
  for (; q + kQueries <= query_count; q += kQueries) {
    queries_block<kQueries>(packed_rows, row_count, packed_queries + q * pairs, pairs, out + q * row_count);
  }
  for (; q < query_count; ++q) {
    queries_block<1>(packed_rows, row_count, packed_queries + q * pairs, pairs, out + q * row_count);
  }
}

}  // namespace

void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out) {
  if (bf16_in_hardware()) {
    dot_block_avx512_bf16(packed_rows, row_count, packed_queries, query_count, dim, out);
  } else {
    scalar::dot_block_bf16(packed_rows, row_count, packed_queries, query_count, dim, out);
  }
}
#else
void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out) {
  scalar::dot_block_bf16(packed_rows, row_count, packed_queries, query_count, dim, out);
}
#endif

}  // namespace embtool::kernels
