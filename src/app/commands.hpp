// The command table: every command embtool knows, in the order help lists them. The command
// line builds its parser from it, a batch line and the shell read the query commands of it,
// and `help`, "did you mean" and tab completion take their names from it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "app/command.hpp"

namespace embtool::app {

const std::vector<Command>& commands();

const Command* find_command(std::string_view name);

// The command a misspelled name most probably meant ("simlar" -> "similar"), if one is close.
std::optional<std::string_view> closest_command(std::string_view name);

}  // namespace embtool::app
