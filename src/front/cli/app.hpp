// The command-line front end as a function, so that tests run exactly what a user runs.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace embtool::cli {

struct Streams {
  std::ostream& out;   // results only
  std::ostream& err;   // logs, warnings and the one-line error
  bool color = false;     // ANSI styling of text output by default (color_by_default); --color decides
  bool progress = false;  // progress bars on `err` (a TTY)
  std::istream* in = nullptr;  // what "-" reads (standard input); none in most tests
  bool interactive = false;    // a person at a terminal: no command starts the shell
};

// Whether text output is styled when --color is auto: on a terminal, unless NO_COLOR holds
// something (no-color.org) or TERM is "dumb". The arguments are the variables' values or null.
bool color_by_default(bool stdout_is_terminal, const char* no_color, const char* term);

// Runs one embtool command line (`args` without the program name); returns the exit code.
int run(const std::vector<std::string>& args, const Streams& streams);

}  // namespace embtool::cli
