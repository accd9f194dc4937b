// A word as a query gives it: spelled out (a word; for a tokenizer model, a token's own key
// "Ġking" or the text it stands for " king") or by its row id (`--id 5822`), which names
// any row, even one whose key another row shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace embtool::app {

struct Term {
  std::string word;
  std::optional<uint64_t> id;

  static Term spelled(std::string word) { return {std::move(word), std::nullopt}; }
  static Term row(uint64_t id) { return {std::string(), id}; }
  bool is_row() const { return id.has_value(); }
};

// The words as written, then the ids, in that order: how `similar cat --id 7` reads.
inline std::vector<Term> terms_of(const std::vector<std::string>& words, const std::vector<uint64_t>& ids) {
  std::vector<Term> terms;
  terms.reserve(words.size() + ids.size());
  for (const std::string& word : words) terms.push_back(Term::spelled(word));
  for (const uint64_t id : ids) terms.push_back(Term::row(id));
  return terms;
}

}  // namespace embtool::app
