// The command line end to end, in-process: every command in every output format, and the
// exit code and message of each kind of failure.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "fixtures.hpp"

using namespace embtool::testing;
using nlohmann::json;

namespace {

std::string toy_model() {
  static const std::string path = write_file("cli_toy.bin", word2vec_binary(toy_words())).string();
  return path;
}

CliResult run_embtool(std::vector<std::string> args) {
  args.insert(args.begin(), {"--model", toy_model()});
  return run_cli(args);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t tab_fields(const std::string& line) { return static_cast<size_t>(std::count(line.begin(), line.end(), '\t')) + 1; }

// Every line has the header's column count.
void require_rectangular_tsv(const std::string& text, size_t columns, size_t rows) {
  const auto lines = lines_of(text);
  REQUIRE(lines.size() == rows + 1);
  for (const auto& line : lines) CHECK(tab_fields(line) == columns);
}

const std::vector<std::vector<std::string>> kEveryCommand = {
    {"similar", "cat", "kitten"},         {"distance", "cat", "kitten"},
    {"neighbors", "cat", "--k", "3"},     {"analogy", "king", "woman", "man"},
    {"analogy", "king", "woman", "man", "--method", "mul", "-k", "2"},
    {"neighbors", "dog", "--threads", "1"},
    {"vector", "cat"},                    {"vector", "--id", "2"},
    {"info"}};

}  // namespace

TEST_CASE("every command succeeds in every output format", "[cli]") {
  for (const auto& command : kEveryCommand) {
    for (const std::string format : {"", "--json", "--jsonl", "--tsv"}) {
      auto args = command;
      if (!format.empty()) args.push_back(format);
      INFO(fmt::format("{}", fmt::join(args, " ")));
      const auto r = run_embtool(args);
      CHECK(r.code == 0);
      CHECK(r.err.empty());
      CHECK_FALSE(r.out.empty());
      if (format == "--json" || format == "--jsonl") {
        CHECK(lines_of(r.out).size() == 1);
        CHECK(json::parse(r.out)["command"] == command[0]);
      }
      if (format == "--tsv") {
        const auto lines = lines_of(r.out);
        for (const auto& line : lines) CHECK(tab_fields(line) == tab_fields(lines[0]));
      }
    }
  }
}

TEST_CASE("neighbors: JSON and TSV schemas", "[cli]") {
  const auto j = json::parse(run_embtool({"neighbors", "kitten", "--k", "3", "--json"}).out);
  CHECK(j["word"] == "kitten");
  CHECK(j["k"] == 3);
  REQUIRE(j["results"].size() == 3);
  CHECK(j["results"][0]["rank"] == 1);
  CHECK(j["results"][0]["word"] == "puppy");
  CHECK(j["results"][0]["score"].get<double>() > j["results"][1]["score"].get<double>());
  const auto tsv = run_embtool({"neighbors", "kitten", "--k", "3", "--tsv"}).out;
  // One schema whatever the number of words: the query column is there for one word too.
  require_rectangular_tsv(tsv, 4, 3);
  CHECK(lines_of(tsv)[0] == "query\trank\tword\tscore");
  CHECK(lines_of(tsv)[1].rfind("kitten\t1\tpuppy\t", 0) == 0);
}

TEST_CASE("analogy: king + woman - man = queen with both methods", "[cli]") {
  for (const std::string method : {"add", "mul"}) {
    const auto j = json::parse(run_embtool({"analogy", "king", "woman", "man", "--method", method, "--json"}).out);
    CHECK(j["method"] == method);
    CHECK(j["a"] == "king");
    CHECK(j["results"][0]["word"] == "queen");
  }
  const auto text = run_embtool({"analogy", "king", "woman", "man"}).out;
  CHECK(lines_of(text)[0].find("rank") != std::string::npos);
  CHECK(lines_of(text)[1].find("queen") != std::string::npos);
}

TEST_CASE("similar and distance agree with each other", "[cli]") {
  const auto s = json::parse(run_embtool({"similar", "cat", "dog", "--json"}).out);
  const auto d = json::parse(run_embtool({"distance", "cat", "dog", "--json"}).out);
  CHECK(d["cosine_distance"].get<double>() == Approx(1.0 - s["similarity"].get<double>()).margin(1e-6));
  CHECK(d["euclidean_distance"].get<double>() > 0.0);
  require_rectangular_tsv(run_embtool({"distance", "cat", "dog", "--tsv"}).out, 4, 1);
  require_rectangular_tsv(run_embtool({"similar", "cat", "dog", "--tsv"}).out, 3, 1);
}

TEST_CASE("vector prints the row bit for bit in every format", "[cli]") {
  const auto words = toy_words();
  const auto& expected = words[1].values;  // queen
  const auto j = json::parse(run_embtool({"vector", "queen", "--json"}).out);
  CHECK(j["row"] == 1);
  CHECK(j["dim"] == expected.size());
  const auto text = lines_of(run_embtool({"vector", "--id", "1"}).out);
  REQUIRE(text.size() == 1);
  std::istringstream fields(text[0]);
  std::string word;
  fields >> word;
  CHECK(word == "queen");
  for (size_t i = 0; i < expected.size(); ++i) {
    std::string number;
    fields >> number;
    CHECK(std::bit_cast<uint32_t>(std::stof(number)) == std::bit_cast<uint32_t>(expected[i]));
    CHECK(std::bit_cast<uint32_t>(j["vector"][i].get<float>()) == std::bit_cast<uint32_t>(expected[i]));
  }
  require_rectangular_tsv(run_embtool({"vector", "queen", "--tsv"}).out, 2 + expected.size(), 1);
}

TEST_CASE("a zero vector: similarity 0 with a warning, refused as a search query", "[cli]") {
  const auto r = run_embtool({"similar", "zero", "cat", "--json"});
  CHECK(r.code == 0);
  CHECK(json::parse(r.out)["similarity"] == 0.0);
  CHECK_THAT(r.err, Catch::Contains("all zeros"));
  const auto n = run_embtool({"neighbors", "zero"});
  CHECK(n.code == 2);
  CHECK(n.out.empty());
}

TEST_CASE("info reports the model's shape", "[cli]") {
  const auto j = json::parse(run_embtool({"info", "--json"}).out);
  CHECK(j["words"] == toy_words().size());
  CHECK(j["dim"] == 5);
  CHECK(j["format"] == "word2vec-binary");
  CHECK(j["zero_vectors"] == 1);
  CHECK_FALSE(j["simd_target"].get<std::string>().empty());
  require_rectangular_tsv(run_embtool({"info", "--tsv"}).out, 2, j.size() - 1);
}

TEST_CASE("an unknown word: exit 3, suggestions on stderr, nothing on stdout", "[cli]") {
  const auto r = run_embtool({"neighbors", "kiten", "--json"});
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK(lines_of(r.err).size() == 1);
  CHECK_THAT(r.err, Catch::Contains("'kiten' is not in the vocabulary; did you mean: kitten"));
}

TEST_CASE("a word in another case is used with a warning, or refused with --exact-case", "[cli]") {
  const auto r = run_embtool({"similar", "CAT", "Kitten"});
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("using 'cat'"));
  CHECK(run_embtool({"similar", "CAT", "kitten", "--exact-case"}).code == 3);
}

