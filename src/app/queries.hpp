// One function per question: resolve the words, ask the library, return the answer as a value
// (answers.hpp). Nothing here prints; warnings go to the session's log.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "app/term.hpp"
#include "ops/evaluate.hpp"
#include "ops/ops.hpp"

namespace embtool::app {

SimilarityAnswer similar(const Session& session, const Term& a, const Term& b);
DistanceAnswer distance(const Session& session, const Term& a, const Term& b);

// Each query is a word, or an expression ("king - man + woman") when it holds blanks. One query
// that fails throws; among several, each failure is kept in its place and the known words are
// answered together, in one pass over the matrix. `precomputed`: the answer of a lone word's
// search, already computed with others (batch).
// `ann_ef`: answer from the model's approximate index (MODEL.hnsw) with this candidate list
// (0: kDefaultAnnEf); the answers say they are not exact.
// What a search may be asked beyond its query: candidates among the first `restrict_rows` rows
// only (gensim's restrict_vocab; the query may be any word), no answer scoring below
// `min_score`, none of the `exclude` words, and for neighbors the euclidean metric.
struct SearchFilters {
  size_t restrict_rows = 0;  // 0: every row
  std::optional<float> min_score;
  std::vector<Term> exclude;
  bool euclidean = false;
  bool any() const { return restrict_rows > 0 || min_score || !exclude.empty() || euclidean; }
};

NeighborsAnswer neighbors(const Session& session, const std::vector<Term>& queries, size_t k,
                          const std::vector<Neighbor>* precomputed = nullptr,
                          std::optional<size_t> ann_ef = std::nullopt, const SearchFilters& filters = {});

AnalogyAnswer analogy(const Session& session, const Term& a, const Term& b, const Term& c,
                      AnalogyMethod method, size_t k,
                      const std::vector<Neighbor>* precomputed = nullptr, const SearchFilters& filters = {});

// gensim similar_by_vector(vector, topn=k): the rows nearest the vector by cosine, none
// excluded (a word's own vector finds the word first).
NeighborsAnswer similar_by_vector(const Session& session, std::span<const float> vector, size_t k,
                                  const SearchFilters& filters = {});

// gensim n_similarity(a, b): cosine of the plain means of the two sets' rows.
SetSimilarityAnswer set_similarity(const Session& session, const std::vector<Term>& a, const std::vector<Term>& b);

// gensim closer_than(a, b), or with `rank_only` rank(a, b).
CloserThanAnswer closer_than(const Session& session, const Term& a, const Term& b, bool rank_only);

// Each term's row as stored, or divided by its norm (gensim's get_vector(norm=True): float32
// values over the float32 norm; a zero row stays zero).
VectorAnswer vectors(const Session& session, const std::vector<Term>& terms, bool normalize);

// The rows whose words start with `prefix` (filter "prefix") or hold `text` ("contains"), or
// every row ("all"); at most `limit` listed (0: all), every match counted.
WordsAnswer words(const Session& session, std::string_view filter, std::string_view pattern, uint64_t limit,
                  bool count_only);

// `tensors`: also list every tensor of the checkpoint the model came from.
InfoAnswer info(const Session& session, bool tensors = false);

// gensim doesnt_match; unknown words are ignored with a warning, as gensim ignores them.
DoesntMatchAnswer doesnt_match(const Session& session, const std::vector<Term>& words);

// Commands that need vectors say so plainly on a model that has only a vocabulary (dimension
// 0: a tokenizer's file).
void require_vectors(const Session& session);

// The row a term names; a case variant is used, with a warning, when the exact word is
// absent. A row id past the last row, an unknown word, or a model without vectors throws.
uint32_t resolve(const Session& session, const Term& term);
// How answers name row `row`.
RowRef row_ref(const Session& session, uint32_t row);

// The evaluations read `file`, or the session's standard input for "-".
AnalogyEvalAnswer eval_analogies(const Session& session, const std::string& file,
                                 const AnalogyEvalOptions& options);
Word2vecAccuracyAnswer eval_word2vec(const Session& session, const std::string& file,
                                     const Word2vecAccuracyOptions& options);
PairEvalAnswer eval_pairs(const Session& session, const std::string& file, const PairEvalOptions& options);

}  // namespace embtool::app
