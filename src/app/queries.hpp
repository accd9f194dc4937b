// One function per question: resolve the words, ask the library, return the answer as a value
// (answers.hpp). Nothing here prints; warnings go to the session's log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "ops/evaluate.hpp"
#include "ops/ops.hpp"

namespace embtool::app {

SimilarityAnswer similar(const Session& session, const std::string& a, const std::string& b);
DistanceAnswer distance(const Session& session, const std::string& a, const std::string& b);

// Each query is a word, or an expression ("king - man + woman") when it holds blanks. One query
// that fails throws; among several, each failure is kept in its place and the known words are
// answered together, in one pass over the matrix. `precomputed`: the answer of a lone word's
// search, already computed with others (batch).
NeighborsAnswer neighbors(const Session& session, const std::vector<std::string>& queries, size_t k,
                          const std::vector<Neighbor>* precomputed = nullptr);

AnalogyAnswer analogy(const Session& session, const std::string& a, const std::string& b,
                      const std::string& c, AnalogyMethod method, size_t k,
                      const std::vector<Neighbor>* precomputed = nullptr);

VectorAnswer vector(const Session& session, const std::optional<std::string>& word,
                    std::optional<uint64_t> row);

InfoAnswer info(const Session& session);

// gensim doesnt_match; unknown words are ignored with a warning, as gensim ignores them.
DoesntMatchAnswer doesnt_match(const Session& session, const std::vector<std::string>& words);

// The evaluations read `file`, or the session's standard input for "-".
AnalogyEvalAnswer eval_analogies(const Session& session, const std::string& file,
                                 const AnalogyEvalOptions& options);
Word2vecAccuracyAnswer eval_word2vec(const Session& session, const std::string& file,
                                     const Word2vecAccuracyOptions& options);
PairEvalAnswer eval_pairs(const Session& session, const std::string& file, const PairEvalOptions& options);

}  // namespace embtool::app
