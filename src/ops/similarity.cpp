#include "ops/ops.hpp"
#include "kernels/scalar.hpp"

namespace embtool {

double similarity(const Embeddings& embeddings, uint32_t a, uint32_t b) {
  // gensim's unitvec() leaves a zero vector as it is, so its similarity to anything is 0.
  if (embeddings.norm(a) == 0.0f || embeddings.norm(b) == 0.0f) return 0.0;
  const float dot = kernels::scalar::dot(embeddings.row_values(a), embeddings.row_values(b));
  return static_cast<double>(dot) /
         (static_cast<double>(embeddings.norm(a)) * static_cast<double>(embeddings.norm(b)));
}

Distance distance(const Embeddings& embeddings, uint32_t a, uint32_t b) {
  return {1.0 - similarity(embeddings, a, b),
          kernels::scalar::euclidean(embeddings.row_values(a), embeddings.row_values(b))};
}

}  // namespace embtool
