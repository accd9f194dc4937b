// Many dot products at once: a block of rows against a block of queries as one matrix
// product (OpenBLAS sgemm, which picks its AVX-512/AVX2/... kernel at run time). Reaches
// the machine's arithmetic peak where a scan per query is held to its memory bandwidth.
// Its sums are ordered differently from kernels::dot, so callers treat the results as
// estimates within gemm_dot_error_bound() and re-score what matters with kernels::dot.
#pragma once

#include <cstddef>
#include <cstdint>

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
uint16_t float_to_bf16(float x);
void dot_block_bf16(const uint16_t* packed_rows, size_t row_count, const uint32_t* packed_queries,
                    size_t query_count, size_t dim, float* out);
}  // namespace scalar

}  // namespace embtool::kernels
