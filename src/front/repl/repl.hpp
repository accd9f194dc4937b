// embtool repl: an interactive shell over one loaded model. The query grammar of batch lines
// (the query commands of the command table), a prompt with line editing and history
// (libedit), tab completion of commands and of vocabulary words, `help`, and answers printed
// as tables.
#pragma once

#include <ostream>

#include "app/session.hpp"
#include "render/render.hpp"

namespace embtool::repl {

void run_repl(const app::Session& session, std::ostream& out, bool color, const output::ErrorWording& wording);

}  // namespace embtool::repl
