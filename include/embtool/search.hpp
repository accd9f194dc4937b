// Exact search over all rows: score every row, keep the best k.
// The scan is deliberately plain; a SIMD, multi-threaded one can replace it behind this face.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "embtool/embeddings.hpp"

namespace embtool {

struct Neighbor {
  uint32_t row;
  float score;
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

// Cosine of every row with `unit_query` (which must have length 1), as gensim computes it:
// dot(row, query) / norm(row). Rows of norm zero score NaN.
std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query);

// The k best scores, highest first, ties broken by the lower row so answers are deterministic.
// NaN scores and `excluded` rows are never returned.
std::vector<Neighbor> top_k(std::span<const float> scores, size_t k,
                            std::span<const uint32_t> excluded = {});

}  // namespace embtool
