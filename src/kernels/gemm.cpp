#include "kernels/gemm.hpp"

#include <cblas.h>

#include <cmath>
#include <mutex>

#include "kernels/rounding_bound.hpp"

namespace embtool::kernels {
namespace {

// Our search threads each multiply their own row range; OpenBLAS threads of its own on top
// would only compete with them for the same cores.
void use_one_blas_thread() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace

void dot_block(const float* rows, size_t row_count, size_t row_stride, const float* queries,
               size_t query_count, size_t dim, float* out) {
  use_one_blas_thread();
  // out (queries x rows) = queries (queries x dim) * rows^T (dim x rows).
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(query_count),
              static_cast<blasint>(row_count), static_cast<blasint>(dim), 1.0f, queries,
              static_cast<blasint>(dim), rows, static_cast<blasint>(row_stride), 0.0f, out,
              static_cast<blasint>(row_count));
}

// Each value rounded to bfloat16 is within 2^-7 of it relatively (2^-8 when rounded to
// nearest; truncation is allowed for), or flushed to zero if below 2^-126. A product of two
// rounded values is then within (2 * 2^-7 + 2^-14) |x_i q_i| + 2^-126 (|x_i| + |q_i| + 2^-126)
// of the exact one; summed, with sum |x_i q_i| <= |x||q| and sum |x_i| <= sqrt(dim) |x|. The
// float32 sums of both paths add gamma_dim each (the bf16 one on products up to 1 + 2^-6
// larger).
double bf16_dot_error_bound(size_t dim) {
  const double rounding = 2 * 0x1p-7 + 0x1p-14;
  return rounding + (2 + 0x1p-6) * gemm_dot_error_bound(dim) / 2;
}

double bf16_dot_absolute_error(size_t dim) {
  return 0x1p-126 * std::sqrt(static_cast<double>(dim)) + static_cast<double>(dim) * 0x1p-252 +
         static_cast<double>(dim) * 0x1p-126;  // the last: sums flushed to zero on the way
}

double gemm_dot_error_bound(size_t dim) {
  // kernels::dot and sgemm each sum in their own order, each within the float32 rounding
  // bound of the exact dot; the two differ by at most twice that (counted over one term more
  // than there are products, a margin).
  return 2 * float32_dot_rounding_bound(dim + 1);
}

}  // namespace embtool::kernels
