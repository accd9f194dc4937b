#include "app/answers.hpp"

#include <fmt/format.h>

namespace embtool::app {

namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace

std::string_view command_of(const Answer& answer) {
  return std::visit(overloaded{[](const SimilarityAnswer&) { return "similar"; },
                               [](const DistanceAnswer&) { return "distance"; },
                               [](const NeighborsAnswer& a) { return a.by_vector ? "similar-by-vector" : "neighbors"; },
                               [](const SetSimilarityAnswer&) { return "n-similarity"; },
                               [](const CloserThanAnswer& a) { return a.rank_only ? "rank" : "closer-than"; },
                               [](const AnalogyAnswer&) { return "analogy"; },
                               [](const DoesntMatchAnswer&) { return "doesnt-match"; },
                               [](const VectorAnswer&) { return "vector"; },
                               [](const InfoAnswer&) { return "info"; },
                               [](const AnalogyEvalAnswer&) { return "eval-analogies"; },
                               [](const Word2vecAccuracyAnswer&) { return "eval-analogies"; },
                               [](const PairEvalAnswer&) { return "eval-pairs"; },
                               [](const TokenizeAnswer&) { return "tokenize"; },
                               [](const DetokenizeAnswer&) { return "detokenize"; },
                               [](const EmbedAnswer&) { return "embed"; },
                               [](const TokenDiagnosticsAnswer&) { return "tokens"; },
                               [](const WordsAnswer&) { return "words"; },
                               [](const PlotAnswer&) { return "plot"; }},
                    answer);
}

std::optional<Error> failure_of(const Answer& answer) {
  if (const auto* words = std::get_if<WordsAnswer>(&answer); words != nullptr && words->matched == 0) {
    if (words->filter == "all") return Error(ErrorKind::not_found, "the vocabulary is empty");
    const std::string_view what = words->filter == "prefix" ? "the prefix" : words->filter == "regex" ? "the regex" : "the text";
    return Error(ErrorKind::not_found, fmt::format("no word matches {} '{}'", what, words->pattern));
  }
  const auto* neighbors = std::get_if<NeighborsAnswer>(&answer);
  if (neighbors == nullptr) return std::nullopt;
  size_t failed = 0;
  for (const NeighborsQuery& q : neighbors->queries) failed += q.error ? 1 : 0;
  if (failed == 0) return std::nullopt;
  return Error(ErrorKind::not_found,
               fmt::format("{} of {} words are not in the vocabulary", failed, neighbors->queries.size()));
}

}  // namespace embtool::app
