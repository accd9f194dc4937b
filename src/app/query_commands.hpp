// The commands that ask one question of a model (similar, distance, neighbors, analogy,
// doesnt-match, vector): the part of the command table that a batch line and the shell may
// hold, so that a line means what it means on the command line.
#pragma once


#include <istream>
#include <string>
#include <vector>

#include "app/command.hpp"

// CLI11 by name only (CLI/CLI.hpp costs seconds in every file that includes it).
namespace CLI {
class Validator;
}  // namespace CLI

namespace embtool::app {

const std::vector<Command>& query_commands();

// similar-by-vector: a search like the query commands, but on the command line only.
Command similar_by_vector_command();

// CLI11's own range check prints a 300-digit bound; this one says what a count must be.
const CLI::Validator& count_at_least_one();

// Reads "add" / "mul" into an AnalogyMethod.
const CLI::Validator& analogy_method();

// neighbors' arguments as queries: arguments that spell one expression (an operator between
// two terms, whether the expression is one argument or several) are that expression; "-" is
// the lines of `in` (blanks trimmed, empty lines and '#' comments skipped), unless
// `dash_is_a_word`; anything else is one query each.
std::vector<std::string> neighbor_queries(const std::vector<std::string>& arguments, std::istream* in,
                                          bool dash_is_a_word);

}  // namespace embtool::app
