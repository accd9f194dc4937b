#include <fmt/format.h>

#include "base/error.hpp"
#include "ops/ops.hpp"
#include "ops/text_case.hpp"

namespace embtool {
namespace {

std::string unknown_word_message(const std::string& word, const std::vector<std::string>& suggestions) {
  if (suggestions.empty()) return fmt::format("'{}' is not in the vocabulary", word);
  return fmt::format("'{}' is not in the vocabulary; did you mean: {}?", word,
                     fmt::join(suggestions, ", "));
}

// The first (most frequent) row whose word equals `word` but for case.
std::optional<uint32_t> find_case_variant(const Vocabulary& vocabulary, std::string_view word) {
  const std::string folded = ops::fold_case(word);
  for (uint32_t row = 0; row < vocabulary.size(); ++row) {
    const std::string_view other = vocabulary.word(row);
    if (other.size() + 4 < folded.size() || other.size() > folded.size() + 4) continue;
    if (ops::fold_case(other) == folded) return row;
  }
  return std::nullopt;
}

}  // namespace

UnknownWordError::UnknownWordError(std::string word, std::vector<std::string> suggestions)
    : Error(ErrorKind::not_found, unknown_word_message(word, suggestions)),
      word_(std::move(word)),
      suggestions_(std::move(suggestions)) {}

UnknownWordError::UnknownWordError(const UnknownWordError& missing, std::string message)
    : Error(ErrorKind::not_found, std::move(message)), word_(missing.word_), suggestions_(missing.suggestions_) {}

ResolvedWord resolve_word(const Embeddings& embeddings, std::string_view word, bool case_fallback) {
  const Vocabulary& vocabulary = embeddings.vocabulary();
  if (const auto row = vocabulary.find(word)) return {*row, false};
  // A token by the text it stands for: " king" names GPT-2's "Ġking".
  if (const Tokens* tokens = embeddings.tokens()) {
    if (const auto row = tokens->find_text(word)) return {*row, false};
  }
  if (case_fallback) {
    if (const auto row = find_case_variant(vocabulary, word)) return {*row, true};
  }
  throw UnknownWordError(std::string(word), suggest_words(vocabulary, word));
}

}  // namespace embtool
