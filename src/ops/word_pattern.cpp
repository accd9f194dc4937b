#include "ops/word_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include "base/error.hpp"

namespace embtool {

struct WordPattern::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  Compiled() = default;
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  ~Compiled() {
    pcre2_match_data_free(match);
    pcre2_code_free(code);
  }
};

WordPattern::WordPattern(std::string pattern, std::unique_ptr<Compiled> compiled)
    : pattern_(std::move(pattern)), compiled_(std::move(compiled)) {}
WordPattern::WordPattern(WordPattern&&) noexcept = default;
WordPattern& WordPattern::operator=(WordPattern&&) noexcept = default;
WordPattern::~WordPattern() = default;

WordPattern WordPattern::compile(std::string_view pattern) {
  auto compiled = std::make_unique<Compiled>();
  int error = 0;
  PCRE2_SIZE offset = 0;
  // MATCH_INVALID_UTF: words with bytes that are not UTF-8 (Latin-1 in some real files) are
  // searched in their valid parts instead of failing the match.
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (compiled->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw Error(ErrorKind::invalid_argument, fmt::format("--regex '{}': {} at offset {}", pattern,
                                                         reinterpret_cast<const char*>(message), offset));
  }
  // The JIT makes a search of a 3M-word vocabulary several times faster; without it (a
  // machine where it is not available) the interpreter gives the same answers.
  pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE);
  compiled->match = pcre2_match_data_create_from_pattern(compiled->code, nullptr);
  if (compiled->match == nullptr) throw Error(ErrorKind::io, "out of memory compiling --regex");
  return WordPattern(std::string(pattern), std::move(compiled));
}

bool WordPattern::found_in(std::string_view word) const {
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(word.data()), word.size(), 0, 0,
                             compiled_->match, nullptr);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  // The match limits (catastrophic backtracking on a hostile pattern): said, not guessed.
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(rc, message, sizeof message);
  throw Error(ErrorKind::invalid_argument,
              fmt::format("--regex '{}' could not be matched against a word: {}", pattern_,
                          reinterpret_cast<const char*>(message)));
}

}  // namespace embtool
