// The shell's history file: where the XDG base directory spec puts state (the terminal session
// itself is tests/repl/repl_test.py).
#include <catch2/catch.hpp>

#include "front/repl/repl.hpp"

using embtool::repl::history_path;

TEST_CASE("the shell's history lives in $XDG_STATE_HOME/embtool, else ~/.local/state/embtool", "[repl]") {
  CHECK(history_path("/state", "/home/u") == std::filesystem::path("/state/embtool/history"));
  CHECK(history_path(nullptr, "/home/u") == std::filesystem::path("/home/u/.local/state/embtool/history"));
  // A relative XDG_STATE_HOME is to be ignored, as the spec says; so is an empty one.
  CHECK(history_path("state", "/home/u") == std::filesystem::path("/home/u/.local/state/embtool/history"));
  CHECK(history_path("", "/home/u") == std::filesystem::path("/home/u/.local/state/embtool/history"));
  CHECK_FALSE(history_path(nullptr, nullptr).has_value());
  CHECK_FALSE(history_path(nullptr, "").has_value());
}
