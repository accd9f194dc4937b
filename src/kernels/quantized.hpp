// Reduced-precision rows (float16, bfloat16, int8 with a scale per row) and the SIMD scans
// over them. Where a model also has float32 rows they only pick candidates: search re-ranks
// those with exact float32, and uses the error bounds below to prove that no row it skipped
// could have made the top k. Where float16 / bfloat16 rows are all a model has, their scans
// (float32 sums of the decoded values) are its answers.
//
// Layout contract (the .emb store keeps it): every quantized row is `stride` elements long,
// `stride` a multiple of 64 bytes' worth of elements, and the elements past `dim` are zero.
// Queries are padded the same way, so the scans never handle a tail.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace embtool::kernels {

// Row length in elements of `element_bytes` each, rounded up to a whole 64-byte line.
size_t padded_length(size_t dim, size_t element_bytes);

// ---- float16 (IEEE 754 binary16, round to nearest even) -------------------------------------

// Converts `in` to half floats in `out` (same size). Values beyond the half range become
// +-inf; callers check finite_as_half() first.
void to_half(std::span<const float> in, std::span<uint16_t> out);
bool finite_as_half(std::span<const float> values);  // every |x| <= 65504
float half_to_float(uint16_t h);
// A whole row of half floats decoded (out.size() == in.size()), exactly, as the scans decode them.
void half_to_float(std::span<const uint16_t> in, std::span<float> out);

// out[r] = sum over i < stride of half(rows[r * stride + i]) * query[i], r < count.
void dot_rows_f16(const uint16_t* rows, size_t stride, size_t count, const float* query, float* out);

// ---- bfloat16 (the top half of a float32, round to nearest even) ---------------------------
// The rounding is torch's (c10::BFloat16): bits + 0x7FFF + the kept part's lowest bit, then
// the top 16 bits; every NaN becomes 0x7FC0; values past the largest bfloat16 become +-inf.

void to_bf16(std::span<const float> in, std::span<uint16_t> out);
float bf16_to_float(uint16_t b);
// A whole row decoded (out.size() == in.size()): each value's bits become a float's top half.
void bf16_to_float(std::span<const uint16_t> in, std::span<float> out);
bool finite_as_bf16(std::span<const float> values);  // every value rounds to a finite bfloat16

// out[r] = sum over i < stride of bf16(rows[r * stride + i]) * query[i], r < count.
void dot_rows_bf16(const uint16_t* rows, size_t stride, size_t count, const float* query,
                   float* out);

// ---- int8 with a per-row scale ----------------------------------------------------------------

// row ~= scale * q with q in [-127, 127], scale = max|x| / 127 (0 for a zero row). Writes
// row.size() values; returns the scale.
float quantize_row_i8(std::span<const float> row, std::span<int8_t> out);

// The query as int16 with one scale, small enough that no int32 sum of `stride` products
// with int8 values can overflow. out.size() is the padded stride; returns the scale.
float quantize_query_i16(std::span<const float> query, std::span<int16_t> out);

// out[r] = exact integer sum over i < stride of rows[r * stride + i] * query[i].
void dot_rows_i8(const int8_t* rows, size_t stride, size_t count, const int16_t* query, int32_t* out);

// ---- error bounds -------------------------------------------------------------------------------
// |float32 dot(x, q) - approximate dot| <= the bound, where the float32 dot is the one
// kernels::dot computes (its own rounding included). `query_l1` = sum |q_i|,
// `query_l2` = |q|, `row_l2` = |x|.
double f16_dot_error_bound(size_t dim, double row_l2, double query_l1, double query_l2);
double bf16_row_dot_error_bound(size_t dim, double row_l2, double query_l1, double query_l2);
double i8_dot_error_bound(size_t dim, double row_scale, double query_scale, double row_l2,
                          double query_l1, double query_l2);
// The same for a query quantized with one scale too (int8, as the batch product does), when
// `query_residual_l2` >= |q - scale * levels|_2 is known: never above i8_dot_error_bound with
// that scale, usually ~30% below on the query's share.
double i8_dot_error_bound_with_residual(size_t dim, double row_scale, double query_residual_l2,
                                        double row_l2, double query_l1, double query_l2);

namespace scalar {
uint16_t float_to_half(float x);
float dot_row_f16(const uint16_t* row, size_t stride, const float* query);
// Inline: the batch's packing runs it on every value of every block.
inline uint16_t float_to_bf16(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const auto rounded = static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
  return x != x ? uint16_t{0x7FC0} : rounded;  // NaN: torch's one quiet NaN
}
float dot_row_bf16(const uint16_t* row, size_t stride, const float* query);
int32_t dot_row_i8(const int8_t* row, size_t stride, const int16_t* query);
float quantize_row_i8(std::span<const float> row, std::span<int8_t> out);  // the reference
}  // namespace scalar

}  // namespace embtool::kernels
