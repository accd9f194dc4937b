#include "app/query_parse.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/parse_error.hpp"
#include "app/query_commands.hpp"
#include "base/error.hpp"

namespace embtool::app {

CommandArgs parse_query_arguments(const Command& command, const std::vector<std::string>& arguments) {
  CommandArgs args;
  try {
    CLI::App app{"a query", "embtool"};
    app.set_help_flag();
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    sub->set_help_flag();
    command.grammar(*sub, args);
    app.require_subcommand(1, 1);
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());  // CLI11 pops from the back
    reversed.emplace_back(command.name);
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw Error(ErrorKind::invalid_argument, plain_parse_error(e));
  }
  args.dash_is_a_word = true;  // a query never reads standard input
  return args;
}

const Command* find_query_command(std::string_view name) {
  for (const Command& command : query_commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string query_command_list() {
  std::vector<std::string_view> names;
  for (const Command& command : query_commands()) names.push_back(command.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace embtool::app
