// Evaluations of a model on standard test sets, with the rules of gensim 4.2's
// KeyedVectors.evaluate_word_analogies, so that the counts are gensim's.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "ops/ops.hpp"

namespace embtool {

struct AnalogyEvalOptions {
  size_t restrict_vocab = 300000;  // only the first words are answers or question words
  bool case_insensitive = true;    // words compared upper-cased as Python does, first occurrence wins
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

// The rules of compute-accuracy, the evaluation tool of word2vec's C distribution (2013), so
// that its printed numbers come out the same: only the first `threshold` words exist; words
// are compared upper-cased in ASCII (C's toupper), the first occurrence winning; the question
// vector is b - a + c of the length-normalized rows and the answer is the row of highest dot
// product other than a, b and c themselves (by row, so another row spelled like one of them
// may answer), if that product is above zero; the first five sections are "semantic", the
// rest "syntactic"; a question with a word outside the vocabulary is counted as asked but
// not seen.
struct Word2vecAccuracyOptions {
  size_t threshold = 30000;  // compute-accuracy's second argument, as word2vec's demo gives it; 0: all
  SearchOptions search;
};

struct Word2vecSection {
  std::string name;
  bool has_header = true;  // false for questions before the first header (counted, never printed)
  bool semantic = true;    // one of the first five sections, or before them
  size_t correct = 0;
  size_t seen = 0;       // questions whose four words are all in the vocabulary
  size_t questions = 0;  // questions read
};

struct Word2vecAccuracy {
  std::vector<Word2vecSection> sections;  // in file order
};

// Reads questions as compute-accuracy does: whitespace-separated words, a ":" or "EXIT" word
// in the first place starting a section whose name is the next word.
Word2vecAccuracy evaluate_analogies_word2vec(const Embeddings& embeddings, std::istream& questions,
                                             const Word2vecAccuracyOptions& options);

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
