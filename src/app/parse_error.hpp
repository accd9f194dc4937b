// CLI11's complaints in plain words: "--k: 1 required UINT:N>=1 missing" becomes "--k needs a
// value", "The following argument was not expected: --frob" becomes "unknown option '--frob'".
#pragma once


#include <string>

// CLI11 by name only (CLI/CLI.hpp costs seconds in every file that includes it).
namespace CLI {
class ParseError;
}  // namespace CLI

namespace embtool::app {

std::string plain_parse_error(const CLI::ParseError& error);

}  // namespace embtool::app
