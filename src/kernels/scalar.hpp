// Scalar reference kernels: simple, exact to float32 rounding of a double accumulation.
// Faster kernels must agree with these (tests compare them).
#pragma once

#include <span>

namespace embtool::kernels::scalar {

float dot(std::span<const float> a, std::span<const float> b);
float norm(std::span<const float> v);
// Euclidean distance |a - b|.
float euclidean(std::span<const float> a, std::span<const float> b);

}  // namespace embtool::kernels::scalar
