#include "app/query_commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <map>
#include <sstream>

#include "app/queries.hpp"
#include "base/error.hpp"

namespace embtool::app {
namespace {

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

// A row number: CLI11 would read "-1" as a huge unsigned number.
const CLI::Validator kRowNumber(
    [](std::string& text) -> std::string {
      uint64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return fmt::format("'{}' is not a row number (0, 1, 2, ...)", text);
      }
      return {};
    },
    "ROW");

bool is_operator(std::string_view token) { return token == "+" || token == "-"; }

// Whether the arguments, read as one text, are an expression: one of them holds blanks, or an
// operator stands between two terms.
bool spell_an_expression(const std::vector<std::string>& arguments) {
  std::vector<std::string> tokens;
  for (const std::string& argument : arguments) {
    if (argument.find_first_of(" \t") != std::string::npos) return true;
    tokens.push_back(argument);
  }
  for (size_t i = 1; i + 1 < tokens.size(); ++i) {
    if (is_operator(tokens[i]) && !is_operator(tokens[i - 1]) && !is_operator(tokens[i + 1])) return true;
  }
  return false;
}

// The words on standard input, one a line, read as batch reads its lines: blanks around a
// word trimmed, a CR before the line end, empty lines and '#' comments skipped.
void append_lines(std::istream& in, std::vector<std::string>& queries) {
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t last = line.find_last_not_of(" \t\r");
    queries.push_back(line.substr(first, last - first + 1));
  }
  if (in.bad()) throw Error(ErrorKind::io, "standard input: cannot read the words");
}

Result run_similar(const Session& s, const CommandArgs& a) { return Answer{similar(s, a.a, a.b)}; }
Result run_distance(const Session& s, const CommandArgs& a) { return Answer{distance(s, a.a, a.b)}; }
Result run_neighbors(const Session& s, const CommandArgs& a) {
  return Answer{neighbors(s, neighbor_queries(a.words, s.in(), a.dash_is_a_word), a.k, a.precomputed)};
}
Result run_analogy(const Session& s, const CommandArgs& a) {
  return Answer{analogy(s, a.a, a.b, a.c, a.method, a.k, a.precomputed)};
}
Result run_doesnt_match(const Session& s, const CommandArgs& a) { return Answer{doesnt_match(s, a.words)}; }
Result run_vector(const Session& s, const CommandArgs& a) { return Answer{vector(s, a.word, a.id)}; }

// The searches a batch answers together: a lone word's neighbors, a 3CosAdd analogy whose
// words resolve. Anything else (including every error) is left to the line's own command.
std::optional<CosineSearch> neighbors_search(const Session& s, const CommandArgs& a) {
  if (a.words.size() != 1 || a.words.front().find_first_of(" \t") != std::string::npos) return std::nullopt;
  try {
    const WeightedRow term{resolve_word(s.embeddings(), a.words.front(), s.case_fallback()).row, 1.0f};
    return most_similar_search(s.embeddings(), std::span(&term, 1));
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<CosineSearch> analogy_search(const Session& s, const CommandArgs& a) {
  if (a.method != AnalogyMethod::add) return std::nullopt;
  try {
    auto row = [&](const std::string& word) { return resolve_word(s.embeddings(), word, s.case_fallback()).row; };
    return most_similar_search(s.embeddings(), analogy_terms(row(a.a), row(a.b), row(a.c)));
  } catch (const Error&) {
    return std::nullopt;
  }
}

void similar_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A", args.a, "First word")->required();
  cmd.add_option("B", args.b, "Second word")->required();
}

void neighbors_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORD", args.words,
                 "The word; several are answered together; '-' reads words from stdin, one a line; "
                 "an expression such as \"king - man + woman\"")
      ->required();
  cmd.add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
}

void analogy_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A", args.a, "The word to start from")->required();
  cmd.add_option("B", args.b, "The word to add")->required();
  cmd.add_option("C", args.c, "The word to subtract")->required();
  cmd.add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  cmd.add_option("--method", args.method, "add (3CosAdd, default) or mul (3CosMul)")->transform(analogy_method());
}

void doesnt_match_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORDS", args.words, "Two or more words")->required();
}

void vector_grammar(CLI::App& cmd, CommandArgs& args) {
  auto* word = cmd.add_option("WORD", args.word, "The word");
  auto* id = cmd.add_option("--id", args.id, "The row number instead of a word (0-based)")->check(kRowNumber);
  word->excludes(id);
  cmd.callback([word, id] {
    if (word->count() == 0 && id->count() == 0) throw CLI::ValidationError("vector needs a WORD or --id N");
  });
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

std::vector<std::string> neighbor_queries(const std::vector<std::string>& arguments, std::istream* in,
                                          bool dash_is_a_word) {
  if (spell_an_expression(arguments)) return {fmt::format("{}", fmt::join(arguments, " "))};
  std::vector<std::string> queries;
  for (const std::string& argument : arguments) {
    if (argument != "-" || dash_is_a_word) {
      queries.push_back(argument);
      continue;
    }
    if (in == nullptr) throw Error(ErrorKind::invalid_argument, "'-' needs words on standard input");
    append_lines(*in, queries);
  }
  if (queries.empty()) throw Error(ErrorKind::invalid_argument, "no words given (standard input was empty)");
  return queries;
}

const std::vector<Command>& query_commands() {
  static const std::vector<Command> commands{
      {"similar", "Cosine similarity of two words", "similar cat dog", true, similar_grammar, run_similar},
      {"distance", "Cosine distance and Euclidean distance of two words", "distance cat dog", true,
       similar_grammar, run_distance},
      {"neighbors", "The nearest words by cosine similarity",
       "neighbors dog --k 5\nneighbors king queen dog\nneighbors \"king - man + woman\"\n"
       "cut -f1 words.tsv | embtool neighbors - --tsv",
       true, neighbors_grammar, run_neighbors, neighbors_search},
      {"analogy", "A + B - C: 'king woman man' finds queen",
       "analogy king woman man\nanalogy king woman man --method mul --k 3", true, analogy_grammar, run_analogy,
       analogy_search},
      {"vector", "Print a word's vector exactly (the lookup-table row)", "vector cat\nvector --id 42", true,
       vector_grammar, run_vector},
      {"doesnt-match", "The word that fits least with the others", "doesnt-match breakfast cereal dinner lunch",
       true, doesnt_match_grammar, run_doesnt_match},
  };
  return commands;
}

}  // namespace embtool::app