TEST_CASE("usage errors: exit 2 and one line on stderr", "[cli]") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"neighbors"},
                                                                {"neighbors", "cat", "--k", "0"},
                                                                {"analogy", "a", "b", "c", "--method", "sub"},
                                                                {"frobnicate"},
                                                                {"similar", "cat", "dog", "--json", "--tsv"},
                                                                {"vector"},
                                                                {"--json"}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    const auto r = run_embtool(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(lines_of(r.err).size() == 1);
  }
}

TEST_CASE("file errors: exit 5 when unreadable, 4 when malformed", "[cli]") {
  const auto missing = run_cli({"--model", (scratch_dir() / "nope.bin").string(), "info"});
  CHECK(missing.code == 5);
  CHECK_THAT(missing.err, Catch::Contains("nope.bin"));
  const auto bad = write_file("cli_bad.txt", "2 3\na 1 2 3\nb 1 2\n");
  const auto malformed = run_cli({"--model", bad.string(), "info"});
  CHECK(malformed.code == 4);
  CHECK(malformed.out.empty());
  CHECK(lines_of(malformed.err).size() == 1);
  CHECK(run_embtool({"vector", "--id", "999"}).code == 3);
}

TEST_CASE("the model comes from --model, else EMBTOOL_MODEL", "[cli]") {
  const auto other = write_file("cli_env.txt", word2vec_text(random_words(7, 3, 31)));
  ::setenv("EMBTOOL_MODEL", other.c_str(), 1);
  CHECK(json::parse(run_cli({"info", "--json"}).out)["words"] == 7);
  CHECK(json::parse(run_embtool({"info", "--json"}).out)["words"] == toy_words().size());
  ::unsetenv("EMBTOOL_MODEL");
}

