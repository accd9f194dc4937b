// Searches by example: gensim's most_similar (3CosAdd) and most_similar_cosmul (3CosMul),
// reproduced step by step in float32 so that scores agree to float32 rounding.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "embtool/error.hpp"
#include "embtool/ops.hpp"
#include "kernels/scalar.hpp"

namespace embtool {
namespace {

// gensim get_vector(word, norm=True): the row divided by its norm, in float32.
std::vector<float> unit_row(const Embeddings& embeddings, uint32_t row) {
  const float norm = embeddings.norm(row);
  if (norm == 0.0f) {
    throw Error(ExitCode::usage,
                fmt::format("the vector of '{}' is all zeros and cannot be normalized",
                            embeddings.vocabulary().word(row)));
  }
  std::vector<float> unit(embeddings.dim());
  const auto values = embeddings.row(row);
  for (size_t i = 0; i < unit.size(); ++i) unit[i] = values[i] / norm;
  return unit;
}

// gensim get_mean_vector(keys, weights, pre_normalize=True, post_normalize=True).
std::vector<float> normalized_mean(const Embeddings& embeddings, std::span<const WeightedRow> terms) {
  if (terms.empty()) throw Error(ExitCode::usage, "a search needs at least one word");
  std::vector<float> mean(embeddings.dim(), 0.0f);
  float total_weight = 0.0f;
  for (const WeightedRow& term : terms) {
    const std::vector<float> unit = unit_row(embeddings, term.row);
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += term.weight * unit[i];
    total_weight += std::abs(term.weight);
  }
  for (float& x : mean) x /= total_weight;
  const float length = kernels::scalar::norm(mean);
  if (length == 0.0f) throw Error(ExitCode::usage, "the query vectors cancel out to zero");
  const auto scale = static_cast<float>(1.0 / static_cast<double>(length));
  for (float& x : mean) x *= scale;
  return mean;
}

std::vector<uint32_t> rows_of(std::span<const WeightedRow> terms) {
  std::vector<uint32_t> rows;
  for (const WeightedRow& term : terms) rows.push_back(term.row);
  return rows;
}

}  // namespace

std::vector<Neighbor> most_similar(const Embeddings& embeddings, std::span<const WeightedRow> terms,
                                   size_t k) {
  const std::vector<float> query = normalized_mean(embeddings, terms);
  return top_k(cosine_scores(embeddings, query), k, rows_of(terms));
}

std::vector<Neighbor> neighbors(const Embeddings& embeddings, uint32_t row, size_t k) {
  const WeightedRow term{row, 1.0f};
  return most_similar(embeddings, std::span(&term, 1), k);
}

std::vector<Neighbor> most_similar_cosmul(const Embeddings& embeddings,
                                          std::span<const uint32_t> positive,
                                          std::span<const uint32_t> negative, size_t k) {
  if (positive.empty()) throw Error(ExitCode::usage, "3CosMul needs at least one positive word");
  // Levy & Goldberg's equation (4), cosines shifted to [0, 1] as in their footnote 7.
  auto shifted_cosines = [&](uint32_t row) {
    std::vector<float> scores = cosine_scores(embeddings, unit_row(embeddings, row));
    for (float& s : scores) s = (1.0f + s) / 2.0f;
    return scores;
  };
  auto product = [&](std::span<const uint32_t> rows) {
    std::vector<float> result(embeddings.rows(), 1.0f);
    for (uint32_t row : rows) {
      const std::vector<float> scores = shifted_cosines(row);
      for (size_t r = 0; r < result.size(); ++r) result[r] *= scores[r];
    }
    return result;
  };
  std::vector<float> scores = product(positive);
  const std::vector<float> denominator = product(negative);
  constexpr float kEpsilon = 0.000001f;  // gensim's guard against division by zero
  for (size_t r = 0; r < scores.size(); ++r) scores[r] /= denominator[r] + kEpsilon;
  std::vector<uint32_t> excluded(positive.begin(), positive.end());
  excluded.insert(excluded.end(), negative.begin(), negative.end());
  return top_k(scores, k, excluded);
}

std::vector<Neighbor> analogy(const Embeddings& embeddings, uint32_t a, uint32_t b, uint32_t c,
                              AnalogyMethod method, size_t k) {
  if (method == AnalogyMethod::mul) {
    const uint32_t positive[] = {a, b};
    const uint32_t negative[] = {c};
    return most_similar_cosmul(embeddings, positive, negative, k);
  }
  const WeightedRow terms[] = {{a, 1.0f}, {b, 1.0f}, {c, -1.0f}};
  return most_similar(embeddings, terms, k);
}

}  // namespace embtool
