#include <fmt/format.h>

#include "embtool/error.hpp"
#include "embtool/ops.hpp"
#include "kernels/scalar.hpp"

namespace embtool {
namespace {

void require_nonzero(const Embeddings& embeddings, uint32_t row) {
  if (embeddings.norm(row) == 0.0f) {
    throw Error(ExitCode::usage,
                fmt::format("the vector of '{}' is all zeros, so its cosine similarity is "
                            "undefined",
                            embeddings.vocabulary().word(row)));
  }
}

}  // namespace

double similarity(const Embeddings& embeddings, uint32_t a, uint32_t b) {
  require_nonzero(embeddings, a);
  require_nonzero(embeddings, b);
  const float dot = kernels::scalar::dot(embeddings.row(a), embeddings.row(b));
  return static_cast<double>(dot) /
         (static_cast<double>(embeddings.norm(a)) * static_cast<double>(embeddings.norm(b)));
}

Distance distance(const Embeddings& embeddings, uint32_t a, uint32_t b) {
  return {1.0 - similarity(embeddings, a, b),
          kernels::scalar::euclidean(embeddings.row(a), embeddings.row(b))};
}

}  // namespace embtool
