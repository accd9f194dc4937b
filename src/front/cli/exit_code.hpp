// The command line's exit codes, and how the library's kinds of error map onto them. This is
// the only place that knows both.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace embtool::cli {

// Exit codes are part of the documented interface (README, "Exit codes"); never renumber.
enum class ExitCode : int {
  ok = 0,
  failure = 1,     // anything unexpected, or failures of several kinds (batch)
  usage = 2,       // bad command line or query syntax
  not_found = 3,   // a word is not in the vocabulary
  bad_file = 4,    // the vector file is malformed, truncated or of an unknown format
  io = 5,          // a file cannot be opened, read or written; output cannot be written
};

ExitCode exit_code_for(ErrorKind kind);

// What an exit code means, in a line (the man page's EXIT STATUS).
std::string_view exit_code_meaning(ExitCode code);
inline constexpr ExitCode kExitCodes[] = {ExitCode::ok,        ExitCode::failure,  ExitCode::usage,
                                          ExitCode::not_found, ExitCode::bad_file, ExitCode::io};

// The error's message as the command line says it: the library's words, then its remedy in
// flags ("... (use --force to replace it)").
std::string cli_message(const Error& error);

}  // namespace embtool::cli
