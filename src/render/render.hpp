// Each command's answer in the three output formats: an aligned table for people, one JSON
// document a line, or TSV with a fixed set of columns. The schemas are documented in README.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "render/table.hpp"

namespace embtool::output {

// `rows`: the answer as TSV rows of (measure, rank, word, value) without a header, the one shape
// every command fits, for `batch --tsv` (which puts the line and query before them).
enum class OutputFormat { text, json, tsv, rows };

struct ScoredWord {
  std::string word;
  float score;
};

// neighbors and analogy: the query's words and settings, then the ranked answers.
struct RankedResult {
  std::string command;
  std::vector<std::pair<std::string, std::string>> query;  // e.g. {"word", "dog"}
  int64_t k = 0;
  std::vector<ScoredWord> results;
  std::string error;  // set when this query failed: JSON then has "error" instead of results
};

// similar and distance: two words and one or more measures of them.
struct PairResult {
  std::string command;
  std::string a;
  std::string b;
  std::vector<std::pair<std::string, float>> measures;
};

struct VectorResult {
  std::string word;
  uint32_t row = 0;
  std::span<const float> values;
};

// info: named facts, in order.
struct FactsResult {
  std::string command;
  std::vector<std::pair<std::string, Cell>> facts;
};

// eval analogies: per-section counts and the total, as gensim reports them.
struct SectionRow {
  std::string name;
  int64_t correct = 0;
  int64_t total = 0;
  double accuracy = 0;
};
struct AnalogyEvalResult {
  std::string file;
  std::string method;
  int64_t restrict_vocab = 0;
  std::vector<SectionRow> sections;
  SectionRow total;
  int64_t questions = 0;
  int64_t oov = 0;
  double oov_ratio = 0;  // percent
};
std::string render(const AnalogyEvalResult& result, OutputFormat format, bool color);

// eval analogies --style word2vec: compute-accuracy's counts. As text, compute-accuracy's own
// report, line for line, so that it compares with logs of the C tool.
struct Word2vecSectionRow {
  std::string name;
  bool has_header = true;  // compute-accuracy prints nothing for questions before the first header
  bool semantic = true;
  int64_t correct = 0;
  int64_t seen = 0;
  int64_t questions = 0;
};
struct Word2vecAccuracyResult {
  std::string file;
  int64_t threshold = 0;
  std::vector<Word2vecSectionRow> sections;
};
std::string render(const Word2vecAccuracyResult& result, OutputFormat format, bool color);

std::string render(const RankedResult& result, OutputFormat format, bool color);
// Several ranked answers: JSON one line each; TSV one table with a leading "query" column;
// text one table each under a heading. Failed queries appear only in JSON (their error is
// also logged on stderr).
std::string render(const std::vector<RankedResult>& results, OutputFormat format, bool color);
std::string render(const PairResult& result, OutputFormat format, bool color);
std::string render(const VectorResult& result, OutputFormat format, bool color);
std::string render(const FactsResult& result, OutputFormat format, bool color);

}  // namespace embtool::output
