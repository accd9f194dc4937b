#include <cmath>
#include <limits>

#include "embtool/search.hpp"
#include "kernels/scalar.hpp"

namespace embtool {

std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query) {
  std::vector<float> scores(embeddings.rows());
  for (uint32_t r = 0; r < embeddings.rows(); ++r) {
    const float norm = embeddings.norm(r);
    scores[r] = norm > 0.0f ? kernels::scalar::dot(embeddings.row(r), unit_query) / norm
                            : std::numeric_limits<float>::quiet_NaN();
  }
  return scores;
}

}  // namespace embtool
