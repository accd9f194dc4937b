// The command line's grammar as plain data, read once from the parser that the command table
// builds: what shell completion (completion.cpp) and the man page (man_page.cpp) are written
// from, so that neither can drift from what the parser accepts.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace embtool::cli {

// What a value of an option or positional argument is, for completion.
enum class ValueKind {
  none,     // a flag: no value
  text,     // anything (a word, a number)
  choice,   // one of `choices`
  file,     // a path
};

struct OptionOutline {
  std::vector<std::string> short_names;  // "-k"
  std::vector<std::string> long_names;   // "--k"
  std::string positional_name;           // "WORD", "A B" (positional arguments only)
  std::string value_name;                // "N", "TEXT", "add|mul" (empty for a flag)
  std::string description;
  ValueKind value = ValueKind::none;
  std::vector<std::string> choices;
  bool repeatable = false;

  bool positional() const { return !positional_name.empty(); }
  // Every spelling: short names, then long names.
  std::vector<std::string> names() const;
};

struct CommandOutline {
  std::string name;
  std::string summary;
  std::vector<std::string> examples;  // whole command lines, "embtool ..." or a pipeline
  std::vector<OptionOutline> options;   // its own options, then its positional arguments
  std::vector<CommandOutline> subcommands;  // eval's analogies and pairs
  bool takes_words = false;  // its positional arguments are vocabulary words (completed from the model)
};

struct GrammarOutline {
  std::string description;
  std::vector<OptionOutline> global_options;
  std::vector<CommandOutline> commands;
};

GrammarOutline outline_of(const CLI::App& parser);

// The examples of a command as its help footer shows them: "embtool " before each, unless the
// line is a pipeline of its own.
std::vector<std::string> example_lines(std::string_view examples);

}  // namespace embtool::cli
