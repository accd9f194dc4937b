// Searches by example: gensim's most_similar (3CosAdd) and most_similar_cosmul (3CosMul),
// reproduced step by step in float32 so that scores agree to float32 rounding.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <unordered_map>

#include "base/error.hpp"
#include "ops/ops.hpp"
#include "kernels/scalar.hpp"
#include "search/parallel_ranges.hpp"
#include "search/top_k_heap.hpp"

namespace embtool {
namespace {

// gensim get_vector(word, norm=True): the row divided by its norm, in float32.
std::vector<float> unit_row(const Embeddings& embeddings, uint32_t row) {
  const float norm = embeddings.norm(row);
  if (norm == 0.0f) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the vector of '{}' is all zeros and cannot be normalized",
                            embeddings.vocabulary().word(row)));
  }
  std::vector<float> unit(embeddings.dim());
  const std::vector<float> values = embeddings.row_values(row);
  for (size_t i = 0; i < unit.size(); ++i) unit[i] = values[i] / norm;
  return unit;
}

// 3CosMul's arithmetic, shared by the single and the batched search so that they agree bit for
// bit: out *= (1 + cos) / 2 for each word; then numerator / (denominator + epsilon).
void multiply_shifted(const float* cosines, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] *= (1.0f + cosines[i]) / 2.0f;
}
void divide_cosmul(float* scores, const float* denominator, size_t n) {
  constexpr float kEpsilon = 0.000001f;  // gensim's guard against division by zero
  for (size_t i = 0; i < n; ++i) scores[i] /= denominator[i] + kEpsilon;
}

