// The rest of gensim's questions of one or two words: set-to-set similarity (n_similarity),
// the words closer to A than B is (closer_than, rank), and neighbours by euclidean distance.
#include <fmt/format.h>

#include <cmath>

#include "base/error.hpp"
#include "kernels/scalar.hpp"
#include "ops/ops.hpp"

namespace embtool {
namespace {

// The plain mean of the rows (gensim get_mean_vector(pre_normalize=False)), in double.
std::vector<double> mean_of(const Embeddings& e, std::span<const uint32_t> rows) {
  std::vector<double> mean(e.dim(), 0.0);
  for (const uint32_t r : rows) {
    const std::vector<float> values = e.row_values(r);
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += values[i];
  }
  for (double& x : mean) x /= static_cast<double>(rows.size());
  return mean;
}

double length(std::span<const double> v) {
  double sum = 0;
  for (const double x : v) sum += x * x;
  return std::sqrt(sum);
}

}  // namespace

double mean_similarity(const Embeddings& e, std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.empty() || b.empty()) throw Error(ErrorKind::invalid_argument, "each set needs a word");
  const std::vector<double> ma = mean_of(e, a), mb = mean_of(e, b);
  const double la = length(ma), lb = length(mb);
  // gensim's unitvec leaves a zero mean as it is: its similarity to anything is 0.
  if (la == 0.0 || lb == 0.0) return 0.0;
  double dot = 0;
  for (size_t i = 0; i < ma.size(); ++i) dot += ma[i] * mb[i];
  return dot / (la * lb);
}

std::vector<uint32_t> rows_closer_than(const Embeddings& e, uint32_t a, uint32_t b) {
  if (e.norm(a) == 0.0f) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the vector of '{}' is all zeros: no word is closer or farther", e.vocabulary().word(a)));
  }
  std::vector<float> unit = e.row_values(a);
  for (float& x : unit) x /= e.norm(a);
  const std::vector<float> scores = cosine_scores(e, unit);
  std::vector<uint32_t> closer;
  // Closer: a smaller cosine distance, a larger cosine; rows of norm zero (NaN) never are.
  for (uint32_t r = 0; r < scores.size(); ++r) {
    if (r != a && scores[r] > scores[b]) closer.push_back(r);
  }
  return closer;
}

std::vector<Neighbor> nearest_euclidean(const Embeddings& e, uint32_t row, size_t k, const SearchOptions& options) {
  const std::vector<float> query = e.row_values(row);
  const uint32_t excluded[] = {row};
  const bool in_place = e.dtype() == Dtype::f32;
  std::vector<Neighbor> found = scan_top_k(
      searched_rows(e, options),
      [&](uint32_t begin, uint32_t end, float* scores) {
        std::vector<float> decoded;
        for (uint32_t r = begin; r < end; ++r) {
          std::span<const float> values;
          if (in_place) {
            values = std::span<const float>(e.row_data(r), e.dim());
          } else {
            decoded = e.row_values(r);
            values = decoded;
          }
          scores[r - begin] = -kernels::scalar::euclidean(query, values);  // nearest = highest
        }
      },
      k, excluded, options);
  for (Neighbor& n : found) n.score = -n.score;
  return found;
}

}  // namespace embtool
