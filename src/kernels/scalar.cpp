#include "kernels/scalar.hpp"

#include <cmath>
#include <cstddef>

namespace embtool::kernels::scalar {

// Accumulating in double makes the result the float32 rounding of the exact value, which
// is as close to gensim's BLAS float32 result as any summation order can promise.
float dot(std::span<const float> a, std::span<const float> b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += double{a[i]} * double{b[i]};
  return static_cast<float>(sum);
}

float norm(std::span<const float> v) {
  double sum = 0.0;
  for (float x : v) sum += double{x} * double{x};
  return static_cast<float>(std::sqrt(sum));
}

float euclidean(std::span<const float> a, std::span<const float> b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = double{a[i]} - double{b[i]};
    sum += d * d;
  }
  return static_cast<float>(std::sqrt(sum));
}

}  // namespace embtool::kernels::scalar