// gensim get_mean_vector(keys, weights, pre_normalize=True, post_normalize=True).
std::vector<float> normalized_mean(const Embeddings& embeddings, std::span<const WeightedRow> terms) {
  if (terms.empty()) throw Error(ErrorKind::invalid_argument, "a search needs at least one word");
  std::vector<float> mean(embeddings.dim(), 0.0f);
  float total_weight = 0.0f;
  for (const WeightedRow& term : terms) {
    const std::vector<float> unit = unit_row(embeddings, term.row);
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += term.weight * unit[i];
    total_weight += std::abs(term.weight);
  }
  for (float& x : mean) x /= total_weight;
  const float length = kernels::scalar::norm(mean);
  if (length == 0.0f) throw Error(ErrorKind::invalid_argument, "the query vectors cancel out to zero");
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

CosineSearch most_similar_search(const Embeddings& embeddings, std::span<const WeightedRow> terms) {
  return {normalized_mean(embeddings, terms), rows_of(terms)};
}

std::vector<WeightedRow> analogy_terms(uint32_t a, uint32_t b, uint32_t c) {
  return {{a, 1.0f}, {b, 1.0f}, {c, -1.0f}};
}

std::vector<Neighbor> most_similar(const Embeddings& embeddings, std::span<const WeightedRow> terms,
                                   size_t k, const SearchOptions& options) {
  const CosineSearch search = most_similar_search(embeddings, terms);
  return top_k_cosine(embeddings, search.unit_query, k, search.excluded, options);
}

std::vector<Neighbor> neighbors(const Embeddings& embeddings, uint32_t row, size_t k,
                                const SearchOptions& options) {
  const WeightedRow term{row, 1.0f};
  return most_similar(embeddings, std::span(&term, 1), k, options);
}

std::vector<std::vector<Neighbor>> neighbors_batch(const Embeddings& embeddings,
                                                   std::span<const uint32_t> rows, size_t k,
                                                   const SearchOptions& options) {
  std::vector<std::vector<float>> vectors;
  vectors.reserve(rows.size());
  for (uint32_t row : rows) {
    const WeightedRow term{row, 1.0f};
    vectors.push_back(normalized_mean(embeddings, std::span(&term, 1)));
  }
  std::vector<CosineQuery> queries;
  for (size_t i = 0; i < rows.size(); ++i) queries.push_back({vectors[i], k, rows.subspan(i, 1)});
  return top_k_cosine_batch(embeddings, queries, options);
}

std::vector<Neighbor> most_similar_cosmul(const Embeddings& embeddings,
                                          std::span<const uint32_t> positive,
                                          std::span<const uint32_t> negative, size_t k,
                                          const SearchOptions& options) {
  if (positive.empty()) throw Error(ErrorKind::invalid_argument, "3CosMul needs at least one positive word");
  std::vector<std::vector<float>> positive_units, negative_units;
  for (uint32_t row : positive) positive_units.push_back(unit_row(embeddings, row));
  for (uint32_t row : negative) negative_units.push_back(unit_row(embeddings, row));

  // Levy & Goldberg's equation (4), cosines shifted to [0, 1] as in their footnote 7, one
  // block of rows at a time so that the matrix is read once.
  const BlockScorer scorer = [&](uint32_t begin, uint32_t end, float* scores) {
    const size_t n = end - begin;
    thread_local std::vector<float> cosines;
    cosines.resize(n);
    auto product = [&](const std::vector<std::vector<float>>& units, float* out) {
      std::fill(out, out + n, 1.0f);
      for (const auto& unit : units) {
        cosine_block(embeddings, unit, begin, end, cosines.data());
        multiply_shifted(cosines.data(), n, out);
      }
    };
    thread_local std::vector<float> denominator;
    denominator.resize(n);
    product(positive_units, scores);
    product(negative_units, denominator.data());
    divide_cosmul(scores, denominator.data(), n);
  };
  std::vector<uint32_t> excluded(positive.begin(), positive.end());
  excluded.insert(excluded.end(), negative.begin(), negative.end());
  return scan_top_k(searched_rows(embeddings, options), scorer, k, excluded, options);
}

namespace {

// Rows per block of the batched 3CosMul: the cosines of a block with every distinct word stay
// in cache while the queries combine them.
constexpr uint32_t kCosmulBlockRows = 512;

// Each distinct word of the queries once, as the unit vector most_similar_cosmul uses.
struct CosmulWords {
  std::vector<std::vector<float>> units;
  std::vector<std::vector<size_t>> positive, negative;  // per query: indexes into units
};

CosmulWords distinct_words(const Embeddings& e, std::span<const CosmulQuery> queries) {
  CosmulWords words;
  std::unordered_map<uint32_t, size_t> index;
  auto unit_of = [&](uint32_t row) {
    const auto [it, added] = index.try_emplace(row, words.units.size());
    if (added) words.units.push_back(unit_row(e, row));
    return it->second;
  };
  for (const CosmulQuery& q : queries) {
    if (q.positive.empty()) throw Error(ErrorKind::invalid_argument, "3CosMul needs at least one positive word");
    words.positive.emplace_back();
    words.negative.emplace_back();
    for (uint32_t row : q.positive) words.positive.back().push_back(unit_of(row));
    for (uint32_t row : q.negative) words.negative.back().push_back(unit_of(row));
  }
  return words;
}

}  // namespace

std::vector<std::vector<Neighbor>> most_similar_cosmul_batch(const Embeddings& e,
                                                             std::span<const CosmulQuery> queries,
                                                             const SearchOptions& options) {
  const CosmulWords words = distinct_words(e, queries);
  std::vector<std::vector<uint32_t>> excluded;
  for (const CosmulQuery& q : queries) {
    excluded.emplace_back(q.positive);
    excluded.back().insert(excluded.back().end(), q.negative.begin(), q.negative.end());
  }
  const size_t rows = searched_rows(e, options);
  const TaskPlan plan = search::row_tasks(rows, options);
  // heaps[q][t]: query q's k best among task t's rows.
  std::vector<std::vector<search::TopKHeap>> heaps(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    heaps[q].assign(plan.tasks(), search::TopKHeap(queries[q].k, excluded[q]));
  }
  parallel_for(plan, [&](const Task& task) {
    const auto begin = static_cast<uint32_t>(task.begin), end = static_cast<uint32_t>(task.end);
    std::vector<float> cosines(words.units.size() * kCosmulBlockRows);
    std::vector<float> scores(kCosmulBlockRows), denominator(kCosmulBlockRows);
    for (uint32_t start = begin; start < end; start += kCosmulBlockRows) {
      const uint32_t stop = std::min(end, start + kCosmulBlockRows);
      const size_t n = stop - start;
      for (size_t u = 0; u < words.units.size(); ++u) {
        cosine_block(e, words.units[u], start, stop, cosines.data() + u * kCosmulBlockRows);
      }
      for (size_t q = 0; q < queries.size(); ++q) {
        std::fill(scores.begin(), scores.begin() + static_cast<ptrdiff_t>(n), 1.0f);
        std::fill(denominator.begin(), denominator.begin() + static_cast<ptrdiff_t>(n), 1.0f);
        for (size_t u : words.positive[q]) multiply_shifted(cosines.data() + u * kCosmulBlockRows, n, scores.data());
        for (size_t u : words.negative[q]) multiply_shifted(cosines.data() + u * kCosmulBlockRows, n, denominator.data());
        divide_cosmul(scores.data(), denominator.data(), n);
        search::TopKHeap& heap = heaps[q][task.index];
        for (size_t i = 0; i < n; ++i) heap.offer(start + static_cast<uint32_t>(i), scores[i]);
      }
      // One task a thread, of equal sizes: task 0's pace (on the calling thread) is everyone's.
      if (task.index == 0 && options.progress) {
        options.progress(queries.size() * (stop - begin) / (end - begin), queries.size());
      }
    }
  });
  std::vector<std::vector<Neighbor>> answers(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) answers[q] = search::merge_top_k(queries[q].k, heaps[q]);
  return answers;
}

std::vector<Neighbor> analogy(const Embeddings& embeddings, uint32_t a, uint32_t b, uint32_t c,
                              AnalogyMethod method, size_t k, const SearchOptions& options) {
  if (method == AnalogyMethod::mul) {
    const uint32_t positive[] = {a, b};
    const uint32_t negative[] = {c};
    return most_similar_cosmul(embeddings, positive, negative, k, options);
  }
  return most_similar(embeddings, analogy_terms(a, b, c), k, options);
}

}  // namespace embtool
