// The command line's contract with scripts, case by case: one schema per command whatever the
// number of words, plain-words usage errors, a misspelled command, the model's name, and the
// smaller promises (weights, row numbers, standard input). Each of these once went wrong.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

#include "fixtures.hpp"

using namespace embtool::testing;
using nlohmann::json;

namespace {

std::string model() {
  static const std::string path = write_file("contract.bin", word2vec_binary(toy_words())).string();
  return path;
}

CliResult run_embtool(std::vector<std::string> args, const std::string& in = "") {
  args.insert(args.begin(), {"-m", model()});
  return run_cli(args, in);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> docs;
  for (const auto& line : lines_of(text)) docs.push_back(json::parse(line));
  return docs;
}

void require_one_line_usage_error(const CliResult& r) {
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(lines_of(r.err).size() == 1);
}

}  // namespace

TEST_CASE("b: neighbors - --tsv has the same columns for one word and for two", "[contract]") {
  const auto one = lines_of(run_embtool({"--tsv", "neighbors", "-", "--k", "2"}, "king\n").out);
  const auto two = lines_of(run_embtool({"--tsv", "neighbors", "-", "--k", "2"}, "king\ndog\n").out);
  REQUIRE(one.size() == 3);
  REQUIRE(two.size() == 5);
  CHECK(one[0] == "query\trank\tword\tscore");
  CHECK(one[0] == two[0]);
  CHECK(one[1] == two[1]);  // king's first answer, alike in both
  CHECK(two[3].rfind("dog\t1\t", 0) == 0);
}

TEST_CASE("b: neighbors JSON has the same shape for one word and for two", "[contract]") {
  const auto one = json_lines(run_embtool({"--json", "neighbors", "king", "--k", "2"}).out);
  const auto two = json_lines(run_embtool({"--json", "neighbors", "king", "dog", "--k", "2"}).out);
  REQUIRE(one.size() == 1);
  REQUIRE(two.size() == 2);
  CHECK(one[0] == two[0]);
  for (const auto& doc : two) {
    std::vector<std::string> keys;
    for (const auto& item : doc.items()) keys.push_back(item.key());
    CHECK(keys == std::vector<std::string>{"command", "exact", "id", "k", "results", "word"});
  }
}

TEST_CASE("b: in batch, every JSON object carries line and query, each word of a multi-word line too",
          "[contract][batch]") {
  const auto r = run_embtool({"--jsonl", "batch", "-"}, "similar cat dog\nneighbors king dog --k 2\nneighbors king unicorn\n");
  CHECK(r.code == 3);  // unicorn
  const auto docs = json_lines(r.out);
  REQUIRE(docs.size() == 5);
  const std::vector<std::pair<int, std::string>> expected = {{1, "similar cat dog"},
                                                             {2, "neighbors king dog --k 2"},
                                                             {2, "neighbors king dog --k 2"},
                                                             {3, "neighbors king unicorn"},
                                                             {3, "neighbors king unicorn"}};
  for (size_t i = 0; i < docs.size(); ++i) {
    INFO(docs[i].dump());
    CHECK(docs[i]["line"] == expected[i].first);
    CHECK(docs[i]["query"] == expected[i].second);
  }
  CHECK(docs[1]["word"] == "king");
  CHECK(docs[2]["word"] == "dog");
  CHECK(docs[3]["results"].size() == 10);
  CHECK_THAT(docs[4]["error"].get<std::string>(), Catch::Contains("'unicorn' is not in the vocabulary"));
}

TEST_CASE("b: batch TSV has a column for the query word", "[contract][batch]") {
  const auto lines = lines_of(run_embtool({"--tsv", "batch", "-"}, "neighbors king dog --k 1\n").out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "line\tquery\tquery_word\tmeasure\trank\tword\tvalue\terror");
  CHECK(lines[1].rfind("1\tneighbors king dog --k 1\tking\tscore\t1\t", 0) == 0);
  CHECK(lines[2].rfind("1\tneighbors king dog --k 1\tdog\tscore\t1\t", 0) == 0);
}

