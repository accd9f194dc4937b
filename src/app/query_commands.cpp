#include "app/query_commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

#include "app/plot.hpp"
#include "app/queries.hpp"
#include "app/token_queries.hpp"
#include "base/atomic_file.hpp"
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

// Calls `each` with every field of a list as Python or JSON print one ("[1, 15043]") or as
// people type one ("1 15043"): fields separated by blanks, commas or brackets.
template <class Each>
void for_each_listed(std::string_view text, const Each& each) {
  auto separator = [](char c) { return c == ',' || c == '[' || c == ']' || std::isspace(static_cast<unsigned char>(c)); };
  for (size_t i = 0; i < text.size();) {
    if (separator(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !separator(text[end])) ++end;
    each(text.substr(i, end - i));
    i = end;
  }
}

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

std::vector<Term> terms(const CommandArgs& a) { return terms_of(a.words, a.ids); }

Result run_similar(const Session& s, const CommandArgs& a) {
  const auto t = terms(a);
  return Answer{similar(s, t[0], t[1])};
}
Result run_distance(const Session& s, const CommandArgs& a) {
  const auto t = terms(a);
  return Answer{distance(s, t[0], t[1])};
}
SearchFilters filters_of(const CommandArgs& a) {
  SearchFilters filters;
  filters.restrict_rows = a.restrict_rows;
  filters.min_score = a.min_score;
  for (const std::string& word : a.exclude) filters.exclude.push_back(Term::spelled(word));
  filters.euclidean = a.metric == "euclidean";
  return filters;
}

bool has_filters(const CommandArgs& a) { return filters_of(a).any(); }

Result run_neighbors(const Session& s, const CommandArgs& a) {
  std::vector<Term> queries;
  if (!a.words.empty()) {
    for (std::string& word : neighbor_queries(a.words, s.in(), a.dash_is_a_word)) {
      queries.push_back(Term::spelled(std::move(word)));
    }
  }
  for (const uint64_t id : a.ids) queries.push_back(Term::row(id));
  return Answer{neighbors(s, queries, a.k, a.precomputed, a.ann ? std::optional<size_t>(a.ef) : std::nullopt,
                          filters_of(a))};
}
Result run_analogy(const Session& s, const CommandArgs& a) {
  const auto t = terms(a);
  return Answer{analogy(s, t[0], t[1], t[2], a.method, a.k, a.precomputed, filters_of(a))};
}
// A set of words in one argument, separated by commas: n-similarity "sushi,shop" "japanese,
// restaurant", plot --group cat,dog.
std::vector<Term> word_set(const std::string& text) {
  std::vector<Term> set;
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find(',', begin), text.size());
    if (end > begin) set.push_back(Term::spelled(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return set;
}

Result run_n_similarity(const Session& s, const CommandArgs& a) {
  return Answer{set_similarity(s, word_set(a.words.at(0)), word_set(a.words.at(1)))};
}
Result run_rank(const Session& s, const CommandArgs& a) {
  const auto t = terms(a);
  return Answer{closer_than(s, t[0], t[1], /*rank_only=*/true)};
}
Result run_closer_than(const Session& s, const CommandArgs& a) {
  const auto t = terms(a);
  return Answer{closer_than(s, t[0], t[1], /*rank_only=*/false)};
}

// The values of a vector, separated by blanks, commas or brackets ("[0.1, -0.2]" as Python
// or JSON print it); a first field that is not a number is taken as the word of a word2vec
// text line (`embtool vector cat | embtool similar-by-vector`).
std::vector<float> parse_vector(std::string_view text, std::string_view source) {
  std::vector<float> values;
  bool first = true;
  for_each_listed(text, [&](std::string_view field) {
    float value = 0;
    const auto [stop, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec == std::errc() && stop == field.data() + field.size()) {
      values.push_back(value);
    } else if (!first) {
      throw Error(ErrorKind::invalid_argument, fmt::format("{}: '{}' is not a number", source, field));
    }
    first = false;
  });
  if (values.empty()) throw Error(ErrorKind::invalid_argument, fmt::format("{}: no numbers found", source));
  return values;
}

Result run_similar_by_vector(const Session& s, const CommandArgs& a) {
  std::string text;
  std::string source = "standard input";
  if (a.vector_file && *a.vector_file != "-") {
    source = *a.vector_file;
    std::ifstream in(*a.vector_file, std::ios::binary);
    if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot open the vector file", *a.vector_file));
    text.assign(std::istreambuf_iterator<char>(in), {});
  } else {
    if (s.in() == nullptr) throw Error(ErrorKind::invalid_argument, "similar-by-vector needs a FILE or the vector on standard input");
    text.assign(std::istreambuf_iterator<char>(*s.in()), {});
  }
  const std::vector<float> vector = parse_vector(text, source);
  return Answer{similar_by_vector(s, vector, a.k, filters_of(a))};
}

Result run_doesnt_match(const Session& s, const CommandArgs& a) { return Answer{doesnt_match(s, terms(a))}; }
Result run_vector(const Session& s, const CommandArgs& a) { return Answer{vectors(s, terms(a), a.normalize)}; }

// TEXT as given, or for "-" all of standard input, its bytes as they are (no line end dropped:
// a text's last newline is a token too).
std::string text_argument(const Session& s, const CommandArgs& a) {
  if (a.text != "-" || a.dash_is_a_word) return a.text;
  if (s.in() == nullptr) throw Error(ErrorKind::invalid_argument, "'-' needs the text on standard input");
  std::string text(std::istreambuf_iterator<char>(*s.in()), {});
  if (s.in()->bad()) throw Error(ErrorKind::io, "standard input: cannot read the text");
  return text;
}

tokenize::EncodeOptions encode_options(const CommandArgs& a) {
  return {.add_special = a.add_special, .parse_special = a.parse_special};
}

// Ids are separated by white space, commas or brackets, so that "[1, 15043]" (a list as
// Python or JSON prints it) reads as two ids.
void append_ids(std::string_view text, std::vector<int32_t>& ids) {
  for_each_listed(text, [&](std::string_view word) {
    int64_t id = -1;
    const auto [stop, ec] = std::from_chars(word.data(), word.data() + word.size(), id);
    if (ec != std::errc() || stop != word.data() + word.size() || id < 0 || id > std::numeric_limits<int32_t>::max()) {
      throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is not a token id (0, 1, 2, ...)", word));
    }
    ids.push_back(static_cast<int32_t>(id));
  });
}

std::vector<int32_t> id_arguments(const Session& s, const CommandArgs& a) {
  std::vector<int32_t> ids;
  for (const std::string& argument : a.id_texts) {
    if (argument != "-" || a.dash_is_a_word) {
      append_ids(argument, ids);
      continue;
    }
    if (s.in() == nullptr) throw Error(ErrorKind::invalid_argument, "'-' needs the ids on standard input");
    const std::string text(std::istreambuf_iterator<char>(*s.in()), {});
    if (s.in()->bad()) throw Error(ErrorKind::io, "standard input: cannot read the ids");
    append_ids(text, ids);
  }
  return ids;
}

Pool pool_of(std::string_view name) {
  if (name == "mean") return Pool::mean;
  if (name == "sum") return Pool::sum;
  if (name == "first") return Pool::first;
  if (name == "last") return Pool::last;
  return Pool::none;
}

Result run_tokenize(const Session& s, const CommandArgs& a) {
  return Answer{tokenize_text(s, text_argument(s, a), encode_options(a), a.ids_only)};
}
Result run_detokenize(const Session& s, const CommandArgs& a) {
  return Answer{detokenize_ids(s, id_arguments(s, a), a.skip_special)};
}
Result run_embed(const Session& s, const CommandArgs& a) {
  return Answer{embed_text(s, text_argument(s, a), {encode_options(a), pool_of(a.pool), a.check_one_hot})};
}
Result run_tokens(const Session& s, const CommandArgs& a) { return Answer{token_diagnostics(s, a.token_k)}; }
Result run_info(const Session& s, const CommandArgs& a) { return Answer{info(s, a.tensors)}; }

Result run_words(const Session& s, const CommandArgs& a) {
  if (a.prefix) return Answer{words(s, "prefix", *a.prefix, a.limit, a.count)};
  if (a.contains) return Answer{words(s, "contains", *a.contains, a.limit, a.count)};
  if (a.regex) return Answer{words(s, "regex", *a.regex, a.limit, a.count)};
  return Answer{words(s, "all", "", a.limit, a.count)};
}

void words_grammar(CLI::App& cmd, CommandArgs& args) {
  auto* prefix = cmd.add_option("--prefix", args.prefix, "Only the words that start with P");
  auto* contains = cmd.add_option("--contains", args.contains, "Only the words that hold S");
  auto* regex = cmd.add_option("--regex", args.regex,
                               "Only the words a regular expression finds (Perl syntax with Unicode "
                               "properties, anywhere in the word: anchor it with ^ and $)");
  prefix->excludes(contains);
  prefix->excludes(regex);
  contains->excludes(regex);
  cmd.add_option("--limit", args.limit, "List at most N (they are all counted)")->check(kCountAtLeastOne);
  cmd.add_flag("--count", args.count, "Only count the matches");
}

void info_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_flag("--tensors", args.tensors, "Also list every tensor of a checkpoint (name, dtype, shape, bytes)");
}

// The searches a batch answers together: a lone word's neighbors, a 3CosAdd analogy whose
// words resolve. Anything else (including every error) is left to the line's own command.
std::optional<CosineSearch> neighbors_search(const Session& s, const CommandArgs& a) {
  if (a.ann || has_filters(a)) return std::nullopt;  // the index answers it, or the filters change it
  const std::vector<Term> queries = terms(a);
  if (queries.size() != 1) return std::nullopt;
  const Term& query = queries.front();
  if (!query.is_row() && query.word.find_first_of(" \t") != std::string::npos) return std::nullopt;
  try {
    if (!query.is_row() && !s.embeddings().vocabulary().contains(query.word)) return std::nullopt;
    const WeightedRow term{resolve(s, query), 1.0f};
    return most_similar_search(s.embeddings(), std::span(&term, 1));
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<CosineSearch> analogy_search(const Session& s, const CommandArgs& a) {
  if (a.method != AnalogyMethod::add || has_filters(a)) return std::nullopt;
  try {
    const std::vector<Term> t = terms(a);
    if (t.size() != 3) return std::nullopt;
    auto row = [&](const Term& term) { return resolve(s, term); };
    return most_similar_search(s.embeddings(), analogy_terms(row(t[0]), row(t[1]), row(t[2])));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// `--id N`, as many times as the command takes words: each stands for one word, after those
// written out (`similar cat --id 7`).
CLI::Option* add_ids(CLI::App& cmd, CommandArgs& args) {
  return cmd.add_option("--id", args.ids, "A row id instead of a word (0-based; may repeat)")->check(kRowNumber);
}

// The command takes exactly `count` words, written out or given as --id N; `names` are the
// words' names in the grammar ("A B"), for the message about a missing one.
void require_words(CLI::App& cmd, CommandArgs& args, size_t count, std::string_view names) {
  cmd.callback([&args, count, names] {
    if (args.words.size() + args.ids.size() > count) {
      if (args.words.size() > count) {
        throw CLI::ValidationError(fmt::format("unexpected argument '{}'", args.words[count]));
      }
      throw CLI::ValidationError(fmt::format("{} words are given: {} written out and {} by --id", args.words.size() + args.ids.size(),
                                             args.words.size(), args.ids.size()));
    }
    if (args.words.size() + args.ids.size() < count) {
      const std::string missing(names.substr(std::min(names.size(), 2 * (args.words.size() + args.ids.size()))));
      throw CLI::ValidationError(fmt::format("{} {} missing (a word, or --id N)", missing,
                                             missing.size() > 1 ? "are" : "is"));
    }
  });
}

void similar_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A B", args.words, "The two words (or --id N for either)");
  add_ids(cmd, args);
  require_words(cmd, args, 2, "A B");
}

// --restrict, --min-score, --exclude: what gensim's most_similar takes beyond its query.
void filter_options(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("--restrict", args.restrict_rows,
                 "Answers only among the first N rows (gensim's restrict_vocab); the query may be any word")
      ->check(kCountAtLeastOne);
  cmd.add_option("--min-score", args.min_score, "Leave out answers whose cosine is below X");
  // One word each time, whatever it holds: GloVe has the words "," and "earlier,".
  cmd.add_option("--exclude", args.exclude, "A word never to answer with (repeat for more)")->allow_extra_args(false);
}

void neighbors_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORD", args.words,
                 "The word; several are answered together; '-' reads words from stdin, one a line; "
                 "an expression such as \"king - man + woman\"");
  add_ids(cmd, args);
  cmd.add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  cmd.add_flag("--ann", args.ann,
               "Approximate: answer from the model's HNSW index (made by `embtool index MODEL`); the scores "
               "are exact, a nearer word may be missed");
  cmd.add_option("--ef", args.ef, fmt::format("With --ann: the candidates the index search keeps; more is slower "
                                              "and misses less (default {})", kDefaultAnnEf))
      ->check(kCountAtLeastOne);
  filter_options(cmd, args);
  cmd.add_option("--metric", args.metric,
                 "cosine (default), or euclidean: nearest by L2 distance of the raw vectors, scores are distances")
      ->check(CLI::IsMember({"cosine", "euclidean"}));
  cmd.callback([&args] {
    if (args.words.empty() && args.ids.empty()) throw CLI::ValidationError("WORD is missing (or give --id N)");
    if (args.ef > 0 && !args.ann) throw CLI::ValidationError("--ef is for --ann searches");
  });
}

void analogy_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A B C", args.words, "The word to start from, the word to add, the word to subtract");
  add_ids(cmd, args);
  cmd.add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  cmd.add_option("--method", args.method, "add (3CosAdd, default) or mul (3CosMul)")->transform(analogy_method());
  filter_options(cmd, args);
  require_words(cmd, args, 3, "A B C");
}

void pair_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A B", args.words, "The two words (or --id N for either)");
  add_ids(cmd, args);
  require_words(cmd, args, 2, "A B");
}

