// The questions a user asks of a model: similarity, distance, neighbours, analogies.
// Each matches the gensim 4.x KeyedVectors method named beside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/embeddings.hpp"
#include "search/search.hpp"

namespace embtool {

// --- Finding words -------------------------------------------------------------------------

struct ResolvedWord {
  uint32_t row;
  bool case_folded;  // the exact spelling was absent; a case variant was used
};

// Exact match first; for a tokenizer model, then the token whose text it is (" king" ->
// "Ġking"); then, if `case_fallback`, the most frequent (first) case variant.
// Throws UnknownWordError with "did you mean" suggestions otherwise.
ResolvedWord resolve_word(const Embeddings& embeddings, std::string_view word, bool case_fallback);

// Up to `max` vocabulary words the user probably meant: case variants first, then words a
// small edit distance away, closest and most frequent first.
std::vector<std::string> suggest_words(const Vocabulary& vocabulary, std::string_view word,
                                       size_t max = 5);

// --- Pairs -----------------------------------------------------------------------------------

// gensim similarity(a, b); 0 when either vector is all zeros, as in gensim.
double similarity(const Embeddings& embeddings, uint32_t a, uint32_t b);

struct Distance {
  double cosine;     // gensim distance(a, b) = 1 - similarity
  double euclidean;  // numpy.linalg.norm(v[a] - v[b]) of the raw vectors
};
Distance distance(const Embeddings& embeddings, uint32_t a, uint32_t b);

// --- Searches --------------------------------------------------------------------------------

struct WeightedRow {
  uint32_t row;
  float weight;  // +1 for a positive word, -1 for a negative one
};

// gensim most_similar(positive, negative, topn=k): cosine with the normalized weighted mean
// of the unit vectors; the query words themselves are excluded.
std::vector<Neighbor> most_similar(const Embeddings& embeddings, std::span<const WeightedRow> terms,
                                   size_t k, const SearchOptions& options = {});

// The cosine search that most_similar(terms) runs: the normalized weighted mean of the terms
// unit vectors as the query, the terms excluded. For answering many searches together
// (top_k_cosine_batch) with exactly most_similar's answers.
struct CosineSearch {
  std::vector<float> unit_query;
  std::vector<uint32_t> excluded;
};
CosineSearch most_similar_search(const Embeddings& embeddings, std::span<const WeightedRow> terms);

// The terms of analogy(a, b, c, add): a + b - c.
std::vector<WeightedRow> analogy_terms(uint32_t a, uint32_t b, uint32_t c);

// gensim most_similar(word, topn=k).
std::vector<Neighbor> neighbors(const Embeddings& embeddings, uint32_t row, size_t k,
                                const SearchOptions& options = {});

// neighbors() for each of `rows`, answered together in one pass over the matrix
// (top_k_cosine_batch): the same answers, at a fraction of the cost of a scan each.
std::vector<std::vector<Neighbor>> neighbors_batch(const Embeddings& embeddings,
                                                   std::span<const uint32_t> rows, size_t k,
                                                   const SearchOptions& options = {});

// gensim n_similarity(a, b): the cosine of the plain means of the two sets' rows (0 when a
// mean is zero).
double mean_similarity(const Embeddings& embeddings, std::span<const uint32_t> a, std::span<const uint32_t> b);

// gensim closer_than(a, b): the rows other than a whose cosine distance to a is smaller than
// b's, in row order (rank(a, b) is their count plus one).
std::vector<uint32_t> rows_closer_than(const Embeddings& embeddings, uint32_t a, uint32_t b);

// The k rows nearest `row` by euclidean distance of the raw vectors (the row itself excluded),
// nearest first, ties by the lower row; Neighbor::score is the distance.
std::vector<Neighbor> nearest_euclidean(const Embeddings& embeddings, uint32_t row, size_t k,
                                        const SearchOptions& options = {});

// gensim doesnt_match(words): the row least similar to the mean of all of them.
uint32_t doesnt_match(const Embeddings& embeddings, std::span<const uint32_t> rows);

enum class AnalogyMethod { add, mul };

// "a + b - c": gensim most_similar(positive=[a, b], negative=[c]) for add (3CosAdd),
// most_similar_cosmul(positive=[a, b], negative=[c]) for mul (3CosMul).
std::vector<Neighbor> analogy(const Embeddings& embeddings, uint32_t a, uint32_t b, uint32_t c,
                              AnalogyMethod method, size_t k, const SearchOptions& options = {});

// gensim most_similar_cosmul(positive, negative, topn=k).
std::vector<Neighbor> most_similar_cosmul(const Embeddings& embeddings,
                                          std::span<const uint32_t> positive,
                                          std::span<const uint32_t> negative, size_t k,
                                          const SearchOptions& options = {});

struct CosmulQuery {
  std::vector<uint32_t> positive;
  std::vector<uint32_t> negative;
  size_t k = 10;
};

// most_similar_cosmul() for each query, bit for bit, in one pass over the matrix: each block of
// rows gets its cosines with every distinct query word once (with the kernel the single search
// uses), and every query combines its own. Throws like most_similar_cosmul for a zero vector.
std::vector<std::vector<Neighbor>> most_similar_cosmul_batch(const Embeddings& embeddings,
                                                             std::span<const CosmulQuery> queries,
                                                             const SearchOptions& options = {});

}  // namespace embtool
