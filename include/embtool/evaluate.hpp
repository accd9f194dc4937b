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

}  // namespace embtool
