// The command table: one place for every command's name, and what misspellings it suggests.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "app/commands.hpp"
#include "app/query_commands.hpp"

using namespace embtool::app;

TEST_CASE("every command has one entry, a summary, examples, a grammar and a way to run", "[app]") {
  std::set<std::string> names;
  for (const Command& command : commands()) {
    INFO(command.name);
    CHECK(names.insert(std::string(command.name)).second);
    CHECK_FALSE(command.summary.empty());
    CHECK_FALSE(command.examples.empty());
    CHECK(command.grammar != nullptr);
    CHECK(command.run != nullptr);
    CHECK(find_command(command.name) == &command);
  }
  for (const Command& line : query_commands()) CHECK(line.batch_line);
  CHECK(find_command("frobnicate") == nullptr);
}

TEST_CASE("a misspelled command suggests the closest, a word far from all suggests none", "[app]") {
  CHECK(closest_command("simlar") == "similar");
  CHECK(closest_command("neigbors") == "neighbors");
  CHECK(closest_command("analgy") == "analogy");
  CHECK_FALSE(closest_command("frobnicate"));
}

TEST_CASE("neighbors' arguments: one expression however it is split, '-' the trimmed lines of stdin", "[app]") {
  using V = std::vector<std::string>;
  CHECK(neighbor_queries({"king", "-", "man", "+", "woman"}, nullptr, false) == V{"king - man + woman"});
  CHECK(neighbor_queries({"king - man", "+", "woman"}, nullptr, false) == V{"king - man + woman"});
  CHECK(neighbor_queries({"king", "dog"}, nullptr, false) == V{"king", "dog"});
  std::istringstream in("# comment\n  king \r\n\n\tdog\n");
  CHECK(neighbor_queries({"-"}, &in, false) == V{"king", "dog"});
  CHECK(neighbor_queries({"-"}, nullptr, true) == V{"-"});
  CHECK_THROWS(neighbor_queries({"-"}, nullptr, false));
}
