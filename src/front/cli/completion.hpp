// Shell completion scripts for bash, zsh and fish, written from the grammar outline (so from
// the command table): commands, each command's options, option values (choices, file names),
// file arguments, and vocabulary words of the query commands, asked of the model itself
// (`embtool words --prefix`), bounded by a timeout so that a slow model never hangs a prompt.
#pragma once

#include <string>
#include <string_view>

#include "front/cli/grammar_outline.hpp"

namespace embtool::cli {

// The shells `completion` writes scripts for.
inline constexpr std::string_view kCompletionShells[] = {"bash", "zsh", "fish"};

// The script for `shell` (one of kCompletionShells).
std::string completion_script(const GrammarOutline& grammar, std::string_view shell);

}  // namespace embtool::cli
