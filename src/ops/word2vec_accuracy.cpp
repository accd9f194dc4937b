// compute-accuracy, word2vec's evaluation tool, rule for rule (see evaluate.hpp), with its
// answers found fast: every question is first answered by the batched cosine search, which
// ranks rows as compute-accuracy does up to rounding; the few rows that rounding could put
// first are then scored with compute-accuracy's own float arithmetic, so the chosen row is
// the one it chooses.
#include <algorithm>
#include <array>
#include <cmath>
#include <istream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ops/evaluate.hpp"
#include "kernels/rounding_bound.hpp"

namespace embtool {
namespace {

// The batch search keeps this many candidates a question; more are rarely within rounding.
constexpr size_t kCandidates = 16;

// scanf("%s") followed by feof(): whitespace-separated words, and whether the input has
// ended, which it has once a read fails or a word runs into the end of the input.
class WordReader {
 public:
  explicit WordReader(std::istream& in) : in_(in) {}

  // The next word into `word`; on failure `word` keeps its old value, as scanf leaves it.
  void read(std::string& word) {
    int c = in_.get();
    while (c != EOF && is_space(c)) c = in_.get();
    if (c == EOF) {
      ended_ = true;
      return;
    }
    word.clear();
    while (c != EOF && !is_space(c)) {
      word.push_back(static_cast<char>(c));
      c = in_.get();
    }
    if (c == EOF) ended_ = true;
  }

  bool ended() const { return ended_; }

 private:
  static bool is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

  std::istream& in_;
  bool ended_ = false;
};

// C's toupper in the "C" locale: ASCII letters only.
std::string ascii_upper(std::string word) {
  for (char& c : word) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return word;
}

// compute-accuracy's float arithmetic as C defines it: each product rounded to float, sums
// in order. (This file is compiled with -ffp-contract=off so that it stays so.) A build of
// the C tool with -march=native fuses some multiply-adds of each row's length, which can move
// a length by one unit in the last place and so flip exact ties between scaled copies of a
// vector; the peer test builds it with -ffp-contract=off.
float c_length(std::span<const float> row) {
  float sum = 0;
  for (float x : row) sum += x * x;
  return static_cast<float>(std::sqrt(static_cast<double>(sum)));
}

// The dot product of `query` with `row` normalized the way compute-accuracy normalizes it
// (each element divided by the row's length), NaN for a row of length zero.
float c_dot(std::span<const float> query, std::span<const float> row, float length) {
  float dot = 0;
  for (size_t a = 0; a < row.size(); ++a) dot += query[a] * (row[a] / length);
  return dot;
}

class Word2vecModel {
 public:
  Word2vecModel(const Embeddings& e, size_t threshold)
      : e_(e), words_(threshold > 0 ? std::min(threshold, e.rows()) : e.rows()) {
    for (uint32_t r = 0; r < words_; ++r) rows_.try_emplace(upper_word(r), r);
  }

  size_t words() const { return words_; }
  size_t dim() const { return e_.dim(); }
  std::string upper_word(uint32_t row) const { return ascii_upper(std::string(e_.vocabulary().word(row))); }

  std::optional<uint32_t> find(const std::string& upper) const {
    const auto it = rows_.find(upper);
    return it == rows_.end() ? std::nullopt : std::optional(it->second);
  }

  // compute-accuracy's question vector: (b - a) + c of the normalized rows.
  std::vector<float> question_vector(uint32_t a, uint32_t b, uint32_t c) const {
    const auto ra = e_.row_values(a), rb = e_.row_values(b), rc = e_.row_values(c);
    const float la = c_length(ra), lb = c_length(rb), lc = c_length(rc);
    std::vector<float> query(dim());
    for (size_t i = 0; i < query.size(); ++i) query[i] = (rb[i] / lb - ra[i] / la) + rc[i] / lc;
    return query;
  }

  float score(std::span<const float> query, uint32_t row) const {
    const auto values = e_.row_values(row);
    return c_dot(query, values, c_length(values));
  }

