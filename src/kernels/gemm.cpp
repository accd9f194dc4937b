#include "kernels/gemm.hpp"

#include <cblas.h>

#include <limits>
#include <mutex>

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

double gemm_dot_error_bound(size_t dim) {
  // Each float32 sum of n products is within gamma_n * sum |x_i q_i| <= gamma_n |x||q| of the
  // exact dot (Higham, Accuracy and Stability, 3.1), whatever the order; the two differ by
  // at most twice that. Fused multiply-adds only make the error smaller.
  const double unit = std::numeric_limits<float>::epsilon() / 2;
  const double n_unit = static_cast<double>(dim + 1) * unit;
  return 2 * n_unit / (1 - n_unit);
}

}  // namespace embtool::kernels
