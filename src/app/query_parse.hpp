// A query command's arguments read by the command's own grammar, whoever wrote them: a batch
// line, a line of the shell, an HTTP request. One reading, so that a query means the same
// everywhere it can be asked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/command.hpp"

namespace embtool::app {

// `arguments` are what follows the command's name, as a shell would split them. Standard
// input is never read: "-" is a word. Throws Error(invalid_argument) in plain words.
CommandArgs parse_query_arguments(const Command& command, const std::vector<std::string>& arguments);

// The query command named `name` (those a batch line may hold), or nullptr.
const Command* find_query_command(std::string_view name);

// "similar, distance, neighbors, ...": for messages naming what is accepted.
std::string query_command_list();

}  // namespace embtool::app
