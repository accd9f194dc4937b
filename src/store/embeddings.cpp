#include "embtool/embeddings.hpp"

#include <utility>

#include "embtool/error.hpp"
#include "kernels/scalar.hpp"

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
  norms_.resize(rows());
  for (uint32_t r = 0; r < rows(); ++r) norms_[r] = kernels::scalar::norm(row(r));
}

}  // namespace embtool
