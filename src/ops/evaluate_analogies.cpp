// gensim 4.2 evaluate_word_analogies, step by step: the vocabulary is cut to restrict_vocab
// words and keyed by Python's upper case (first occurrence wins); each question asks
// most_similar(positive=[b, c], negative=[a], topn=5, restrict_vocab) and takes the first
// answer that is not one of a, b, c (compared upper-cased). The 3CosAdd searches of the
// whole file are answered together (top_k_cosine_batch), and so are the 3CosMul ones
// (most_similar_cosmul_batch).
#include <fmt/format.h>

#include <optional>
#include <sstream>
#include <unordered_set>

#include "base/error.hpp"
#include "ops/evaluate.hpp"
#include "ops/evaluation_vocabulary.hpp"

namespace embtool {
namespace {

constexpr size_t kTopN = 5;  // gensim's topn in evaluate_word_analogies

struct Question {
  size_t section;
  std::string a, b, c, expected;  // compared forms (upper-cased unless case-sensitive)
  uint32_t ra, rb, rc;
};

std::string strip(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n\f\v");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n\f\v");
  return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> split(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  return tokens;
}

std::vector<std::vector<Neighbor>> answers_of(const Embeddings& e, const std::vector<Question>& questions,
                                              const AnalogyEvalOptions& options) {
  SearchOptions search = options.search;
  search.row_limit = options.restrict_vocab;
  std::vector<std::vector<Neighbor>> answers(questions.size());
  if (options.method == AnalogyMethod::mul) {
    std::vector<CosmulQuery> queries;
    std::vector<size_t> owners;
    for (size_t i = 0; i < questions.size(); ++i) {
      const Question& q = questions[i];
      // A zero vector has no unit vector: no answer, so the question is wrong.
      if (e.norm(q.ra) == 0.0f || e.norm(q.rb) == 0.0f || e.norm(q.rc) == 0.0f) continue;
      queries.push_back({{q.rb, q.rc}, {q.ra}, kTopN});
      owners.push_back(i);
    }
    auto found = most_similar_cosmul_batch(e, queries, search);
    for (size_t j = 0; j < owners.size(); ++j) answers[owners[j]] = std::move(found[j]);
    return answers;
  }
  std::vector<CosineSearch> searches(questions.size());
  std::vector<CosineQuery> queries;
  std::vector<size_t> owners;
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    const WeightedRow terms[] = {{q.rb, 1.0f}, {q.rc, 1.0f}, {q.ra, -1.0f}};
    try {
      searches[i] = most_similar_search(e, terms);
    } catch (const Error&) {
      continue;
    }
    queries.push_back({searches[i].unit_query, kTopN, searches[i].excluded});
    owners.push_back(i);
  }
  auto found = top_k_cosine_batch(e, queries, search);
  for (size_t j = 0; j < owners.size(); ++j) answers[owners[j]] = std::move(found[j]);
  return answers;
}

}  // namespace

AnalogyEvaluation evaluate_analogies(const Embeddings& e, std::istream& input,
                                     const AnalogyEvalOptions& options) {
  const ops::EvaluationVocabulary vocab(e, options.restrict_vocab, options.case_insensitive);
  AnalogyEvaluation result;
  std::vector<Question> questions;
  size_t line_number = 0;
  for (std::string line; std::getline(input, line);) {
    ++line_number;
    if (line.starts_with(": ")) {
      // Python's line.lstrip(': ').strip()
      result.sections.push_back({strip(line.substr(line.find_first_not_of(": "))), 0, 0});
      continue;
    }
    if (result.sections.empty()) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("missing section header (': name') before line {}", line_number));
    }
    std::vector<std::string> words = split(line);
    if (words.size() != 4) continue;  // gensim skips malformed lines without counting them
    for (std::string& w : words) w = vocab.key(w);
    ++result.questions;
    SectionScore& section = result.sections.back();
    const auto ra = vocab.find(words[0]), rb = vocab.find(words[1]), rc = vocab.find(words[2]);
    if (!ra || !rb || !rc || !vocab.find(words[3])) {
      ++result.oov;
      if (options.dummy4unknown) ++section.incorrect;
      continue;
    }
    questions.push_back({result.sections.size() - 1, words[0], words[1], words[2], words[3], *ra, *rb, *rc});
  }
  const auto answers = answers_of(e, questions, options);
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    std::optional<std::string> predicted;
    for (const Neighbor& n : answers[i]) {
      predicted = vocab.key(e.vocabulary().word(n.row));
      if (*predicted != q.a && *predicted != q.b && *predicted != q.c) break;
    }
    SectionScore& section = result.sections[q.section];
    if (predicted == q.expected) ++section.correct;
    else ++section.incorrect;
  }
  for (const SectionScore& s : result.sections) {
    result.total.correct += s.correct;
    result.total.incorrect += s.incorrect;
  }
  return result;
}

}  // namespace embtool