TEST_CASE("global options work after the command, --limit cuts the vocabulary", "[cli]") {
  const auto r = run_cli({"info", "--json", "--limit", "4", "-m", toy_model()});
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["words"] == 4);
  CHECK(run_embtool({"neighbors", "cat", "--limit", "4"}).code == 3);  // cat is row 6
}

TEST_CASE("duplicates are reported as a warning", "[cli]") {
  auto words = random_words(4, 3, 32);
  words[3].word = words[0].word;
  const auto path = write_file("cli_dup.bin", word2vec_binary(words));
  const auto r = run_cli({"--model", path.string(), "info", "--json"});
  CHECK(r.code == 0);
  CHECK(json::parse(r.out)["duplicates_dropped"] == 1);
  CHECK_THAT(r.err, Catch::Contains("1 duplicate word ignored") && Catch::Contains("'w0', record 4"));
  CHECK(run_cli({"--model", path.string(), "-q", "info"}).err.empty());
  // --strict refuses what is otherwise a warning: one line, exit 4, nothing on stdout.
  const auto strict = run_cli({"--model", path.string(), "--strict", "info"});
  CHECK(strict.code == 4);
  CHECK(strict.out.empty());
  CHECK_THAT(strict.err, Catch::Contains("refused: --strict"));
}

TEST_CASE("a count that is not a whole number is refused in plain words", "[cli]") {
  const auto r = run_embtool({"neighbors", "cat", "--k", "x"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("'x' is not a whole number of at least 1"));
}

TEST_CASE("no arguments at all: the help, on stderr, and exit 2", "[cli]") {
  const auto r = run_cli({});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("neighbors"));
}

TEST_CASE("the version and help flags exit 0", "[cli]") {
  const auto v = run_cli({"--version"});
  CHECK(v.code == 0);
  CHECK_THAT(v.out, Catch::Contains("embtool"));
  CHECK_THAT(v.out, Catch::Contains("SIMD"));
  CHECK(run_cli({"--help"}).code == 0);
  CHECK(run_cli({"neighbors", "--help"}).code == 0);
}

