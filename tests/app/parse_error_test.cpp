// CLI11's complaints as embtool says them.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "app/parse_error.hpp"

using embtool::app::plain_parse_error;

namespace {

std::string complaint(std::vector<std::string> args) {
  CLI::App app{"test", "embtool"};
  uint64_t k = 0;
  std::string word;
  bool json = false, tsv = false;
  app.add_option("WORD", word)->required();
  app.add_option("--k", k);
  auto* j = app.add_flag("--json", json);
  app.add_flag("--tsv", tsv)->excludes(j);
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return plain_parse_error(e);
  }
  return "";
}

}  // namespace

TEST_CASE("CLI11's internal wording becomes plain words", "[app]") {
  CHECK(complaint({"cat", "--k"}) == "--k needs a value");
  CHECK(complaint({}) == "WORD is missing");
  CHECK(complaint({"cat", "--frob", "x"}) == "unknown option '--frob'; unexpected argument 'x'");
  CHECK(complaint({"cat", "--json", "--tsv"}) == "--json and --tsv cannot be used together");
  CHECK(complaint({"cat", "--k", "x"}) == "--k: 'x' is not a valid value");
}
