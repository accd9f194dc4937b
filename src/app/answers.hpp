// What each command answers, as values: the query functions return these, the renderers
// (render/) turn them into text, JSON and TSV, and every front end (command line, batch, the
// shell, and later HTTP) shows the same answer its own way. Nothing here is formatted text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace embtool::app {

// What a tokenizer model adds to a row's name: the text its token stands for (" king" for
// "Ġking"; bytes, possibly not valid UTF-8) and its kind ("normal", "control", ...).
struct TokenText {
  std::string text;
  std::string kind;
  bool special = false;  // control, unknown or unused: not text of its own
};

// A row as an answer names it: the vocabulary's word (for a tokenizer model, the token's own
// spelling), its row id, and for tokenizer models what the token stands for.
struct RowRef {
  std::string word;
  uint32_t id = 0;
  std::optional<TokenText> token;
};

struct ScoredWord {
  std::string word;
  float score = 0;
  uint32_t id = 0;
  std::optional<TokenText> token;
};

// similar A B: the vocabulary words used (after a case fallback, the word found).
struct SimilarityAnswer {
  RowRef a, b;
  float similarity = 0;
};

// distance A B.
struct DistanceAnswer {
  RowRef a, b;
  float cosine_distance = 0;
  float euclidean_distance = 0;
};

// One query of neighbors: a word, or an expression ("king - man + woman").
struct NeighborsQuery {
  enum class Kind { word, expression };
  Kind kind = Kind::word;
  std::string text;  // the vocabulary word used, or the expression as written
  std::optional<RowRef> row;  // a word's row (absent for an expression or a failed query)
  int64_t k = 0;
  std::vector<ScoredWord> results;
  std::optional<Error> error;  // this query failed (an unknown word); the others stand
};

// neighbors W1 W2 ...: one answer per query word, in order, each carrying its query.
struct NeighborsAnswer {
  std::vector<NeighborsQuery> queries;
};

struct AnalogyAnswer {
  RowRef a, b, c;
  std::string method;  // "add" or "mul"
  int64_t k = 0;
  std::vector<ScoredWord> results;
};

struct DoesntMatchAnswer {
  RowRef answer;
};

struct VectorAnswer {
  RowRef row;
  std::vector<float> values;
};

// One named fact: text, a float or a count.
struct Fact {
  using Value = std::variant<std::string, float, int64_t>;
  std::string name;
  Value value;
};

// One tensor of a checkpoint (info --tensors).
struct TensorListing {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  int64_t bytes = 0;
  std::string file;  // the shard holding it; empty for a single file
};

// info: named facts, in order; with --tensors, also every tensor of a checkpoint.
struct InfoAnswer {
  std::vector<Fact> facts;
  std::optional<std::vector<TensorListing>> tensors;
};

struct SectionCount {
  std::string name;
  int64_t correct = 0;
  int64_t total = 0;
  double accuracy = 0;
};

// eval analogies (gensim's rules).
struct AnalogyEvalAnswer {
  std::string file;
  std::string method;
  int64_t restrict_vocab = 0;
  std::vector<SectionCount> sections;
  SectionCount total;
  int64_t questions = 0;
  int64_t oov = 0;
  double oov_ratio = 0;  // percent
};

// eval analogies --style word2vec: compute-accuracy's counts per section.
struct Word2vecSectionCount {
  std::string name;
  bool has_header = true;  // compute-accuracy prints nothing for questions before the first header
  bool semantic = true;
  int64_t correct = 0;
  int64_t seen = 0;
  int64_t questions = 0;
};
struct Word2vecAccuracyAnswer {
  std::string file;
  int64_t threshold = 0;
  std::vector<Word2vecSectionCount> sections;
};

// eval pairs.
struct PairEvalAnswer {
  std::string file;
  float pearson = 0;
  float spearman = 0;
  int64_t pairs = 0;
  int64_t oov = 0;
  float oov_ratio = 0;
};

// The answer of one query: what a command prints, or what a batch line holds.
using Answer = std::variant<SimilarityAnswer, DistanceAnswer, NeighborsAnswer, AnalogyAnswer,
                            DoesntMatchAnswer, VectorAnswer, InfoAnswer, AnalogyEvalAnswer,
                            Word2vecAccuracyAnswer, PairEvalAnswer>;

// The command an answer answers ("neighbors", "eval-analogies", ...), as JSON names it.
std::string_view command_of(const Answer& answer);

// The error a command ends with although it answered: some words of a multi-word neighbors
// were unknown (their places hold their errors).
std::optional<Error> failure_of(const Answer& answer);

// batch: each line's answer or error, with its line number and its text as written.
struct BatchLineAnswer {
  size_t line = 0;    // 1-based, in the input
  std::string query;  // the line without its line end
  std::variant<Answer, Error> outcome;
};
struct BatchAnswer {
  std::vector<BatchLineAnswer> lines;
};

// convert: what was written. Nothing goes to standard output; the front ends log it.
struct ConvertReport {
  std::string input;
  std::string output;
  std::string format;  // the output's format name ("embtool-store" for a store)
  uint64_t words = 0;
  uint64_t dim = 0;
  double seconds = 0;  // writing only
};

}  // namespace embtool::app
