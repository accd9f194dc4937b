#include "model/matrix.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "base/error.hpp"
#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"

namespace embtool {

std::string_view dtype_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::f32: return "f32";
    case Dtype::f16: return "f16";
    case Dtype::bf16: return "bf16";
    case Dtype::i8: return "i8";
  }
  return "unknown";
}

namespace {

// What an owned reduced matrix keeps alive: its row bytes and (int8) its scales.
struct OwnedRows {
  std::vector<std::byte> bytes;
  std::vector<float> scales;
};

}  // namespace

Matrix Matrix::from_f32(std::vector<float> values, size_t dim) {
  const size_t rows = dim == 0 ? 0 : values.size() / dim;
  if (rows * dim != values.size()) {
    throw Error(ErrorKind::internal, "internal error: matrix values are not whole rows");
  }
  auto owned = std::make_shared<std::vector<float>>(std::move(values));
  const auto* base = reinterpret_cast<const std::byte*>(owned->data());
  return view(Dtype::f32, rows, dim, base, dim, std::move(owned));
}

Matrix Matrix::encode(std::span<const float> values, size_t dim, Dtype dtype) {
  if (dtype == Dtype::f32) return from_f32(std::vector<float>(values.begin(), values.end()), dim);
  const size_t rows = dim == 0 ? 0 : values.size() / dim;
  if (rows * dim != values.size()) {
    throw Error(ErrorKind::internal, "internal error: matrix values are not whole rows");
  }
  const size_t element = dtype_bytes(dtype);
  const size_t stride = kernels::padded_length(dim, element);
  auto owned = std::make_shared<OwnedRows>();
  owned->bytes.assign(rows * stride * element, std::byte{0});
  if (dtype == Dtype::i8) owned->scales.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    const std::span<const float> in = values.subspan(r * dim, dim);
    std::byte* out = owned->bytes.data() + r * stride * element;
    switch (dtype) {
      case Dtype::f16: kernels::to_half(in, {reinterpret_cast<uint16_t*>(out), dim}); break;
      case Dtype::bf16: kernels::to_bf16(in, {reinterpret_cast<uint16_t*>(out), dim}); break;
      case Dtype::i8:
        owned->scales[r] = kernels::quantize_row_i8(in, {reinterpret_cast<int8_t*>(out), dim});
        break;
      case Dtype::f32: break;
    }
  }
  const std::byte* base = owned->bytes.data();
  const std::span<const float> scales = owned->scales;
  return view(dtype, rows, dim, base, stride, std::move(owned), scales);
}

Matrix Matrix::view(Dtype dtype, size_t rows, size_t dim, const std::byte* base, size_t stride,
                    std::shared_ptr<const void> owner, std::span<const float> scales) {
  if (stride < dim || (dtype == Dtype::i8 && scales.size() < rows)) {
    throw Error(ErrorKind::internal, "internal error: matrix view with a short stride or scales");
  }
  Matrix m;
  m.dtype_ = dtype;
  m.rows_ = rows;
  m.dim_ = dim;
  m.stride_ = stride;
  m.base_ = base;
  m.scales_ = dtype == Dtype::i8 ? scales.first(rows) : std::span<const float>{};
  m.owner_ = std::move(owner);
  return m;
}

Matrix Matrix::view_at_offsets(size_t dim, const std::byte* base, std::span<const uint64_t> offsets,
                               std::shared_ptr<const void> owner) {
  Matrix m;
  m.rows_ = offsets.size();
  m.dim_ = dim;
  m.base_ = base;
  m.offsets_ = offsets;
  m.owner_ = std::move(owner);
  return m;
}

uint64_t Matrix::bytes() const {
  const size_t per_row = offsets_.empty() ? stride_ : dim_;
  return uint64_t{rows_} * per_row * dtype_bytes(dtype_);
}

void Matrix::decode_row(size_t r, std::span<float> out) const {
  const size_t n = std::min(out.size(), dim_);
  switch (dtype_) {
    case Dtype::f32: std::memcpy(out.data(), row_bytes(r), n * sizeof(float)); break;
    // Vectorized: every norm of a float16 / bfloat16 model is computed from these.
    case Dtype::f16: kernels::half_to_float({u16_row(r), n}, out.first(n)); break;
    case Dtype::bf16: kernels::bf16_to_float({u16_row(r), n}, out.first(n)); break;
    case Dtype::i8: {
      const int8_t* row = i8_row(r);
      const float scale = scales_[r];
      for (size_t i = 0; i < n; ++i) out[i] = scale * static_cast<float>(row[i]);
      break;
    }
  }
}

std::vector<float> Matrix::row_values(size_t r) const {
  std::vector<float> values(dim_);
  decode_row(r, values);
  return values;
}

void Matrix::decode_rows(size_t begin, size_t end, float* out) const {
  for (size_t r = begin; r < end; ++r) decode_row(r, {out + (r - begin) * dim_, dim_});
}

float Matrix::norm(size_t r, std::span<float> scratch) const {
  if (dtype_ == Dtype::f32) {
    return std::sqrt(kernels::squared_norm({f32_row(r), dim_}));
  }
  decode_row(r, scratch);
  return std::sqrt(kernels::squared_norm(scratch.first(dim_)));
}

Matrix Matrix::first_rows(size_t count) const {
  Matrix m = *this;
  m.rows_ = std::min(count, rows_);
  if (!offsets_.empty()) m.offsets_ = offsets_.first(m.rows_);
  if (!scales_.empty()) m.scales_ = scales_.first(m.rows_);
  return m;
}

}  // namespace embtool
