// batch: one query a line, in the grammar of the query commands, answered in order, each line
// with its answer or its error in its place; the model is loaded once, and the neighbors and
// 3CosAdd analogy searches of the whole batch are answered together in one pass over the
// matrix.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include "app/answers.hpp"
#include "app/command.hpp"
#include "app/session.hpp"

namespace embtool::app {

// Every line of `in` that is not blank or a '#' comment. `source` names the input in
// messages ("queries.txt", "standard input").
// `check`, if given, sees each line's arguments once parsed; what it throws becomes the
// line's error (a server's bounds on k, say).
using LineCheck = std::function<void(const Command&, const CommandArgs&)>;
BatchAnswer answer_batch(const Session& session, std::istream& in, std::string_view source,
                         const LineCheck& check = {});

// One query line (the grammar of a batch line) answered on its own: for the shell.
BatchLineAnswer answer_line(const Session& session, const std::string& text);

}  // namespace embtool::app