void n_similarity_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("A B", args.words, "Two sets of words, each one argument with its words separated by commas");
  cmd.callback([&args] {
    if (args.words.size() != 2) throw CLI::ValidationError("n-similarity takes two sets: \"a1,a2\" \"b1,b2\"");
  });
}

void similar_by_vector_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("FILE", args.vector_file,
                 "The vector: numbers separated by blanks or commas (a word2vec text line too); '-' or "
                 "none: standard input");
  cmd.add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  filter_options(cmd, args);
}

void doesnt_match_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORDS", args.words, "Two or more words");
  add_ids(cmd, args);
  cmd.callback([&args] {
    if (args.words.empty() && args.ids.empty()) throw CLI::ValidationError("WORDS is missing (or give --id N)");
  });
}

void vector_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORD", args.words, "The words (or --id N), each row in turn");
  add_ids(cmd, args);
  cmd.add_flag("--normalize", args.normalize, "Unit vectors: each row divided by its L2 norm (gensim's "
                                              "get_vector(word, norm=True))");
  cmd.callback([&args] {
    if (args.words.empty() && args.ids.empty()) throw CLI::ValidationError("WORD is missing (or give --id N)");
  });
}

void text_option(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("TEXT", args.text,
                 "The text; '-': all of standard input, its bytes as they are; '--' before a text "
                 "that starts with '-'")
      ->required();
  cmd.add_flag("--add-special", args.add_special, "Add what the model's configuration adds (BOS/EOS, [CLS] [SEP])");
  cmd.add_flag("--parse-special", args.parse_special,
               "Read control tokens written in the text (\"<|endoftext|>\") as those tokens");
}

