// Matrix: rows x dim values stored in one dtype (float32, float16, bfloat16, or int8 with a
// scale per row), at a fixed stride or at a byte offset each, owned or viewing memory that a
// shared owner keeps alive (a mapped file). Quantization is a storage choice: every dtype
// decodes a row to float32 the same way, and search picks its kernel by dtype(), not by type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace embtool {

enum class Dtype : uint8_t { f32, f16, bf16, i8 };

std::string_view dtype_name(Dtype dtype);
constexpr size_t dtype_bytes(Dtype dtype) {
  return dtype == Dtype::f32 ? 4 : dtype == Dtype::i8 ? 1 : 2;
}

class Matrix {
 public:
  Matrix() = default;

  // Owned float32 rows, `dim` values apart: the matrix the readers build.
  static Matrix from_f32(std::vector<float> values, size_t dim);

  // `values` (rows x dim) stored as `dtype`: float16 and bfloat16 rounded to nearest even,
  // int8 with a scale per row (kernels/quantized.hpp). Reduced dtypes get rows padded with
  // zeros to whole 64-byte lines, the layout their kernels scan.
  static Matrix encode(std::span<const float> values, size_t dim, Dtype dtype);

  // Rows `stride` elements apart from `base`, in memory kept alive by `owner`. For reduced
  // dtypes the elements in [dim, stride) must be zero (the kernels sum whole strides); int8
  // rows need one scale each.
  static Matrix view(Dtype dtype, size_t rows, size_t dim, const std::byte* base, size_t stride,
                     std::shared_ptr<const void> owner, std::span<const float> scales = {});

  // Float32 rows at a byte offset each from `base` (rows read in place from a word2vec binary,
  // where words of every length sit between them, so possibly unaligned).
  static Matrix view_at_offsets(size_t dim, const std::byte* base, std::span<const uint64_t> offsets,
                                std::shared_ptr<const void> owner);

  Dtype dtype() const { return dtype_; }
  size_t rows() const { return rows_; }
  size_t dim() const { return dim_; }
  // Elements from one row to the next, or 0 when rows sit at irregular offsets.
  size_t stride() const { return offsets_.empty() ? stride_ : 0; }
  size_t stride_bytes() const { return stride() * dtype_bytes(dtype_); }
  // Bytes the rows take (padding included).
  uint64_t bytes() const;

  // Row r's first byte; possibly unaligned for float32 rows at offsets: read through the
  // kernels or copy, never dereference as float.
  const std::byte* row_bytes(size_t r) const {
    return base_ + (offsets_.empty() ? r * stride_ * dtype_bytes(dtype_) : offsets_[r]);
  }
  const float* f32_row(size_t r) const { return reinterpret_cast<const float*>(row_bytes(r)); }
  const uint16_t* u16_row(size_t r) const { return reinterpret_cast<const uint16_t*>(row_bytes(r)); }
  const int8_t* i8_row(size_t r) const { return reinterpret_cast<const int8_t*>(row_bytes(r)); }
  std::span<const float> scales() const { return scales_; }

  // Row r as float32 (out.size() == dim): exact for f32, f16 and bf16; scale * q for int8.
  void decode_row(size_t r, std::span<float> out) const;
  std::vector<float> row_values(size_t r) const;
  // Rows [begin, end) decoded, `dim` floats apart, into `out`.
  void decode_rows(size_t begin, size_t end, float* out) const;

  // The L2 norm of row r's decoded values, computed in float32 by kernels::squared_norm;
  // `scratch` (dim floats) holds the decoded row for the reduced dtypes.
  float norm(size_t r, std::span<float> scratch) const;

  // The first `count` rows, sharing this matrix's memory.
  Matrix first_rows(size_t count) const;

 private:
  Dtype dtype_ = Dtype::f32;
  size_t rows_ = 0;
  size_t dim_ = 0;
  size_t stride_ = 0;                  // elements, when `offsets_` is empty
  const std::byte* base_ = nullptr;
  std::span<const uint64_t> offsets_;  // byte offset of each row from `base_`, else empty
  std::span<const float> scales_;      // int8 only
  std::shared_ptr<const void> owner_;  // keeps `base_`, `offsets_` and `scales_` alive
};

}  // namespace embtool
