// Many dot products at once: a block of rows against a block of queries as one matrix
// product (OpenBLAS sgemm, which picks its AVX-512/AVX2/... kernel at run time). Reaches
// the machine's arithmetic peak where a scan per query is held to its memory bandwidth.
// Its sums are ordered differently from kernels::dot, so callers treat the results as
// estimates within gemm_dot_error_bound() and re-score what matters with kernels::dot.
#pragma once

#include <cstddef>

namespace embtool::kernels {

// out[j * row_count + i] = dot(query j, row i of `rows`), i < row_count, j < query_count:
// each query's scores are contiguous. Row i starts at rows + i * row_stride; query j at
// queries + j * dim. Runs on the calling thread only (callers parallelize over row ranges).
void dot_block(const float* rows, size_t row_count, size_t row_stride, const float* queries,
               size_t query_count, size_t dim, float* out);

// |float32 kernels::dot(x, q) - dot_block's value| <= this * |x| * |q| (both are sums of
// `dim` products in float32, each within gamma_dim of the exact sum).
double gemm_dot_error_bound(size_t dim);

}  // namespace embtool::kernels