void tokenize_grammar(CLI::App& cmd, CommandArgs& args) {
  text_option(cmd, args);
  cmd.add_flag("--ids", args.ids_only, "Print the ids alone, on one line, separated by spaces (text output)");
}

void detokenize_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("ID", args.id_texts,
                 "Token ids, separated by blanks, commas or brackets; '-': read them from standard input")
      ->required();
  cmd.add_flag("--skip-special", args.skip_special, "Control tokens (BOS, EOS, [CLS]) give no text");
}

void embed_grammar(CLI::App& cmd, CommandArgs& args) {
  text_option(cmd, args);
  cmd.add_option("--pool", args.pool, "One vector for the text: mean, sum, first, last; none (default): one a token")
      ->check(CLI::IsMember({"none", "mean", "sum", "first", "last"}));
  cmd.add_flag("--check-one-hot", args.check_one_hot,
               "Also compute each row as one-hot(id) times the matrix, and say whether the two agree bit "
               "for bit and how long each took");
}

void tokens_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("-k,--k", args.token_k, "How many tokens each list holds (default 20)")->check(kCountAtLeastOne);
}

Result run_plot(const Session& s, const CommandArgs& a) {
  PlotRequest request;
  request.words = terms(a);
  for (const std::string& group : a.groups) request.groups.push_back(word_set(group));
  if (!a.neighbors_of.empty()) request.neighbors_of = Term::spelled(a.neighbors_of.front());
  request.k = a.k;
  for (const std::string& word : a.analogy_words) request.analogy.push_back(Term::spelled(word));
  request.method = a.projection;
  request.perplexity = a.perplexity;
  request.seed = a.seed;
  if (!a.output.empty()) {
    check_output_file(a.output, /*replace_existing=*/true);  // before the model is read, not after
    request.image_path = a.output;
  }
  return Answer{plot(s, request)};
}