// The words gensim 4.2 gives on data/model.bin (data/README.md: most_similar('king') and
// most_similar(positive=['king', 'woman'], negative=['man'])).
TEST_CASE("without --model, the bundled model answers: prince and queen near king, queen first for king + woman - man",
          "[cli][model]") {
  ::unsetenv("EMBTOOL_MODEL");
  const auto analogy = run_cli({"analogy", "king", "woman", "man", "--k", "5", "--json"});
  REQUIRE(analogy.code == 0);
  CHECK(json::parse(analogy.out)["results"][0]["word"] == "queen");

  const auto neighbors = run_cli({"neighbors", "king", "--k", "5", "--json"});
  REQUIRE(neighbors.code == 0);
  std::vector<std::string> top5;
  const json answer = json::parse(neighbors.out);  // kept: a range-for over a temporary's member dangles
  for (const auto& result : answer["results"]) top5.push_back(result["word"]);
  CHECK(top5 == std::vector<std::string>{"prince", "queen", "son", "brother", "monarch"});

  const auto info = json::parse(run_cli({"info", "--json"}).out);
  CHECK(info["words"] == 60000);
  CHECK(info["dim"] == 100);
  CHECK(info["file_bytes"].get<int64_t>() <= 25'000'000);
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("neighbors of several words answers each as if asked alone", "[cli]") {
  const auto model = write_file("multi.bin", word2vec_binary(toy_words())).string();
  const std::vector<std::string> words = {"king", "queen", "dog", "cat", "man"};
  std::vector<std::string> args = {"-m", model, "--jsonl", "neighbors", "--k", "3"};
  args.insert(args.end(), words.begin(), words.end());
  const auto together = run_cli(args);
  REQUIRE(together.code == 0);
  std::string alone;
  for (const auto& word : words) alone += run_cli({"-m", model, "--jsonl", "neighbors", word, "--k", "3"}).out;
  CHECK(together.out == alone);

  const auto tsv = run_cli({"-m", model, "--tsv", "neighbors", "king", "dog", "--k", "2"});
  CHECK(tsv.out.rfind("query\trank\tword\tscore\nking\t1\t", 0) == 0);
}

TEST_CASE("neighbors with an unknown word among several answers the others and exits 3", "[cli]") {
  const auto model = write_file("multi-bad.bin", word2vec_binary(toy_words())).string();
  const auto result = run_cli({"-m", model, "--jsonl", "neighbors", "king", "zzzzqq", "dog", "--k", "2"});
  CHECK(result.code == 3);
  const auto lines = split_lines(result.out);
  REQUIRE(lines.size() == 3);
  CHECK(json::parse(lines[0])["word"] == "king");
  CHECK(json::parse(lines[1]).contains("error"));
  CHECK(json::parse(lines[2])["results"].size() == 2);
  CHECK_THAT(result.err, Catch::Contains("zzzzqq"));
}

TEST_CASE("neighbors - reads the words from standard input", "[cli]") {
  const auto model = write_file("multi-stdin.bin", word2vec_binary(toy_words())).string();
  const auto piped = run_cli({"-m", model, "--jsonl", "neighbors", "-", "--k", "2"}, "king\r\n\ndog\n");
  REQUIRE(piped.code == 0);
  CHECK(piped.out == run_cli({"-m", model, "--jsonl", "neighbors", "king", "dog", "--k", "2"}).out);
  CHECK(run_cli({"-m", model, "neighbors", "-"}, "").code == 2);
  CHECK(run_cli({"-m", model, "neighbors", "--", "-"}, "king\n").code == 3);  // the word "-"
}

TEST_CASE("a 10,000-line batch with bad lines answers every line in order", "[cli][batch]") {
  const auto words = random_words(3000, 16, 21);
  const auto model = write_file("batch-model.bin", word2vec_binary(words)).string();
  std::string input = "# queries\n\n";
  std::vector<std::string> queries;
  for (int i = 0; i < 10000; ++i) {
    const auto& w = [&](int j) -> const std::string& { return words[(i * 7 + j * 13) % words.size()].word; };
    std::string q;
    if (i % 20 == 7) q = fmt::format("neighbors not-a-word-{}", i);         // unknown word
    else if (i % 20 == 13) q = fmt::format("neighbors {} --k zero", w(0));  // bad syntax
    else if (i % 5 == 0) q = fmt::format("analogy {} {} {} --k 3", w(0), w(1), w(2));
    else if (i % 5 == 1) q = fmt::format("similar {} {}", w(0), w(1));
    else if (i % 5 == 2) q = fmt::format("analogy {} {} {} --method mul --k 2", w(0), w(1), w(2));
    else q = fmt::format("neighbors {} --k {}", w(0), 1 + i % 7);
    queries.push_back(q);
    input += q + (i % 3 == 0 ? "\r\n" : "\n");
  }
  const auto result = run_cli({"-m", model, "--jsonl", "batch", "-"}, input);
  CHECK(result.code != 0);  // some lines failed
  const auto lines = split_lines(result.out);
  REQUIRE(lines.size() == 10000);
  for (size_t i = 0; i < lines.size(); ++i) {
    const json doc = json::parse(lines[i]);
    REQUIRE(doc["line"] == i + 3);  // two header lines skipped, numbers are the input's
    REQUIRE(doc["query"] == queries[i]);
    REQUIRE(doc.contains("error") == (i % 20 == 7 || i % 20 == 13));
  }
  // The same queries one by one give the same answers (a sample, to keep the test fast).
  for (size_t i = 0; i < queries.size(); i += 97) {
    if (i % 20 == 7 || i % 20 == 13) continue;
    std::vector<std::string> args = {"-m", model, "--jsonl"};
    std::istringstream tokens(queries[i]);
    for (std::string t; tokens >> t;) args.push_back(t);
    json alone = json::parse(run_cli(args).out);
    json batched = json::parse(lines[i]);
    batched.erase("line");
    batched.erase("query");
    CHECK(batched == alone);
  }
}

TEST_CASE("batch reads a file, skips comments, and names a bad command", "[cli][batch]") {
  const auto model = write_file("batch-file-model.bin", word2vec_binary(toy_words())).string();
  const auto file = write_file("queries.txt", "neighbors king --k 2\n  # indented comment\nfrobnicate x\n");
  const auto result = run_cli({"-m", model, "--jsonl", "batch", file.string()});
  CHECK(result.code == 2);
  const auto lines = split_lines(result.out);
  REQUIRE(lines.size() == 2);
  CHECK(json::parse(lines[0])["results"].size() == 2);
  CHECK_THAT(json::parse(lines[1])["error"].get<std::string>(), Catch::Contains("unknown command 'frobnicate'"));
  CHECK(run_cli({"-m", model, "batch", "/nonexistent/q.txt"}).code == 5);
}

TEST_CASE("neighbors of an expression is the analogy it spells, and batch takes it quoted", "[cli]") {
  const auto model = write_file("expr.bin", word2vec_binary(toy_words())).string();
  const auto analogy = run_cli({"-m", model, "--jsonl", "analogy", "king", "woman", "man", "--k", "3"});
  const auto expression = run_cli({"-m", model, "--jsonl", "neighbors", "king + woman - man", "--k", "3"});
  REQUIRE(expression.code == 0);
  CHECK(json::parse(expression.out)["results"] == json::parse(analogy.out)["results"]);
  const auto batch = run_cli({"-m", model, "--jsonl", "batch", "-"},
                             "neighbors \"king + woman - man\" --k 3\ndoesnt-match king queen cat prince\n");
  REQUIRE(batch.code == 0);
  const auto lines = split_lines(batch.out);
  REQUIRE(lines.size() == 2);
  CHECK(json::parse(lines[0])["results"] == json::parse(analogy.out)["results"]);
  CHECK(json::parse(lines[1])["answer"] == "cat");
  CHECK(run_cli({"-m", model, "neighbors", "king +"}).code == 2);
}

TEST_CASE("a bad --method says what is accepted", "[cli]") {
  const auto model = write_file("method.bin", word2vec_binary(toy_words())).string();
  const auto result = run_cli({"-m", model, "analogy", "king", "woman", "man", "--method", "xx"});
  CHECK(result.code == 2);
  CHECK_THAT(result.err, Catch::Contains("'xx' is not a method: use add or mul"));
}

TEST_CASE("eval analogies --style word2vec prints compute-accuracy's report", "[cli][eval]") {
  const auto questions = write_file("w2v-questions.txt",
                                    ": royalty\nman king woman queen\nman king woman unicorn\n"
                                    ": pets\ncat kitten dog puppy\n");
  const auto text = run_embtool({"eval", "analogies", "--style", "word2vec", questions.string()});
  REQUIRE(text.code == 0);
  const auto lines = lines_of(text.out);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "royalty:");
  CHECK(lines[1] == "ACCURACY TOP1: 100.00 %  (1 / 1)");
  // No syntactic section yet: compute-accuracy divides zero by zero and prints NaN.
  CHECK_THAT(lines[2], Catch::StartsWith("Total accuracy: 100.00 %   Semantic accuracy: 100.00 %   "
                                         "Syntactic accuracy: ") && Catch::Contains("nan"));
  CHECK(lines[3] == "pets:");
  CHECK(lines[6] == "Questions seen / total: 2 3   66.67 % ");

  const auto doc = json::parse(run_embtool({"--json", "eval", "analogies", "--style", "word2vec",
                                            questions.string()}).out);
  CHECK(doc["style"] == "word2vec");
  CHECK(doc["threshold"] == 30000);
  CHECK(doc["total"]["seen"] == 2);
  CHECK(doc["total"]["questions"] == 3);
  CHECK(doc["syntactic"]["accuracy"].is_null());
  const auto tsv = run_embtool({"--tsv", "eval", "analogies", "--style", "word2vec", questions.string()});
  require_rectangular_tsv(tsv.out, 5, 5);

  const auto mul = run_embtool({"eval", "analogies", "--style", "word2vec", "--method", "mul", questions.string()});
  CHECK(mul.code == 2);
  CHECK_THAT(mul.err, Catch::Contains("--method is a gensim rule"));
  CHECK(mul.out.empty());
}

