// embtool repl: an interactive shell over one loaded model. The query grammar of batch lines,
// a prompt with line editing and history (libedit), tab completion of commands and of
// vocabulary words, `help`, and answers printed as tables.
#pragma once

#include "front/cli/commands.hpp"

namespace embtool::cli {

void run_repl(const CommandContext& ctx);

}  // namespace embtool::cli