TEST_CASE("d: a misspelled command is named, with the command it probably meant", "[contract]") {
  const auto r = run_embtool({"simlar", "cat", "dog"});
  require_one_line_usage_error(r);
  CHECK_THAT(r.err, Catch::Contains("unknown command 'simlar'; did you mean 'similar'?"));
  const auto far = run_embtool({"frobnicate"});
  require_one_line_usage_error(far);
  CHECK_THAT(far.err, Catch::Contains("unknown command 'frobnicate'"));
  CHECK_THAT(far.err, !Catch::Contains("subcommand"));
}

TEST_CASE("d: embtool help [COMMAND]", "[contract]") {
  const auto all = run_cli({"help"});
  CHECK(all.code == 0);
  CHECK_THAT(all.out, Catch::Contains("neighbors") && Catch::Contains("convert"));
  const auto one = run_cli({"help", "neighbors"});
  CHECK(one.code == 0);
  CHECK_THAT(one.out, Catch::Contains("--k") && Catch::Contains("embtool neighbors dog --k 5"));
  const auto bad = run_cli({"help", "neigbors"});
  require_one_line_usage_error(bad);
  CHECK_THAT(bad.err, Catch::Contains("did you mean 'neighbors'?"));
}

TEST_CASE("d: an unknown option is named as such", "[contract]") {
  const auto r = run_embtool({"neighbors", "cat", "--frob"});
  require_one_line_usage_error(r);
  CHECK_THAT(r.err, Catch::Contains("unknown option '--frob'"));
  const auto extra = run_embtool({"similar", "cat", "dog", "puppy"});
  require_one_line_usage_error(extra);
  CHECK_THAT(extra.err, Catch::Contains("unexpected argument 'puppy'"));
}

TEST_CASE("d: an empty model name is an error, not the bundled model", "[contract]") {
  const auto empty = run_cli({"-m", "", "info"});
  require_one_line_usage_error(empty);
  CHECK_THAT(empty.err, Catch::Contains("empty"));
  ::setenv("EMBTOOL_MODEL", "", 1);
  const auto env = run_cli({"info"});
  ::unsetenv("EMBTOOL_MODEL");
  require_one_line_usage_error(env);
  CHECK_THAT(env.err, Catch::Contains("EMBTOOL_MODEL"));
}

TEST_CASE("d: a repeated -m takes the last", "[contract]") {
  const auto r = run_cli({"-m", "/nonexistent/first.bin", "-m", model(), "--json", "info"});
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["words"] == toy_words().size());
}

TEST_CASE("f: a NaN, infinite or overflowing weight in an expression is a usage error", "[contract]") {
  for (const std::string weight : {"nan", "inf", "1e39", "1e400"}) {
    INFO(weight);
    const auto r = run_embtool({"neighbors", weight + "*king - man"});
    require_one_line_usage_error(r);
    CHECK_THAT(r.err, Catch::Contains(weight + "*king"));
  }
}

TEST_CASE("f: one weighted term alone is an expression too, its weight checked the same way", "[contract]") {
  for (const std::string weight : {"nan", "inf", "1e39"}) {
    INFO(weight);
    const auto r = run_embtool({"neighbors", weight + "*king"});
    require_one_line_usage_error(r);
    CHECK_THAT(r.err, Catch::Contains(weight + "*king"));
  }
  // 2*king points where king does: the same neighbors, as gensim's most_similar([('king', 2)]).
  const auto scaled = run_embtool({"--json", "neighbors", "2*king", "--k", "3"});
  const auto plain = run_embtool({"--json", "neighbors", "king", "--k", "3"});
  REQUIRE(scaled.code == 0);
  const auto results = [](const std::string& out) { return out.substr(out.find("\"results\"")); };
  CHECK(results(scaled.out) == results(plain.out));
}

