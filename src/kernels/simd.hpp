// SIMD kernels, compiled for every instruction set Highway knows and chosen at run time
// (AVX-512, AVX2, SSE4, NEON, ...), so that one portable binary runs at each CPU's speed.
// Each agrees with kernels/scalar.hpp to float32 rounding; tests compare them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace embtool::kernels {

float dot(std::span<const float> a, std::span<const float> b);

// The dot kernel of this CPU's instruction set as a plain function pointer (the target
// chosen once, on the first call): for loops that call it millions of times on short rows,
// where a dispatch per call shows (the HNSW index's distance).
using DotFunction = float (*)(const float* a, const float* b, size_t n);
DotFunction dot_function();
float squared_norm(std::span<const float> v);
void scale(std::span<float> v, float factor);

// out[i] = dot(rows[i][0, dim), query) for i < count. Rows may be unaligned.
void dot_rows(const float* const* rows, size_t count, size_t dim, const float* query, float* out);

// max over i < n of a[i] * b[i] (NaN products never win; -inf for n = 0): batches run it
// over every score of every query.
float max_product(const float* a, const float* b, size_t n);

// The instruction set the kernels dispatch to on this CPU, e.g. "AVX3" or "AVX2": the one
// name for the choice that every Highway kernel (here and in kernels/quantized.cpp) follows.
const char* simd_target_name();

}  // namespace embtool::kernels
