// One command of the command table: its name, its grammar, its help (with examples) and how it
// runs, giving an answer as a value. The command line, each line of a batch and the shell all
// read and run commands from the one table (commands.hpp); an HTTP front end will too.
#pragma once


#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "ops/evaluate.hpp"

// The grammar is CLI11's (app/query_parse.cpp, app/commands.cpp); declared here only by name,
// as CLI/CLI.hpp costs seconds of compile time in every file that includes it.
namespace CLI {
class App;
}  // namespace CLI

namespace embtool::app {

// serve: an HTTP server answering the query commands (front/http), with its bounds.
struct ServeOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8000;          // 0: any free port (the one chosen is announced)
  size_t threads = 0;            // workers; 0: one per core
  size_t max_k = 1000;           // the largest k (and tokens -k) a request may ask for
  size_t max_body_bytes = 1 << 20;
  size_t max_batch_lines = 10000;
  unsigned timeout_seconds = 10;  // a connection silent this long is closed
  size_t max_connections = 512;
};
// What the grammars of the commands read. One record for all commands: each grammar fills
// its own fields.
struct CommandArgs {
  // The query commands.
  size_t k = 10;
  AnalogyMethod method = AnalogyMethod::add;
  std::vector<std::string> words;  // as written
  std::vector<uint64_t> ids;       // --id N: each stands for one more word, after `words`
  bool dash_is_a_word = false;  // "-" came after "--": a word, not standard input
  bool ann = false;  // neighbors --ann: from the approximate index
  bool normalize = false;  // vector --normalize
  // Search filters (neighbors, analogy, similar-by-vector): see queries.hpp SearchFilters.
  size_t restrict_rows = 0;
  std::optional<float> min_score;
  std::vector<std::string> exclude;
  std::string metric = "cosine";
  // similar-by-vector: the file holding the vector ("-" or none: standard input)
  std::optional<std::string> vector_file;
  size_t ef = 0;     // --ef N (0: the default)
  // The answer of a line's search, already computed with a batch's others.
  const std::vector<Neighbor>* precomputed = nullptr;
  // tokenize, embed: the text ("-": standard input, unless dash_is_a_word)
  std::string text;
  bool add_special = false;
  bool parse_special = false;
  bool ids_only = false;           // tokenize --ids
  std::string pool = "none";       // embed --pool
  bool check_one_hot = false;      // embed --check-one-hot
  // detokenize: the ids as written ("-": standard input)
  std::vector<std::string> id_texts;
  bool skip_special = false;
  // tokens
  size_t token_k = 20;
  // info
  bool tensors = false;
  // words
  std::optional<std::string> prefix, contains, regex;
  uint64_t limit = 0;
  bool count = false;
  // eval
  std::string eval_kind;  // "analogies" or "pairs"
  std::string eval_file;
  AnalogyEvalOptions eval;
  PairEvalOptions pairs;
  bool case_sensitive = false;
  std::string eval_style = "gensim";
  bool restrict_given = false;
  std::vector<std::string> gensim_rules_given;  // options of gensim's rules given (refused with word2vec's)
  // batch
  std::optional<std::string> batch_file;
  // convert
  std::string input, output, to;
  std::vector<std::string> dtypes;
  bool force = false;
  // plot
  std::vector<std::string> neighbors_of;   // --neighbors W (one word)
  std::vector<std::string> analogy_words;  // --analogy A B C
  std::vector<std::string> groups;         // --group W1,W2,... (repeatable)
  std::string projection = "pca";          // --method pca|tsne
  double perplexity = 0;                   // 0: min(30, (points - 1) / 3)
  uint64_t seed = 0;
  // index
  HnswBuildOptions index;
  // help, completion
  std::optional<std::string> help_topic;
  bool man_page = false;
  std::string shell;
  // cache
  std::string cache_action = "list";  // list | clear
  bool stale_only = false;            // cache clear --stale
  // serve
  ServeOptions serve;
};

// Results that are not answers: the shell to start, the server to start, the help to show.
struct StartShell {};
struct StartServer {
  ServeOptions options;
};
struct ShowHelp {
  std::optional<std::string> command;
  bool man = false;  // the whole manual page, in roff
};
// The completion script of a shell (the front end writes it from its own grammar).
struct ShowCompletion {
  std::string shell;
};
using Result =
    std::variant<Answer, BatchAnswer, ConvertReport, CacheReport, StartShell, StartServer, ShowHelp, ShowCompletion>;

struct Command {
  std::string_view name;
  std::string_view summary;   // one line, in the list of commands
  std::string_view examples;  // shown by `help COMMAND`, one example a line
  bool batch_line = false;    // may be a line of a batch and of the shell
  void (*grammar)(CLI::App& command, CommandArgs& args) = nullptr;
  Result (*run)(const Session& session, const CommandArgs& args) = nullptr;
  // The cosine search a line of this command would run, if it is one that a batch answers
  // together with the others in one pass (nullopt: the line runs on its own).
  std::optional<CosineSearch> (*cosine_search)(const Session& session, const CommandArgs& args) = nullptr;
  // The names a request's parameters give the positional arguments, in order
  // (GET /api/similar?a=cat&b=dog); "word..." takes any number: `word` repeated, or `words`
  // holding them separated by commas. Options are named as on the command line (k, method).
  std::string_view parameters = {};
};

}  // namespace embtool::app