TEST_CASE("f: vector --id -1 and doesnt-match with fewer than two words are usage errors", "[contract]") {
  require_one_line_usage_error(run_embtool({"vector", "--id", "-1"}));
  const auto one = run_embtool({"doesnt-match", "cat"});
  require_one_line_usage_error(one);
  CHECK_THAT(one.err, Catch::Contains("two or more words"));
}

TEST_CASE("f: an expression is parsed the same whatever the number of arguments", "[contract]") {
  const auto quoted = run_embtool({"--json", "neighbors", "king + woman - man", "--k", "3"});
  const auto spread = run_embtool({"--json", "neighbors", "king", "+", "woman", "-", "man", "--k", "3"});
  const auto mixed = run_embtool({"--json", "neighbors", "king + woman", "-", "man", "--k", "3"});
  REQUIRE(quoted.code == 0);
  CHECK(spread.code == 0);
  CHECK(spread.out == quoted.out);
  CHECK(mixed.out == quoted.out);
  const auto batch = run_embtool({"--json", "batch", "-"}, "neighbors king + woman - man --k 3\n");
  REQUIRE(batch.code == 0);
  CHECK(json::parse(batch.out)["results"] == json::parse(quoted.out)["results"]);
}

TEST_CASE("f: neighbors - trims lines and skips # comments as batch does", "[contract]") {
  const auto r = run_embtool({"--jsonl", "neighbors", "-", "--k", "2"}, "# my words\n  king \t\n\n   # indented\ndog\r\n");
  REQUIRE(r.code == 0);
  CHECK(r.out == run_embtool({"--jsonl", "neighbors", "king", "dog", "--k", "2"}).out);
}

TEST_CASE("f: eval analogies - and eval pairs - read standard input", "[contract][eval]") {
  const std::string questions = ": royalty\nman king woman queen\n";
  const auto file = write_file("contract-questions.txt", questions);
  const auto piped = run_embtool({"--json", "eval", "analogies", "-"}, questions);
  REQUIRE(piped.code == 0);
  auto from_file = json::parse(run_embtool({"--json", "eval", "analogies", file.string()}).out);
  auto from_stdin = json::parse(piped.out);
  CHECK(from_stdin["file"] == "-");
  from_file.erase("file");
  from_stdin.erase("file");
  CHECK(from_stdin == from_file);
  const auto pairs = run_embtool({"--json", "eval", "pairs", "-"}, "king\tqueen\t9\ncat\tkitten\t8\nking\tcat\t1\n");
  REQUIRE(pairs.code == 0);
  CHECK(json::parse(pairs.out)["pairs"] == 3);
}

TEST_CASE("f: every message about a file names it", "[contract]") {
  const auto questions = run_embtool({"eval", "analogies", "/nonexistent/questions.txt"});
  CHECK(questions.code == 5);
  CHECK_THAT(questions.err, Catch::Contains("/nonexistent/questions.txt"));
  const auto pairs = run_embtool({"eval", "pairs", "/nonexistent/pairs.tsv"});
  CHECK(pairs.code == 5);
  CHECK_THAT(pairs.err, Catch::Contains("/nonexistent/pairs.tsv"));
  const auto batch = run_embtool({"batch", "/nonexistent/queries.txt"});
  CHECK(batch.code == 5);
  CHECK_THAT(batch.err, Catch::Contains("/nonexistent/queries.txt"));
}

TEST_CASE("f: CLI11's internal wording is replaced by plain words", "[contract]") {
  for (const auto& [args, wanted] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"neighbors", "cat", "--k"}, "--k needs a value"},
           {{"neighbors"}, "WORD is missing"},
           {{"similar", "cat", "dog", "--json", "--tsv"}, "cannot be used together"},
           {{"--format", "xml", "info"}, "'xml' is not one of: auto, word2vec-binary"}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    const auto r = run_embtool(args);
    require_one_line_usage_error(r);
    CHECK_THAT(r.err, Catch::Contains(wanted));
    for (const char* internal : {"UINT", "N>=1", "required", "Expected", "The following", "excludes"}) {
      CHECK_THAT(r.err, !Catch::Contains(internal));
    }
  }
}
