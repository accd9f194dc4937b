// Many dot products at once: a block of rows against a block of queries as one matrix
// product (OpenBLAS sgemm, which picks its AVX-512/AVX2/... kernel at run time). Reaches
// the machine's arithmetic peak where a scan per query is held to its memory bandwidth.
// Its sums are ordered differently from kernels::dot, so callers treat the results as
// estimates within gemm_dot_error_bound() and re-score what matters with kernels::dot.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/quantized.hpp"  // scalar::float_to_bf16, the one bfloat16 rounding

namespace embtool::kernels {

// out[j * row_count + i] = dot(query j, row i of `rows`), i < row_count, j < query_count:
// each query's scores are contiguous. Row i starts at rows + i * row_stride; query j at
// queries + j * dim. Runs on the calling thread only (callers parallelize over row ranges).
void dot_block(const float* rows, size_t row_count, size_t row_stride, const float* queries,
               size_t query_count, size_t dim, float* out);

// |float32 kernels::dot(x, q) - dot_block's value| <= this * |x| * |q| (both are sums of
// `dim` products in float32, each within gamma_dim of the exact sum).
double gemm_dot_error_bound(size_t dim);

// ---- bfloat16 inputs, float32 sums (own kernel, AVX512_BF16) ------------------------------
// Debian's OpenBLAS is built without bfloat16, so this is ours: rows packed in panels of 16
// with their dimensions in pairs, so that one vdpbf16ps multiplies 16 rows by a pair of a
// query's values (broadcast) and accumulates 16 dot products, with no horizontal sums.
// Twice the multiply rate of float32 on CPUs that have AVX512_BF16; callers ask first
// (the answer is base/cpu_features.hpp's, probed once).
bool bf16_in_hardware();

inline constexpr size_t kBf16PanelRows = 16;
size_t bf16_pairs(size_t dim);  // (dim + 1) / 2
// uint16 elements that pack_rows_bf16 writes for `count` rows: whole panels of pairs.
size_t bf16_packed_rows_size(size_t count, size_t dim);

// rows[i][0, dim) rounded to bfloat16 (nearest even) into panels; missing rows are zero.
void pack_rows_bf16(const float* const* rows, size_t count, size_t dim, uint16_t* out);
// Each query's values rounded to bfloat16, as pairs (one uint32 each), bf16_pairs(dim) a query.
void pack_queries_bf16(const float* queries, size_t count, size_t dim, uint32_t* out);

// out[q * row_count + i] = dot(query q, row i) from the packed forms. Only where
// bf16_in_hardware(); the scalar version is the reference the tests compare with.
void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out);

// |float32 kernels::dot(x, q) - dot_block_bf16's value on the rounded x, q|
// <= this * |x| * |q| + bf16_dot_absolute_error(dim) * (|x| + |q|).
double bf16_dot_error_bound(size_t dim);
double bf16_dot_absolute_error(size_t dim);

namespace scalar {
void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out);
}  // namespace scalar

// ---- int8 inputs, exact int32 sums (own kernels, AVX512-VNNI or AVX-VNNI) ----------------
// Rows quantized with one scale each (quantize_row_i8), queries with one scale each, packed in
// panels of 16 rows with their dimensions in quads, so that one vpdpbusd multiplies 16 rows by
// four of a query's values (broadcast): twice the multiply rate of bfloat16 and a quarter of
// float32's bytes. The integer sums are exact, so the result differs from the float32 dot only
// by the quantization, which i8_dot_error_bound() (kernels/quantized.hpp) bounds.
enum class I8Hardware { none, avx_vnni, avx512_vnni };
I8Hardware i8_dot_hardware();  // the best this CPU has

inline constexpr size_t kI8PanelRows = 16;
// Rows longer than this could overflow an int32 sum (255 x 127 per product): callers use
// another arithmetic for them.
inline constexpr size_t kI8MaxDim = 65536;
size_t i8_quads(size_t dim);  // (dim + 3) / 4
// Bytes that pack_rows_i8 writes for `count` rows: whole panels of quads.
size_t i8_packed_rows_size(size_t count, size_t dim);

// rows[i][0, dim) quantized into panels (stored + 128); scales[i] = row i's scale.
void pack_rows_i8(const float* const* rows, size_t count, size_t dim, uint8_t* out, float* scales);
// Rows already quantized by quantize_row_i8 (a store's int8 copy: rows[i][0, dim) levels)
// into the same panels.
void pack_levels_i8(const int8_t* const* rows, size_t count, size_t dim, uint8_t* out);

// A query's scale and 128 x the sum of its levels (what the rows' bias added).
struct I8Query {
  float scale = 0;
  int32_t offset = 0;
};
// Each query quantized (quantize_row_i8) as quads (one int32 each, i8_quads(dim) a query).
void pack_queries_i8(const float* queries, size_t count, size_t dim, int32_t* out, I8Query* facts);

// out[q * row_count + i] = float(exact sum of row i's levels x query q's levels) x query q's
// scale, in float32; maxima[q] = the largest out[q * row_count + i] x row_factors[i] (the
// row's scale over its norm: the best estimated cosine, found while the sums are in registers).
// `hardware` picks the kernel, never past what the CPU has; the scalar one is the reference,
// equal to the last bit.
void dot_block_i8(I8Hardware hardware, const uint8_t* packed_rows, size_t row_count,
                  const int32_t* packed_queries, const I8Query* facts, size_t query_count, size_t dim,
                  const float* row_factors, float* out, float* maxima);

namespace scalar {
void dot_block_i8(const uint8_t* packed_rows, size_t row_count, const int32_t* packed_queries,
                  const I8Query* facts, size_t query_count, size_t dim, const float* row_factors,
                  float* out, float* maxima);
}  // namespace scalar

}  // namespace embtool::kernels
