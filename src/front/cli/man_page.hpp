// The manual page embtool(1), in roff, written from the grammar outline (so from the command
// table): every command with its options and examples, the global options, exit status and
// environment. `embtool help --man` prints it; the build writes it and `cmake --install`
// installs it under share/man/man1.
#pragma once

#include <string>
#include <string_view>

#include "front/cli/grammar_outline.hpp"

namespace embtool::cli {

std::string man_page(const GrammarOutline& grammar, std::string_view version);

}  // namespace embtool::cli
