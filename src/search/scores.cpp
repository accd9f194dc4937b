#include <algorithm>
#include <cmath>
#include <limits>

#include "embtool/search.hpp"
#include "kernels/simd.hpp"

namespace embtool {

void cosine_block(const Embeddings& embeddings, std::span<const float> unit_query, uint32_t begin,
                  uint32_t end, float* scores) {
  // The scan's blocks are this long (search/parallel_scan.cpp); longer calls are split so
  // that the row pointers stay on the stack.
  constexpr uint32_t kChunk = 1024;
  const float* rows[kChunk];
  for (uint32_t chunk = begin; chunk < end;) {
    const uint32_t chunk_end = chunk + std::min(kChunk, end - chunk);
    embeddings.row_pointers(chunk, chunk_end, rows);
    kernels::dot_rows(rows, chunk_end - chunk, embeddings.dim(), unit_query.data(),
                      scores + (chunk - begin));
    chunk = chunk_end;
  }
  for (uint32_t r = begin; r < end; ++r) {
    const float norm = embeddings.norm(r);
    float& score = scores[r - begin];
    score = norm > 0.0f ? score / norm : std::numeric_limits<float>::quiet_NaN();
  }
}

std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query) {
  std::vector<float> scores(embeddings.rows());
  cosine_block(embeddings, unit_query, 0, static_cast<uint32_t>(embeddings.rows()), scores.data());
  return scores;
}

std::vector<Neighbor> top_k_cosine(const Embeddings& embeddings, std::span<const float> unit_query,
                                   size_t k, std::span<const uint32_t> excluded,
                                   const SearchOptions& options) {
  const BlockScorer scorer = [&](uint32_t begin, uint32_t end, float* scores) {
    cosine_block(embeddings, unit_query, begin, end, scores);
  };
  return scan_top_k(embeddings.rows(), scorer, k, excluded, options);
}

}  // namespace embtool