 private:
  const Embeddings& e_;
  size_t words_;
  std::unordered_map<std::string, uint32_t> rows_;
};

struct Question {
  size_t section;
  std::array<uint32_t, 3> rows;  // a, b, c
  std::string expected;          // upper-cased
  std::optional<uint32_t> answer;
};

// compute-accuracy's choice among `rows` (in ascending order): the first of the highest dot
// products, if it is above zero; NaN never wins.
std::optional<uint32_t> c_best(const Word2vecModel& model, const Question& q, std::span<const uint32_t> rows) {
  const std::vector<float> query = model.question_vector(q.rows[0], q.rows[1], q.rows[2]);
  float best = 0;
  std::optional<uint32_t> chosen;
  for (uint32_t row : rows) {
    if (row == q.rows[0] || row == q.rows[1] || row == q.rows[2]) continue;
    const float dist = model.score(query, row);
    if (dist > best) {
      best = dist;
      chosen = row;
    }
  }
  return chosen;
}

std::optional<uint32_t> c_best_of_all(const Word2vecModel& model, const Question& q) {
  std::vector<uint32_t> rows(model.words());
  for (uint32_t r = 0; r < rows.size(); ++r) rows[r] = r;
  return c_best(model, q, rows);
}

// How far our cosine and compute-accuracy's dot product (over the query's length) can each
// be from the exact cosine: a sum of d rounded products, a length and a division each, within
// the float32 rounding bound of d + 2 terms, with room to spare (16 times). Two rows whose
// cosines differ by more than twice both can't swap places.
float rounding_margin(size_t dim) {
  return static_cast<float>(16 * kernels::float32_dot_rounding_bound(dim + 2));
}

// The rows that could come first for compute-accuracy, from the batch's best by cosine.
std::optional<uint32_t> choose(const Word2vecModel& model, const Question& q, const std::vector<Neighbor>& ranked) {
  if (ranked.empty()) return std::nullopt;
  const float floor = ranked.front().score - rounding_margin(model.dim());
  if (ranked.size() == kCandidates && ranked.back().score >= floor) return c_best_of_all(model, q);
  std::vector<uint32_t> candidates;
  for (const Neighbor& n : ranked) {
    if (n.score >= floor) candidates.push_back(n.row);
  }
  std::sort(candidates.begin(), candidates.end());
  return c_best(model, q, candidates);
}

// `v` scaled to length 1 into `out`; false for a zero or NaN vector, which has no answer.
bool to_unit(std::span<const float> v, std::span<float> out) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  const double length = std::sqrt(sum);
  if (!(length > 0) || !std::isfinite(length)) return false;
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] / length);
  return true;
}

void answer_all(const Embeddings& e, const Word2vecModel& model, std::vector<Question>& questions,
                const Word2vecAccuracyOptions& options) {
  const size_t dim = model.dim();
  std::vector<float> unit_queries(questions.size() * dim);
  std::vector<CosineQuery> queries;
  std::vector<Question*> asked;
  for (Question& q : questions) {
    const std::span<float> unit(unit_queries.data() + queries.size() * dim, dim);
    if (!to_unit(model.question_vector(q.rows[0], q.rows[1], q.rows[2]), unit)) continue;
    queries.push_back({unit, kCandidates, q.rows});
    asked.push_back(&q);
  }
  SearchOptions search = options.search;
  search.row_limit = model.words();
  const auto ranked = top_k_cosine_batch(e, queries, search);
  for (size_t i = 0; i < asked.size(); ++i) asked[i]->answer = choose(model, *asked[i], ranked[i]);
}

// The sections and questions as compute-accuracy's reading loop walks them.
std::vector<Question> read_questions(std::istream& input, const Word2vecModel& model,
                                     std::vector<Word2vecSection>& sections) {
  WordReader reader(input);
  std::vector<Question> questions;
  std::array<std::string, 4> words;  // st1..st4; a failed read keeps the old word
  sections.push_back({"", false, true});
  size_t header_count = 0;
  while (true) {
    reader.read(words[0]);
    words[0] = ascii_upper(words[0]);
    if (words[0] == ":" || words[0] == "EXIT" || reader.ended()) {
      ++header_count;
      reader.read(words[0]);
      if (reader.ended()) break;
      sections.push_back({words[0], true, header_count <= 5});
      continue;
    }
    for (size_t i = 1; i < 4; ++i) {
      reader.read(words[i]);
      words[i] = ascii_upper(words[i]);
    }
    Word2vecSection& section = sections.back();
    ++section.questions;
    const auto a = model.find(words[0]), b = model.find(words[1]), c = model.find(words[2]);
    if (!a || !b || !c || !model.find(words[3])) continue;
    ++section.seen;
    questions.push_back({sections.size() - 1, {*a, *b, *c}, words[3], {}});
  }
  return questions;
}

}  // namespace

Word2vecAccuracy evaluate_analogies_word2vec(const Embeddings& e, std::istream& input,
                                             const Word2vecAccuracyOptions& options) {
  const Word2vecModel model(e, options.threshold);
  Word2vecAccuracy result;
  std::vector<Question> questions = read_questions(input, model, result.sections);
  answer_all(e, model, questions, options);
  for (const Question& q : questions) {
    if (q.answer && model.upper_word(*q.answer) == q.expected) ++result.sections[q.section].correct;
  }
  if (!result.sections.front().questions) result.sections.erase(result.sections.begin());
  return result;
}

}  // namespace embtool