TEST_CASE("batch --tsv: one table for every command, rows led by their line, errors in place", "[cli][batch]") {
  const auto model = write_file("batch-tsv-model.bin", word2vec_binary(toy_words())).string();
  const std::string input =
      "neighbors king --k 2\n"
      "similar cat dog\n"
      "# a comment\n"
      "distance cat dog\n"
      "neighbors unicorn\n"
      "vector cat\n"
      "analogy king woman man --method mul --k 3\n"
      "doesnt-match king queen cat prince\n"
      "similar \"tab\there\" cat\n";  // a tab in a query is escaped in its field
  const auto result = run_cli({"-m", model, "--tsv", "batch", "-"}, input);
  CHECK(result.code == 3);  // the unknown words
  const auto lines = split_lines(result.out);
  REQUIRE(lines.size() == 1 + 2 + 1 + 2 + 1 + 5 + 3 + 1 + 1);
  CHECK(lines[0] == "line\tquery\tquery_word\tmeasure\trank\tword\tvalue\terror");
  for (const auto& line : lines) CHECK(tab_fields(line) == 8);
  // Every answered line's rows equal its own command's answer.
  const auto alone = split_lines(run_cli({"-m", model, "--tsv", "neighbors", "king", "--k", "2"}).out);
  REQUIRE(alone.size() == 3);
  // (alone: query, rank, word, score; batch: line, query, query_word, measure, rank, word, value, error)
  auto batched = [](const std::string& row) {
    const size_t tab = row.find('\t');
    return "1\tneighbors king --k 2\t" + row.substr(0, tab) + "\tscore" + row.substr(tab) + "\t";
  };
  CHECK(lines[1] == batched(alone[1]));
  CHECK(lines[2] == batched(alone[2]));
  CHECK_THAT(lines[3], Catch::StartsWith("2\tsimilar cat dog\t\tsimilarity\t\t\t0.") && Catch::EndsWith("\t"));
  CHECK_THAT(lines[4], Catch::StartsWith("4\tdistance cat dog\t\tcosine_distance\t"));
  CHECK_THAT(lines[5], Catch::StartsWith("4\tdistance cat dog\t\teuclidean_distance\t"));
  CHECK_THAT(lines[6], Catch::StartsWith("5\tneighbors unicorn\t\t\t\t\t\t'unicorn' is not in the vocabulary"));
  CHECK_THAT(lines[7], Catch::StartsWith("6\tvector cat\tcat\td0\t\tcat\t"));
  CHECK_THAT(lines[12], Catch::StartsWith("7\tanalogy king woman man --method mul --k 3\t\tscore\t1\tqueen\t"));
  CHECK(lines[15] == "8\tdoesnt-match king queen cat prince\t\tanswer\t\tcat\t\t");
  CHECK_THAT(lines[16], Catch::StartsWith("9\tsimilar \"tab\\there\" cat\t\t\t\t\t\t"));
}

