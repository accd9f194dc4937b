// The float32 rows a streaming reader builds, one row at a time: memory in huge pages that is
// neither cleared before it is written nor copied when it grows (room for the rows the file
// can hold is reserved at once, as address space only), so that a multi-gigabyte gzip file
// is written to memory once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/huge_pages.hpp"
#include "model/matrix.hpp"

namespace embtool::formats {

class RowBuffer {
 public:
  // Room for `rows` rows of `dim` values; more rows grow it as a vector grows.
  RowBuffer(size_t dim, uint64_t rows) : dim_(dim), values_(std::make_shared<BigVector<float>>()) {
    values_->reserve(rows * dim);
  }

  // A new last row, its values not yet set.
  float* append_row() {
    values_->resize(values_->size() + dim_);  // uninitialized: HugePageAllocator::construct
    return values_->data() + values_->size() - dim_;
  }
  void drop_last_row() { values_->resize(values_->size() - dim_); }
  size_t rows() const { return values_->size() / dim_; }

  // The rows as a matrix that keeps this memory alive.
  Matrix finish() && {
    const auto* base = reinterpret_cast<const std::byte*>(values_->data());
    const size_t rows = this->rows();
    return Matrix::view(Dtype::f32, rows, dim_, base, dim_, std::move(values_));
  }

 private:
  size_t dim_;
  std::shared_ptr<BigVector<float>> values_;
};

// The most rows of `row_bytes` bytes each that `file_bytes` of input can hold: all of it for
// a plain file, deflate's largest ratio (1032 to 1) for gzip. Reserving for a header's count
// beyond this would size memory by an unchecked header.
inline uint64_t rows_the_file_can_hold(uint64_t file_bytes, bool gzip, uint64_t row_bytes) {
  constexpr uint64_t kDeflateMaxRatio = 1032;
  const uint64_t data_bytes = gzip ? file_bytes * kDeflateMaxRatio : file_bytes;
  return data_bytes / row_bytes + 1;
}

}  // namespace embtool::formats
