// The manual page, the completion scripts' tables and --color, through the command line as a
// user runs it (the shells and man themselves: completion_test.py).
#include <catch2/catch.hpp>

#include <sstream>

#include "app/commands.hpp"
#include "fixtures.hpp"
#include "front/cli/app.hpp"

using namespace embtool;
using namespace embtool::testing;

TEST_CASE("the manual page has every command of the table, its options and examples", "[cli][man]") {
  const CliResult man = run_cli({"help", "--man"});
  REQUIRE(man.code == 0);
  CHECK(man.out.starts_with(".TH EMBTOOL 1 "));
  for (const app::Command& command : app::commands()) {
    INFO(command.name);
    // roff writes a hyphen as \- (doesnt-match)
    std::string name(command.name);
    for (size_t at = name.find('-'); at != std::string::npos; at = name.find('-', at + 2)) name.replace(at, 1, "\\-");
    CHECK(man.out.find(".SS " + name + "\n") != std::string::npos);
  }
  CHECK(man.out.find(".SS eval analogies\n") != std::string::npos);
  CHECK(man.out.find("\\fB\\-m\\fR, \\fB\\-\\-model\\fR \\fIPATH\\fR") != std::string::npos);
  CHECK(man.out.find("\\fB\\-\\-method\\fR \\fIadd|mul\\fR") != std::string::npos);
  CHECK(man.out.find("embtool analogy king woman man\n") != std::string::npos);
  CHECK(man.out.find(".SH EXIT STATUS") != std::string::npos);
  CHECK(man.out.find(".B NO_COLOR") != std::string::npos);
  // No line may start with a dot or quote that roff would read as a request.
  std::istringstream lines(man.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with('.')) {
      INFO(line);
      CHECK((line.starts_with(".TH") || line.starts_with(".SH") || line.starts_with(".SS") || line.starts_with(".TP") ||
             line.starts_with(".B ") || line.starts_with(".PP") || line.starts_with(".RS") || line.starts_with(".RE") ||
             line.starts_with(".nf") || line.starts_with(".fi")));
    }
  }
  CHECK(run_cli({"help", "neighbors", "--man"}).code == 2);
}

TEST_CASE("the completion scripts come from the grammar", "[cli][completion]") {
  const CliResult bash = run_cli({"completion", "bash"});
  REQUIRE(bash.code == 0);
  CHECK(bash.out.find("'analogy//--method') REPLY='choice:add mul'") != std::string::npos);
  CHECK(bash.out.find("*/*/'-m'|*/*/'--model') REPLY='file'") != std::string::npos);
  CHECK(bash.out.find("'eval/') REPLY='choice:analogies pairs'") != std::string::npos);
  CHECK(bash.out.find("'neighbors/') REPLY='words'") != std::string::npos);
  CHECK(bash.out.find("'neighbors//--ann')") == std::string::npos);  // a flag takes no value
  CHECK(run_cli({"completion", "zsh"}).out.starts_with("#compdef embtool\n"));
  CHECK(run_cli({"completion", "fish"}).out.find("complete -c embtool -s m -l model -r -F") != std::string::npos);
  const CliResult unknown = run_cli({"completion", "tcsh"});
  CHECK(unknown.code == 2);
  CHECK(unknown.err.find("tcsh") != std::string::npos);
}

TEST_CASE("every command's help shows examples and points to the global options", "[cli][help]") {
  for (const app::Command& command : app::commands()) {
    INFO(command.name);
    const CliResult help = run_cli({"help", std::string(command.name)});
    REQUIRE(help.code == 0);
    const size_t examples = help.out.find("Examples:\n");
    REQUIRE(examples != std::string::npos);
    size_t count = 0;
    for (size_t at = help.out.find("\n  ", examples); at != std::string::npos; at = help.out.find("\n  ", at + 1)) ++count;
    CHECK(count >= 2);
    CHECK(help.out.find("see 'embtool --help'") != std::string::npos);
  }
}

TEST_CASE("colour: --color decides, else a terminal without NO_COLOR or TERM=dumb", "[cli][color]") {
  CHECK(cli::color_by_default(true, nullptr, "xterm-256color"));
  CHECK(cli::color_by_default(true, nullptr, nullptr));
  CHECK(cli::color_by_default(true, "", "xterm"));  // NO_COLOR present but empty: no effect
  CHECK_FALSE(cli::color_by_default(true, "1", "xterm"));
  CHECK_FALSE(cli::color_by_default(true, nullptr, "dumb"));
  CHECK_FALSE(cli::color_by_default(false, nullptr, "xterm"));

  const std::string model = write_file("color_toy.bin", word2vec_binary(toy_words())).string();
  auto styled = [&](std::vector<std::string> args, bool terminal) {
    args.insert(args.begin(), {"-m", model, "neighbors", "cat", "--k", "2"});
    std::ostringstream out, err;
    std::istringstream in;
    REQUIRE(cli::run(args, {out, err, terminal, false, &in}) == 0);
    return out.str().find("\x1b[") != std::string::npos;
  };
  CHECK(styled({}, true));
  CHECK_FALSE(styled({}, false));
  CHECK(styled({"--color", "always"}, false));
  CHECK_FALSE(styled({"--color", "never"}, true));
  CHECK(run_cli({"--color", "sometimes", "info"}).code == 2);
}
