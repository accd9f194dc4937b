// The commands that ask one question of a model (similar, distance, neighbors, analogy,
// vector): declared once, so that the command line and each line of a batch read them with
// the same grammar, and run the same way.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "front/cli/commands.hpp"

namespace embtool::cli {

struct QueryArgs {
  std::string a, b, c;
  size_t k = 10;
  AnalogyMethod method = AnalogyMethod::add;
  std::optional<std::string> word;
  std::optional<uint64_t> id;
  std::vector<std::string> words;  // neighbors
  bool dash_is_a_word = false;     // "-" came after "--": a word, not standard input
};

// CLI11's own range check prints a 300-digit bound; this one says what a count must be.
const CLI::Validator& count_at_least_one();

// Reads "add" / "mul" into an AnalogyMethod.
const CLI::Validator& analogy_method();

void add_query_commands(CLI::App& app, QueryArgs& args);

// The query commands, in the order help lists them.
const std::vector<std::string>& query_command_names();

// Whether `name` is one of the query commands.
bool is_query_command(const std::string& name);

// Runs the parsed query `command` (a subcommand of an app set up by add_query_commands).
// `in` is what "-" among neighbors' words reads; nullptr refuses "-".
void run_query(const std::string& command, const QueryArgs& args, const CommandContext& ctx,
               std::istream* in);

}  // namespace embtool::cli
