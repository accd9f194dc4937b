// Evaluations of a model on standard test sets, with the rules of gensim 4.2's
// KeyedVectors.evaluate_word_analogies, so that the counts are gensim's.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "embtool/ops.hpp"

namespace embtool {

struct AnalogyEvalOptions {
  size_t restrict_vocab = 300000;  // only the first words are answers or question words
  bool case_insensitive = true;    // words compared by case-folded form, first occurrence wins
  bool dummy4unknown = false;      // questions with unknown words count as wrong (else skipped)
  AnalogyMethod method = AnalogyMethod::add;
  SearchOptions search;
};

struct SectionScore {
  std::string name;
  size_t correct = 0;
  size_t incorrect = 0;
  size_t total() const { return correct + incorrect; }
  double accuracy() const { return total() ? static_cast<double>(correct) / static_cast<double>(total()) : 0.0; }
};

struct AnalogyEvaluation {
  std::vector<SectionScore> sections;  // in file order
  SectionScore total{"Total accuracy"};
  size_t questions = 0;  // well-formed question lines
  size_t oov = 0;        // of which had a word outside the first restrict_vocab words
  double oov_ratio() const {
    return questions ? 100.0 * static_cast<double>(oov) / static_cast<double>(questions) : 0.0;
  }
};

// questions-words.txt format: ": section" lines, then "a b c expected" lines (b - a + c should
// give expected). Throws a bad_file Error for a question before any section.
AnalogyEvaluation evaluate_analogies(const Embeddings& embeddings, std::istream& questions,
                                     const AnalogyEvalOptions& options);

struct PairEvalOptions {
  size_t restrict_vocab = 300000;
  bool case_insensitive = true;
  bool dummy4unknown = false;  // pairs with unknown words count with similarity 0 (else skipped)
};

struct PairEvaluation {
  double pearson = 0;
  double spearman = 0;   // Pearson of the ranks, ties given their average rank (scipy)
  size_t pairs = 0;      // pairs that entered the correlations
  size_t oov = 0;        // pairs with a word outside the first restrict_vocab words
  double oov_ratio = 0;  // percent, as gensim computes it
};

// WordSim-353 / SimLex-999 style: "w1<TAB>w2<TAB>score" lines, '#' comments; other lines are
// skipped as gensim's evaluate_word_pairs skips them. Throws a bad_file Error when no pair
// is left to correlate.
PairEvaluation evaluate_pairs(const Embeddings& embeddings, std::istream& pairs,
                              const PairEvalOptions& options);

}  // namespace embtool
