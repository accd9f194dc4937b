// One error type for everything a user can get wrong: a message in the user's words and
// the exit-code class the command line turns it into.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace embtool {

// Exit codes are part of the documented interface (README, "Exit codes"); never renumber.
enum class ExitCode : int {
  ok = 0,
  failure = 1,     // anything unexpected
  usage = 2,       // bad command line or query syntax
  not_found = 3,   // a word is not in the vocabulary
  bad_file = 4,    // the vector file is malformed, truncated or of an unknown format
  io = 5,          // the file cannot be opened or read
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// A query word that the vocabulary does not hold, with the spellings it probably meant.
class UnknownWordError : public Error {
 public:
  UnknownWordError(std::string word, std::vector<std::string> suggestions);
  const std::string& word() const noexcept { return word_; }
  const std::vector<std::string>& suggestions() const noexcept { return suggestions_; }

 private:
  std::string word_;
  std::vector<std::string> suggestions_;
};

}  // namespace embtool
