// A regular expression that vocabulary words are searched with (`words --regex R`): PCRE2's
// Perl syntax with Unicode properties (`\p{Han}`, `\w` for every script's letters), matched
// anywhere in a word as grep does (anchor it with ^ and $); a word whose bytes are not valid
// UTF-8 is searched too (its valid parts can match), never an error.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace embtool {

class WordPattern {
 public:
  // Throws invalid_argument naming what is wrong and where: "--regex 'a(b': missing closing
  // parenthesis at offset 3".
  static WordPattern compile(std::string_view pattern);

  bool found_in(std::string_view word) const;
  const std::string& pattern() const { return pattern_; }

  WordPattern(WordPattern&&) noexcept;
  WordPattern& operator=(WordPattern&&) noexcept;
  ~WordPattern();

 private:
  struct Compiled;
  WordPattern(std::string pattern, std::unique_ptr<Compiled> compiled);
  std::string pattern_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace embtool
