// How far a float32 dot product can be from the exact one: the bound every "estimate, then
// re-rank exactly" search rests on. A scan that estimates cosines (float16 or int8 copies, a
// batch's matrix product) may skip a row only if its estimate plus the error bound cannot
// reach the k-th exact score; this is the float32 part of those bounds, in one place.
#pragma once

#include <cstddef>
#include <limits>

namespace embtool::kernels {

// float32's unit roundoff u = 2^-24: a correctly rounded result is within u of the exact one,
// relatively.
inline constexpr double kFloat32UnitRoundoff = 0x1p-24;

// gamma_n = n u / (1 - n u). Any float32 sum of n products x_i q_i, in any order, with or
// without fused multiply-adds, is within gamma_n * sum |x_i q_i| <= gamma_n |x| |q| of the
// exact dot (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 3.1); underflow
// aside, which callers bound separately. Infinite from n u >= 1/2 on, where no useful bound is
// left (dimensions in the millions).
inline double float32_dot_rounding_bound(size_t n) {
  const double nu = static_cast<double>(n) * kFloat32UnitRoundoff;
  return nu < 0.5 ? nu / (1.0 - nu) : std::numeric_limits<double>::infinity();
}

}  // namespace embtool::kernels
