#include "embtool/embeddings.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

#include "embtool/error.hpp"
#include "kernels/simd.hpp"

namespace embtool {

std::string_view format_name(Format format) {
  switch (format) {
    case Format::auto_detect: return "auto";
    case Format::word2vec_binary: return "word2vec-binary";
    case Format::word2vec_text: return "word2vec-text";
    case Format::glove: return "glove";
  }
  return "unknown";
}

Embeddings::Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim,
                       SourceInfo source)
    : vocabulary_(std::move(vocabulary)), dim_(dim), source_(std::move(source)) {
  if (matrix.size() != vocabulary_.size() * dim_) {
    throw Error(ExitCode::failure, "internal error: matrix size does not match vocabulary x dim");
  }
  auto owned = std::make_shared<std::vector<float>>(std::move(matrix));
  matrix_ = std::span<const float>(*owned);
  storage_ = std::move(owned);
  compute_norms();
}

// Every row's norm, the rows split among the cores: on a large file this is a full pass
// over memory that would otherwise run on one core.
void Embeddings::compute_norms() {
  norms_.resize(rows());
  auto norms_of = [this](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      norms_[r] = std::sqrt(kernels::squared_norm(row(static_cast<uint32_t>(r))));
    }
  };
  constexpr size_t kMinRowsPerThread = 65536;
  const size_t threads = std::clamp<size_t>(rows() / kMinRowsPerThread, 1,
                                            std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back(norms_of, rows() * t / threads, rows() * (t + 1) / threads);
  }
  norms_of(0, rows() / threads);
}

}  // namespace embtool
