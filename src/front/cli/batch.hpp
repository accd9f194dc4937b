// embtool batch: one query a line, in the grammar of the commands, answered in order with one
// output line (JSON) or block (text) each. A bad line gets its error in its place and the run
// goes on; the model is loaded once, and the neighbors and 3CosAdd analogy searches of the
// whole batch are answered together in one pass over the matrix.
#pragma once

#include <istream>
#include <optional>
#include <string>

#include "front/cli/commands.hpp"

namespace embtool::cli {

// Reads `file` ("-" or none: `in`, standard input). Throws an Error at the end when any line
// failed: with that line's exit code if all failures share one, else 1.
void run_batch_command(const CommandContext& ctx, const std::optional<std::string>& file,
                       std::istream* in);

// One query line (the grammar of a batch line) answered on its own: the command's output, or
// "error: ..." for a bad line. For the interactive shell.
std::string answer_query_line(const CommandContext& ctx, const std::string& text);

}  // namespace embtool::cli
