#include "model/embeddings.hpp"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <utility>

#include "base/error.hpp"
#include "base/thread_pool.hpp"
#include "kernels/simd.hpp"

namespace embtool {

const SourceFact* SourceInfo::fact(std::string_view name) const {
  for (const SourceFact& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

int64_t SourceInfo::number(std::string_view name) const {
  const SourceFact* f = fact(name);
  if (f == nullptr) return 0;
  if (const auto* n = std::get_if<int64_t>(&f->value)) return *n;
  if (const auto* b = std::get_if<bool>(&f->value)) return *b ? 1 : 0;
  return 0;
}

std::string SourceInfo::text(std::string_view name) const {
  const SourceFact* f = fact(name);
  if (f == nullptr) return {};
  if (const auto* t = std::get_if<std::string>(&f->value)) return *t;
  return {};
}

std::string_view dtype_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::f32: return "f32";
    case Dtype::f16: return "f16";
    case Dtype::i8: return "i8";
  }
  return "unknown";
}

Embeddings::Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim,
                       SourceInfo source, uint64_t nonfinite_values)
    : vocabulary_(std::move(vocabulary)),
      dim_(dim),
      source_(std::move(source)),
      nonfinite_values_(nonfinite_values) {
  if (matrix.size() != vocabulary_.size() * dim_) {
    throw Error(ErrorKind::internal, "internal error: matrix size does not match vocabulary x dim");
  }
  auto owned = std::make_shared<std::vector<float>>(std::move(matrix));
  store_.base = reinterpret_cast<const std::byte*>(owned->data());
  store_.stride_bytes = dim_ * sizeof(float);
  store_.owner = std::move(owned);
  compute_norms();
}

Embeddings::Embeddings(Vocabulary vocabulary, RowStore row_store, size_t dim, SourceInfo source,
                       std::span<const float> norms, std::vector<ReducedRows> reduced)
    : vocabulary_(std::move(vocabulary)),
      dim_(dim),
      source_(std::move(source)),
      store_(std::move(row_store)),
      reduced_(std::move(reduced)),
      nonfinite_values_(store_.nonfinite_values) {
  if (!store_.offsets.empty() && store_.offsets.size() != vocabulary_.size()) {
    throw Error(ErrorKind::internal, "internal error: row offsets do not match the vocabulary");
  }
  if (norms.empty() && rows() > 0) {
    compute_norms();
  } else {
    if (norms.size() != rows()) throw Error(ErrorKind::internal, "internal error: norms size");
    norms_ = norms;
  }
}

void Embeddings::row_pointers(uint32_t begin, uint32_t end, const float** out) const {
  for (uint32_t r = begin; r < end; ++r) *out++ = row_data(r);
}

std::vector<float> Embeddings::row_values(uint32_t r) const {
  std::vector<float> values(dim_);
  std::memcpy(values.data(), row_data(r), dim_ * sizeof(float));
  return values;
}

const ReducedRows* Embeddings::reduced(Dtype dtype) const {
  for (const ReducedRows& copy : reduced_) {
    if (copy.dtype == dtype) return &copy;
  }
  return nullptr;
}

// Every row's norm, the rows split among the cores: on a large file this is a full pass
// over memory that would otherwise run on one core.
void Embeddings::compute_norms() {
  owned_norms_.resize(rows());
  auto norms_of = [this](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      const std::span<const float> values(row_data(static_cast<uint32_t>(r)), dim_);
      owned_norms_[r] = std::sqrt(kernels::squared_norm(values));
    }
  };
  constexpr size_t kMinRowsPerTask = 65536;
  parallel_for(rows(), 0, Split{kMinRowsPerTask, 1},
               [&](const Task& task) { norms_of(task.begin, task.end); });
  norms_ = owned_norms_;
}

}  // namespace embtool
