#include <cmath>
#include <limits>

#include "embtool/search.hpp"
#include "kernels/simd.hpp"

namespace embtool {

std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query) {
  std::vector<float> scores(embeddings.rows());
  kernels::dot_rows(embeddings.matrix().data(), embeddings.rows(), embeddings.dim(),
                    unit_query.data(), scores.data());
  for (uint32_t r = 0; r < embeddings.rows(); ++r) {
    const float norm = embeddings.norm(r);
    scores[r] = norm > 0.0f ? scores[r] / norm : std::numeric_limits<float>::quiet_NaN();
  }
  return scores;
}

}  // namespace embtool
