// gensim 4.2 evaluate_word_pairs: the vocabulary cut to restrict_vocab words and keyed by
// Python's upper case (first occurrence wins); a line is three tab-separated fields, the last a
// number; the model's similarity is the cosine; Pearson and Spearman as scipy computes them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <optional>

#include "base/error.hpp"
#include "ops/evaluate.hpp"
#include "ops/evaluation_vocabulary.hpp"

namespace embtool {
namespace {

std::vector<std::string> split_tabs(std::string_view line) {
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    const size_t tab = line.find('\t', start);
    fields.emplace_back(line.substr(start, tab == std::string_view::npos ? line.npos : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

// Python's float(): surrounding blanks allowed, the whole rest must be the number.
std::optional<double> parse_python_float(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n\f\v");
  if (begin == std::string::npos) return std::nullopt;
  const char* start = text.c_str() + begin;
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  for (const char* p = end; *p; ++p) {
    if (!std::isspace(static_cast<unsigned char>(*p))) return std::nullopt;
  }
  return value;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const auto n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// Ranks from 1, tied values sharing their average rank (scipy.stats.rankdata "average").
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t t = i; t <= j; ++t) ranks[order[t]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

PairEvaluation evaluate_pairs(const Embeddings& e, std::istream& input, const PairEvalOptions& options) {
  const ops::EvaluationVocabulary vocab(e, options.restrict_vocab, options.case_insensitive);

  std::vector<double> gold, model;
  PairEvaluation result;
  for (std::string line; std::getline(input, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // Python's universal newlines
    if (line.starts_with('#')) continue;
    const std::vector<std::string> fields = split_tabs(line);
    if (fields.size() != 3) continue;
    const auto score = parse_python_float(fields[2]);
    if (!score) continue;
    const auto a = vocab.find(vocab.key(fields[0]));
    const auto b = vocab.find(vocab.key(fields[1]));
    if (!a || !b) {
      ++result.oov;
      if (options.dummy4unknown) {
        gold.push_back(*score);
        model.push_back(0.0);
      }
      continue;
    }
    gold.push_back(*score);
    model.push_back(static_cast<float>(similarity(e, *a, *b)));
  }
  if (gold.empty()) {
    throw Error(ErrorKind::bad_data, "no valid similarity judgements: every line is malformed or has "
                                    "a word outside the vocabulary");
  }
  result.pairs = gold.size();
  result.pearson = pearson(gold, model);
  result.spearman = pearson(average_ranks(gold), average_ranks(model));
  const auto oov = static_cast<double>(result.oov);
  result.oov_ratio = 100.0 * oov / (options.dummy4unknown ? static_cast<double>(gold.size())
                                                           : static_cast<double>(gold.size()) + oov);
  return result;
}

}  // namespace embtool