void plot_grammar(CLI::App& cmd, CommandArgs& args) {
  cmd.add_option("WORD", args.words, "Words to plot (group 'words')");
  add_ids(cmd, args);
  cmd.add_option("--neighbors", args.neighbors_of, "A word and its k nearest neighbours (groups 'query', 'neighbors')")
      ->expected(1);
  cmd.add_option("-k,--k", args.k, "How many neighbours (default 10)")->check(kCountAtLeastOne);
  cmd.add_option("--analogy", args.analogy_words,
                 "A B C: the three words and the best answer D of 'analogy A B C', with arrows C->B and A->D")
      ->expected(3);
  cmd.add_option("--group", args.groups, "W1,W2,...: one group of words drawn in its own colour (may repeat)");
  cmd.add_option("--method", args.projection, "pca (default) or tsne")->check(CLI::IsMember({"pca", "tsne"}));
  cmd.add_option("--perplexity", args.perplexity, "t-SNE's perplexity, below the number of points (default: "
                 "min(30, (points - 1) / 3))")->check(CLI::PositiveNumber);
  cmd.add_option("--seed", args.seed, "t-SNE's seed (default 0)");
  cmd.add_option("-o,--output", args.output, "The image to write: FILE.svg or FILE.png");
  cmd.callback([&args] {
    if (args.words.empty() && args.ids.empty() && args.neighbors_of.empty() && args.analogy_words.empty() &&
        args.groups.empty()) {
      throw CLI::ValidationError("nothing to plot: give words, --neighbors W, --analogy A B C or --group W1,W2");
    }
    std::string out = args.output;
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    auto ends_with = [&](std::string_view tail) { return out.size() > tail.size() && out.ends_with(tail); };
    if (!out.empty() && !ends_with(".svg") && !ends_with(".png")) {
      throw CLI::ValidationError(fmt::format("'{}': the image must be a .svg or .png file", args.output));
    }
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

// Not a batch line: it reads a file, which a request to the server must not name.
Command similar_by_vector_command() {
  return {"similar-by-vector", "The nearest words to a vector read from a file or standard input",
          "similar-by-vector v.txt --k 5\nvector king | embtool similar-by-vector\n"
          "echo '[0.1, -0.3, ...]' | embtool similar-by-vector -",
          false, similar_by_vector_grammar, run_similar_by_vector};
}

const std::vector<Command>& query_commands() {
  static const std::vector<Command> commands{
      {"similar", "Cosine similarity of two words", "similar cat dog\nsimilar --id 3 --id 7\nsimilar cat --id 7",
       true, similar_grammar, run_similar, nullptr, "a b"},
      {"distance", "Cosine distance and Euclidean distance of two words", "distance cat dog\ndistance king queen --json", true,
       similar_grammar, run_distance, nullptr, "a b"},
      {"neighbors", "The nearest words by cosine similarity",
       "neighbors dog --k 5\nneighbors king queen dog\nneighbors \"king - man + woman\"\n"
       "neighbors --id 3\nneighbors \" king\"   (a token by the text it stands for)\n"
       "neighbors dog --ann --ef 200   (after `embtool index MODEL`)\n"
       "cut -f1 words.tsv | embtool neighbors - --tsv",
       true, neighbors_grammar, run_neighbors, neighbors_search, "word..."},
      {"analogy", "A + B - C: 'king woman man' finds queen",
       "analogy king woman man\nanalogy king woman man --method mul --k 3", true, analogy_grammar, run_analogy,
       analogy_search, "a b c"},
      {"n-similarity", "Cosine similarity of two sets of words (of their means)",
       "n-similarity sushi,shop japanese,restaurant\nn-similarity king,queen man,woman --json", true,
       n_similarity_grammar, run_n_similarity, nullptr, "a b"},
      {"rank", "Where B ranks among A's neighbours: 1 + the words closer to A than B is",
       "rank king queen\nrank cat dog --json", true, pair_grammar, run_rank, nullptr, "a b"},
      {"closer-than", "Every word closer to A than B is, in row order, with its cosine to A",
       "closer-than king queen\ncloser-than cat dog --tsv", true, pair_grammar, run_closer_than, nullptr, "a b"},
      {"vector", "Print words' vectors exactly (the lookup-table rows), or as unit vectors",
       "vector cat\nvector cat dog --json\nvector --id 42 --normalize --tsv", true, vector_grammar, run_vector,
       nullptr, "word..."},
      {"doesnt-match", "The word that fits least with the others", "doesnt-match breakfast cereal dinner lunch\ndoesnt-match france germany italy banana --json",
       true, doesnt_match_grammar, run_doesnt_match, nullptr, "word..."},
      {"tokenize", "A text's tokens: ids, the tokenizer's spelling, the text of each and its bytes in the input",
       "tokenize \"Hello world\"\ntokenize --ids --add-special \"Hello world\"\n"
       "tokenize - --json < prompt.txt\ntokenize --parse-special -- \"-<s> hello\"",
       true, tokenize_grammar, run_tokenize, nullptr, "text"},
      {"detokenize", "The text of token ids (its exact bytes, no newline added)",
       "detokenize 15496 995\ndetokenize $(embtool tokenize --ids \"Hello world\")\n"
       "echo '[15496, 995]' | embtool detokenize -",
       true, detokenize_grammar, run_detokenize, nullptr, "id..."},
      {"embed", "A text's tokens and their rows of the embedding matrix, each as 'vector --id' prints it",
       "embed \"Hello world\"\nembed \"Hello world\" --pool mean --json\nembed \"Hello\" --check-one-hot",
       true, embed_grammar, run_embed, nullptr, "text"},
      {"tokens",
       "Token diagnostics: the lowest embedding norms (under-trained tokens), the tokens nearest the mean "
       "row, how many tokens of each kind, whether the embeddings are tied",
       "tokens\ntokens --k 50 --json\n-m model.gguf tokens --tsv",
       true, tokens_grammar, run_tokens},
      {"info", "Rows, dimension, format, tokenizer, sizes and norms of the model",
       "info\ninfo --json\n-m ./gpt2 info --tensors", true, info_grammar, run_info},
      {"words", "List the vocabulary with each word's row, or the words that start with or hold a text",
       "words --prefix king --limit 5\nwords --contains ing --count\nwords --regex '^[a-z]+ness$' --limit 10\n"
       "words --json --limit 100", true, words_grammar,
       run_words},
      {"plot", "Words projected to two dimensions (PCA or t-SNE), as coordinates and as an SVG or PNG image",
       "plot king queen man woman prince princess -o p.svg\nplot --neighbors king --k 15 -o p.png\n"
       "plot --analogy king woman man -o a.svg\nplot --group cat,dog,horse --group red,green,blue --json\n"
       "plot --neighbors dog --k 40 --method tsne --perplexity 10 -o t.png",
       true, plot_grammar, run_plot, nullptr, "word..."},
  };
  return commands;
}

}  // namespace embtool::app
