#include "front/cli/query_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "base/error.hpp"

namespace embtool::cli {
namespace {

// CLI11's own range check prints a 300-digit bound; this one says what a count must be.
const CLI::Validator kCountAtLeastOne(
    [](std::string& text) -> std::string {
      uint64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
        return fmt::format("'{}' is not a whole number of at least 1", text);
      }
      return {};
    },
    "N>=1");


// "-" among the words stands for the words on standard input, one a line (a trailing CR
// and empty lines are ignored), so that `cut -f1 list.tsv | embtool neighbors -` works.
// After "--" it is the word "-" itself (GloVe has it).
std::vector<std::string> expand_stdin(const std::vector<std::string>& words, std::istream* in,
                                      bool dash_is_a_word) {
  std::vector<std::string> expanded;
  for (const std::string& word : words) {
    if (word != "-" || dash_is_a_word) {
      expanded.push_back(word);
      continue;
    }
    if (in == nullptr) throw Error(ErrorKind::invalid_argument, "'-' needs words on standard input");
    for (std::string line; std::getline(*in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) expanded.push_back(std::move(line));
    }
  }
  if (expanded.empty()) throw Error(ErrorKind::invalid_argument, "no words given (standard input was empty)");
  return expanded;
}

}  // namespace

const CLI::Validator& count_at_least_one() { return kCountAtLeastOne; }

// A transform that says in the user's words what is accepted (CLI11's CheckedTransformer
// prints its internal map); the enum is then read from its number.
const CLI::Validator& analogy_method() {
  static const CLI::Validator method(
      [](std::string& text) -> std::string {
        const std::map<std::string, AnalogyMethod> methods{{"add", AnalogyMethod::add},
                                                           {"mul", AnalogyMethod::mul}};
        const auto it = methods.find(text);
        if (it == methods.end()) return fmt::format("'{}' is not a method: use add or mul", text);
        text = std::to_string(static_cast<int>(it->second));
        return {};
      },
      "add|mul");
  return method;
}

void add_query_commands(CLI::App& app, QueryArgs& args) {
  auto* similar = app.add_subcommand("similar", "Cosine similarity of two words");
  similar->add_option("A", args.a, "First word")->required();
  similar->add_option("B", args.b, "Second word")->required();

  auto* distance = app.add_subcommand("distance", "Cosine distance and Euclidean distance of two words");
  distance->add_option("A", args.a, "First word")->required();
  distance->add_option("B", args.b, "Second word")->required();

  auto* neighbors = app.add_subcommand("neighbors", "The nearest words by cosine similarity");
  neighbors->add_option("WORD", args.words,
                        "The word; several are answered together; '-' reads words from stdin, "
                        "one a line")
      ->required();
  neighbors->add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);

  auto* analogy = app.add_subcommand("analogy", "A + B - C: 'king woman man' finds queen");
  analogy->add_option("A", args.a, "The word to start from")->required();
  analogy->add_option("B", args.b, "The word to add")->required();
  analogy->add_option("C", args.c, "The word to subtract")->required();
  analogy->add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  analogy->add_option("--method", args.method, "add (3CosAdd, default) or mul (3CosMul)")
      ->transform(analogy_method());

  auto* odd = app.add_subcommand("doesnt-match", "The word that fits least with the others");
  odd->add_option("WORDS", args.words, "Two or more words")->required();

  auto* vector = app.add_subcommand("vector", "Print a word's vector exactly (the lookup-table row)");
  auto* word = vector->add_option("WORD", args.word, "The word");
  auto* id = vector->add_option("--id", args.id, "The row number instead of a word (0-based)");
  word->excludes(id);
  vector->callback([word, id] {
    if (word->count() == 0 && id->count() == 0) throw CLI::ValidationError("vector needs a WORD or --id N");
  });
}

const std::vector<std::string>& query_command_names() {
  static const std::vector<std::string> names{"similar", "distance", "neighbors", "analogy", "vector",
                                              "doesnt-match"};
  return names;
}

bool is_query_command(const std::string& name) {
  const auto& names = query_command_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

void run_query(const std::string& name, const QueryArgs& args, const CommandContext& ctx,
               std::istream* in) {
  if (name == "similar") return run_similar(ctx, args.a, args.b);
  if (name == "distance") return run_distance(ctx, args.a, args.b);
  if (name == "neighbors") {
    return run_neighbors(ctx, expand_stdin(args.words, in, args.dash_is_a_word), args.k);
  }
  if (name == "analogy") return run_analogy(ctx, args.a, args.b, args.c, args.method, args.k);
  if (name == "vector") return run_vector(ctx, args.word, args.id);
  if (name == "doesnt-match") return run_doesnt_match(ctx, args.words);
  throw Error(ErrorKind::internal, fmt::format("internal error: command '{}' has no handler", name));
}

}  // namespace embtool::cli