TEST_CASE("a --k beyond the vocabulary answers with every other word", "[cli]") {
  // Found by fuzzing the batch grammar: the heap once reserved room for k answers up front.
  for (const std::vector<std::string>& query :
       {std::vector<std::string>{"--json", "neighbors", "king", "--k", "66666666666666"},
        std::vector<std::string>{"--json", "analogy", "king", "woman", "man", "--method", "mul", "--k", "99999999999999"}}) {
    const auto result = run_embtool(query);
    REQUIRE(result.code == 0);
    const size_t excluded = query[1] == "neighbors" ? 1 : 3;
    CHECK(json::parse(result.out)["results"].size() == toy_words().size() - excluded - 1);  // the zero row never answers
  }
}

TEST_CASE("convert refuses an output that is not a regular file before it loads the input",
          "[cli][convert]") {
  const std::string missing = (scratch_dir() / "no-such-input.bin").string();
  for (const char* device : {"/dev/null", "/dev/full"}) {
    // The input does not exist: a refusal that names the output came before any load.
    const auto result = run_cli({"convert", missing, device, "--to", "word2vec-text", "--force"});
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains(std::string(device) + " is a character device"));
    const auto store = run_cli({"convert", toy_model(), device, "--to", "emb", "--force"});
    CHECK(store.code == 2);
    struct stat status {};
    REQUIRE(::stat(device, &status) == 0);
    CHECK(S_ISCHR(status.st_mode));
  }
  const auto directory = scratch_dir() / "convert-into-directory";
  std::filesystem::create_directories(directory);
  const auto result = run_cli({"convert", missing, directory.string(), "--to", "glove", "--force"});
  CHECK(result.code == 2);
  CHECK_THAT(result.err, Catch::Contains("is a directory"));
}

