// batch: one query a line, in the grammar of the query commands, answered in order, each line
// with its answer or its error in its place; the model is loaded once, and the neighbors and
// 3CosAdd analogy searches of the whole batch are answered together in one pass over the
// matrix.
#pragma once

#include <istream>
#include <string>

#include "app/answers.hpp"
#include "app/session.hpp"

namespace embtool::app {

// Every line of `in` that is not blank or a '#' comment. `source` names the input in
// messages ("queries.txt", "standard input").
BatchAnswer answer_batch(const Session& session, std::istream& in, std::string_view source);

// One query line (the grammar of a batch line) answered on its own: for the shell.
BatchLineAnswer answer_line(const Session& session, const std::string& text);

}  // namespace embtool::app
