// gensim's ok_vocab for its evaluations: the first `restrict_vocab` words, keyed by their
// upper-cased form (Python's str.upper(), as gensim's) when case-insensitive, the first
// occurrence of a form winning.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/embeddings.hpp"
#include "ops/text_case.hpp"

namespace embtool::ops {

class EvaluationVocabulary {
 public:
  EvaluationVocabulary(const Embeddings& e, size_t restrict_vocab, bool case_insensitive)
      : case_insensitive_(case_insensitive) {
    const size_t rows = std::min(restrict_vocab, e.rows());
    for (uint32_t r = 0; r < rows; ++r) rows_.try_emplace(key(e.vocabulary().word(r)), r);
  }

  // The form words are compared by.
  std::string key(std::string_view word) const {
    return case_insensitive_ ? python_upper(word) : std::string(word);
  }

  // The row of a compared form, if it is among the first restrict_vocab words.
  std::optional<uint32_t> find(const std::string& key) const {
    const auto it = rows_.find(key);
    return it == rows_.end() ? std::nullopt : std::optional(it->second);
  }

 private:
  bool case_insensitive_;
  std::unordered_map<std::string, uint32_t> rows_;
};

}  // namespace embtool::ops
