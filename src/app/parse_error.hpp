// CLI11's complaints in plain words: "--k: 1 required UINT:N>=1 missing" becomes "--k needs a
// value", "The following argument was not expected: --frob" becomes "unknown option '--frob'".
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace embtool::app {

std::string plain_parse_error(const CLI::ParseError& error);

}  // namespace embtool::app
