#include "front/cli/exit_code.hpp"

namespace embtool::cli {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument: return ExitCode::usage;
    case ErrorKind::not_found: return ExitCode::not_found;
    case ErrorKind::bad_data: return ExitCode::bad_file;
    case ErrorKind::io: return ExitCode::io;
    case ErrorKind::internal: return ExitCode::failure;
  }
  return ExitCode::failure;
}

std::string_view exit_code_meaning(ExitCode code) {
  switch (code) {
    case ExitCode::ok: return "success";
    case ExitCode::failure:
      return "unexpected failure (out of memory, an internal error), or lines of a batch that failed in "
             "different ways";
    case ExitCode::usage: return "usage: a bad command line, or a query that has no answer";
    case ExitCode::not_found: return "not found: a word not in the vocabulary, a row beyond the last, no word matching";
    case ExitCode::bad_file: return "bad file: malformed, truncated, of an unknown format, or holding NaN/Inf";
    case ExitCode::io: return "I/O: a file cannot be opened, read or written; the output cannot be written";
  }
  return "";
}

namespace {

std::string remedy_in_flags(Remedy remedy) {
  switch (remedy) {
    case Remedy::none: return {};
    case Remedy::replace_existing: return "use --force to replace it";
    case Remedy::keep_nonfinite: return "use --allow-nonfinite to keep such values";
    case Remedy::read_as_binary: return "use --format word2vec-binary, or let embtool detect the format";
    case Remedy::read_as_text: return "use --format word2vec-text, or let embtool detect the format";
    case Remedy::name_the_format: return "try --format";
    case Remedy::not_strict: return "refused: --strict";
    case Remedy::use_int8: return "use --dtype i8 instead";
    case Remedy::name_the_model: return "use --model PATH or set EMBTOOL_MODEL";
  }
  return {};
}

}  // namespace

std::string cli_message(const Error& error) {
  const std::string remedy = remedy_in_flags(error.remedy());
  if (remedy.empty()) return error.what();
  return std::string(error.what()) + " (" + remedy + ")";
}

}  // namespace embtool::cli
