// One error type for everything that can go wrong: a kind, which a front end turns into its
// own terms (the command line's exit codes, HTTP statuses), and a message in plain words
// that names no command-line flag. What the user could do about it is a Remedy, which each
// front end words in its own vocabulary ("--force", a request parameter).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace embtool {

enum class ErrorKind {
  invalid_argument,  // a request the user can fix: bad syntax, a value out of range
  not_found,         // a word, row or file that is not there
  bad_data,          // a file that is malformed, truncated or of an unknown format
  io,                // a file that cannot be opened, read or written
  internal,          // an invariant of embtool itself is broken: never the user's fault
};

// "invalid argument", "not found", "bad data", "I/O error", "internal error".
std::string_view error_kind_name(ErrorKind kind);

// A way out the front end may offer, in its own words.
enum class Remedy {
  none,
  replace_existing,  // the output exists: allow replacing it
  keep_nonfinite,    // NaN/Inf values: allow keeping them
  read_as_binary,    // the file was forced to text but is word2vec binary
  read_as_text,      // the file was forced to binary but is text
  name_the_format,   // detection failed: name the format
  not_strict,        // refused only because strict reading was asked for
  use_int8,          // a value beyond float16's range: store int8 instead
  name_the_model,    // no usable model file was named: name one
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, Remedy remedy = Remedy::none)
      : std::runtime_error(message), kind_(kind), remedy_(remedy) {}
  ErrorKind kind() const noexcept { return kind_; }
  Remedy remedy() const noexcept { return remedy_; }

 private:
  ErrorKind kind_;
  Remedy remedy_;
};

// A query word that the vocabulary does not hold, with the spellings it probably meant.
class UnknownWordError : public Error {
 public:
  UnknownWordError(std::string word, std::vector<std::string> suggestions);
  // The same word with its message said otherwise (why it is missing: a --limit).
  UnknownWordError(const UnknownWordError& missing, std::string message);
  const std::string& word() const noexcept { return word_; }
  const std::vector<std::string>& suggestions() const noexcept { return suggestions_; }

 private:
  std::string word_;
  std::vector<std::string> suggestions_;
};

}  // namespace embtool
