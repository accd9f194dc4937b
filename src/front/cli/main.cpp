#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "front/cli/app.hpp"
#include "front/cli/sigbus_guard.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  embtool::cli::install_sigbus_guard();
  const bool color =
      embtool::cli::color_by_default(::isatty(STDOUT_FILENO) == 1, std::getenv("NO_COLOR"), std::getenv("TERM"));
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool progress = ::isatty(STDERR_FILENO) == 1;
  const bool interactive = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
  return embtool::cli::run(args, {std::cout, std::cerr, color, progress, &std::cin, interactive});
}
