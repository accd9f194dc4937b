// gensim doesnt_match: the word whose unit vector is least similar to the normalized mean of
// all the words' unit vectors; ties go to the word that sorts first, as Python's sorted() does.
#include <algorithm>

#include "base/error.hpp"
#include "ops/ops.hpp"
#include "kernels/simd.hpp"

namespace embtool {

uint32_t doesnt_match(const Embeddings& embeddings, std::span<const uint32_t> rows) {
  if (rows.empty()) throw Error(ErrorKind::invalid_argument, "doesnt-match needs at least one known word");
  std::vector<WeightedRow> terms;
  for (uint32_t row : rows) terms.push_back({row, 1.0f});
  const CosineSearch mean = most_similar_search(embeddings, terms);
  uint32_t odd_one = rows.front();
  float lowest = 0;
  bool first = true;
  for (uint32_t row : rows) {
    std::vector<float> unit = embeddings.row_values(row);
    const float norm = embeddings.norm(row);
    for (float& x : unit) x /= norm;  // gensim get_vector(norm=True), in float32
    const float similarity = kernels::dot(unit, mean.unit_query);
    const auto word = embeddings.vocabulary().word(row);
    if (first || similarity < lowest ||
        (similarity == lowest && word < embeddings.vocabulary().word(odd_one))) {
      odd_one = row;
      lowest = similarity;
      first = false;
    }
  }
  return odd_one;
}

}  // namespace embtool
