// embtool repl: an interactive shell over one loaded model. The query grammar of batch lines
// (the query commands of the command table), a prompt with line editing and history
// (libedit), tab completion of commands and of vocabulary words, `help`, and answers printed
// as tables.
#pragma once

#include <filesystem>
#include <optional>

#include <ostream>

#include "app/session.hpp"
#include "render/render.hpp"

namespace embtool::repl {

// Where the shell keeps its history: $XDG_STATE_HOME/embtool/history when that is an absolute
// path (the XDG spec ignores relative ones), else $HOME/.local/state/embtool/history; nullopt
// without either. The arguments are the variables' values or null.
std::optional<std::filesystem::path> history_path(const char* xdg_state_home, const char* home);

// Answers lines until quit or end of input. On a terminal (`terminal`) it greets on `err` and
// keeps its history in history_path()'s file; through pipes it prints answers alone.
void run_repl(const app::Session& session, std::ostream& out, std::ostream& err, bool terminal, bool color,
              const output::ErrorWording& wording);

}  // namespace embtool::repl