TEST_CASE("convert to '-' streams word2vec text (the default) or GloVe, the file's bytes",
          "[cli][convert]") {
  for (const auto& [to, name] : {std::pair{std::string(), "streamed.txt"},
                                 std::pair{std::string("word2vec-text"), "streamed.vec"},
                                 std::pair{std::string("glove"), "streamed.glove"}}) {
    INFO("--to '" << to << "'");
    std::vector<std::string> args{"convert", toy_model(), "-"};
    if (!to.empty()) args.insert(args.end(), {"--to", to});
    const auto streamed = run_cli(args);
    REQUIRE(streamed.code == 0);
    const auto file = (scratch_dir() / name).string();
    REQUIRE(run_cli({"convert", toy_model(), file, "--to", to.empty() ? "word2vec-text" : to, "--force"}).code == 0);
    std::ifstream in(file, std::ios::binary);
    CHECK(streamed.out == std::string(std::istreambuf_iterator<char>(in), {}));
    CHECK_FALSE(streamed.out.empty());
  }
  for (const char* to : {"word2vec-binary", "emb"}) {
    const auto refused = run_cli({"convert", toy_model(), "-", "--to", to});
    CHECK(refused.code == 2);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Catch::Contains("takes a text format"));
  }
}

TEST_CASE("words --regex lists the words it finds with their rows; none found is exit 3; a bad one exit 2",
          "[cli][regex]") {
  const auto found = run_embtool({"words", "--regex", "^(king|queen)$", "--json"});
  REQUIRE(found.code == 0);
  const json answer = json::parse(found.out);
  CHECK(answer["matched"] == 2);
  REQUIRE(answer["words"].size() == 2);
  CHECK(answer["words"][0]["word"] == "king");
  CHECK(answer["words"][0]["id"] == 0);
  CHECK(answer["words"][1]["word"] == "queen");
  CHECK(answer["words"][1]["id"] == 1);

  const auto count = run_embtool({"words", "--regex", "^p", "--count", "--json"});
  CHECK(json::parse(count.out)["matched"] == 3);  // prince, princess, puppy

  const auto none = run_embtool({"words", "--regex", "^zebra"});
  CHECK(none.code == 3);
  CHECK_THAT(none.err, Catch::Contains("no word matches the regex '^zebra'"));

  const auto bad = run_embtool({"words", "--regex", "a(b"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("missing closing parenthesis at offset 3"));
  CHECK(bad.out.empty());

  CHECK(run_embtool({"words", "--regex", "k", "--prefix", "k"}).code == 2);  // one filter at a time
}

// Issue 16, item 7: what used to fall back in silence is said.
TEST_CASE("rough edges: each fallback is said, each contradiction refused", "[cli][rough]") {
  const auto both = run_embtool({"-v", "-q", "info"});
  CHECK(both.code == 2);
  CHECK_THAT(both.err, Catch::Contains("--verbose and --quiet cannot be used together"));

  const auto threads = run_embtool({"--threads", "100000", "neighbors", "king", "--k", "1"});
  CHECK(threads.code == 0);
  CHECK_THAT(threads.err, Catch::Contains("--threads 100000: this machine has") && Catch::Contains("threads"));
  CHECK(threads.out == run_embtool({"neighbors", "king", "--k", "1"}).out);

  const auto same = run_embtool({"analogy", "king", "king", "king", "--k", "1"});
  CHECK(same.code == 0);
  CHECK_THAT(same.err, Catch::Contains("names 'king' three times"));
  const auto cancels = run_embtool({"analogy", "king", "woman", "king", "--k", "1"});
  CHECK_THAT(cancels.err, Catch::Contains("subtracts a word it adds ('king')") && Catch::Contains("'woman'"));
  CHECK(run_embtool({"analogy", "king", "woman", "man", "--k", "1"}).err.empty());

  const auto limited = run_embtool({"--limit", "2", "neighbors", "cat"});
  CHECK(limited.code == 3);
  CHECK_THAT(limited.err, Catch::Contains("'cat' is not in the vocabulary (only the first 2 words were loaded: "
                                          "--limit 2)"));
  CHECK_THAT(run_embtool({"neighbors", "zebra"}).err, !Catch::Contains("--limit"));

  const auto pipe = run_cli({"-m", "-", "info"});
  CHECK(pipe.code == 2);
  CHECK_THAT(pipe.err, Catch::Contains("cannot be read from standard input") && Catch::Contains("zcat"));

  const auto scan = run_embtool({"--scan-dtype", "i8", "neighbors", "king", "--k", "1"});
  CHECK(scan.code == 0);
  CHECK_THAT(scan.err, Catch::Contains("--scan-dtype i8: the model holds no i8 copy") &&
                           Catch::Contains("--dtype i8"));
}

TEST_CASE("eval analogies names the words that took part: a small model's own size, not gensim's 300000",
          "[cli][rough]") {
  const auto questions = write_file("rough_questions.txt", ": family\nking queen man woman\nking queen zebra woman\n");
  const auto words = json::parse(run_embtool({"info", "--json"}).out)["words"].get<int64_t>();
  const auto text = run_embtool({"eval", "analogies", questions.string()});
  CHECK_THAT(text.out, Catch::Contains(fmt::format("1 of 2 questions had a word outside the first {} words", words)));
  CHECK(json::parse(run_embtool({"eval", "analogies", questions.string(), "--json"}).out)["restrict"] == words);
}

TEST_CASE("similar-by-vector reads a list or a word2vec text line; n-similarity, rank, closer-than answer",
          "[cli]") {
  auto with_model = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"--model", toy_model()});
    return args;
  };
  const CliResult vector = run_embtool({"vector", "king"});
  REQUIRE(vector.code == 0);
  const CliResult piped = run_cli(with_model({"--json", "similar-by-vector", "--k", "2"}), vector.out);
  REQUIRE(piped.code == 0);
  CHECK(json::parse(piped.out)["results"][0]["word"] == "king");  // nothing excluded: the word itself first
  const CliResult listed = run_cli(with_model({"--json", "similar-by-vector", "-", "--exclude", "king"}),
                                   "[0.9, 0.8, 0.05, 0.0, 0.1]");
  REQUIRE(listed.code == 0);
  CHECK(json::parse(listed.out)["results"][0]["word"] != "king");
  CHECK(run_cli(with_model({"similar-by-vector"}), "1 2 3").code == 2);            // the wrong dimension
  CHECK(run_cli(with_model({"similar-by-vector"}), "0.1 x 0.2 0.3 0.4").code == 2);  // not a number
  const CliResult rank = run_embtool({"--json", "rank", "king", "queen"});
  REQUIRE(rank.code == 0);
  const CliResult closer = run_embtool({"--json", "closer-than", "king", "queen"});
  REQUIRE(closer.code == 0);
  CHECK(json::parse(rank.out)["rank"].get<int64_t>() == json::parse(closer.out)["count"].get<int64_t>() + 1);
  const CliResult sets = run_embtool({"--json", "n-similarity", "king,queen", "king,queen"});
  REQUIRE(sets.code == 0);
  CHECK(json::parse(sets.out)["similarity"].get<double>() == Approx(1.0).margin(1e-6));
  CHECK(run_embtool({"n-similarity", "king"}).code == 2);
}
