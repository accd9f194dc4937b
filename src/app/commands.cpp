#include "app/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "app/batch.hpp"
#include "app/convert.hpp"
#include "app/index.hpp"
#include "app/store_cache.hpp"
#include "app/queries.hpp"
#include "app/query_commands.hpp"
#include "base/error.hpp"
#include "formats/registry.hpp"

namespace embtool::app {
namespace {


void eval_grammar(CLI::App& eval, CommandArgs& args) {
  eval.fallthrough();
  eval.require_subcommand(0, 1);  // none is refused in words of its own (run_eval)
  auto* analogies = eval.add_subcommand(
      "analogies", "Analogy accuracy on a questions-words.txt file, as gensim's evaluate_word_analogies");
  analogies->fallthrough();
  analogies->add_option("FILE", args.eval_file, "': section' lines, then 'a b c expected' lines; '-': stdin")
      ->required();
  analogies->add_option("--style", args.eval_style,
                        "gensim (evaluate_word_analogies, default) or word2vec (the C tool compute-accuracy)")
      ->check(CLI::IsMember({"gensim", "word2vec"}));
  auto* restrict_vocab = analogies->add_option(
      "--restrict", args.eval.restrict_vocab,
      "Only the first N words count, 0 all (default 300000; 30000 with --style word2vec, its demo's threshold)");
  auto* dummy = analogies->add_flag("--dummy4unknown", args.eval.dummy4unknown,
                                    "Count questions with unknown words as wrong instead of skipping them");
  auto* case_sensitive = analogies->add_flag("--case-sensitive", args.case_sensitive,
                                             "Compare words as written (default: case-insensitive, first "
                                             "occurrence wins)");
  auto* method = analogies->add_option("--method", args.eval.method, "add (3CosAdd, default) or mul (3CosMul)")
                     ->transform(analogy_method());
  analogies->callback([&args, restrict_vocab, dummy, case_sensitive, method] {
    args.eval_kind = "analogies";
    args.restrict_given = restrict_vocab->count() > 0;
    for (const CLI::Option* option : {dummy, case_sensitive, method}) {
      if (option->count() > 0) args.gensim_rules_given.push_back(option->get_name());
    }
  });

  auto* pairs = eval.add_subcommand("pairs",
                                    "Pearson and Spearman against human similarity scores (WordSim-353, "
                                    "SimLex-999), as gensim's evaluate_word_pairs");
  pairs->fallthrough();
  pairs->add_option("FILE", args.eval_file, "'w1<TAB>w2<TAB>score' lines, '#' comments; '-': stdin")->required();
  pairs->add_option("--restrict", args.pairs.restrict_vocab, "Only the first N words count, 0 all (default 300000)");
  pairs->add_flag("--dummy4unknown", args.pairs.dummy4unknown,
                  "Give pairs with unknown words similarity 0 instead of skipping them");
  pairs->add_flag("--case-sensitive", args.case_sensitive,
                  "Compare words as written (default: case-insensitive, first occurrence wins)");
  pairs->callback([&args] { args.eval_kind = "pairs"; });
}

// compute-accuracy has one rule for each of these, so the options that change gensim's rules
// are refused rather than ignored.
Word2vecAccuracyOptions word2vec_options(const CommandArgs& args, const Session& s) {
  for (const std::string& name : args.gensim_rules_given) {
    throw Error(ErrorKind::invalid_argument, fmt::format("{} is a gensim rule: --style word2vec follows compute-accuracy, "
                                                         "which compares upper-cased words, skips unknown ones "
                                                         "and answers with 3CosAdd",
                                                         name));
  }
  Word2vecAccuracyOptions options;
  if (args.restrict_given) options.threshold = args.eval.restrict_vocab;
  options.search = s.search();
  return options;
}

Result run_eval(const Session& s, const CommandArgs& args) {
  if (args.eval_kind.empty()) {
    throw Error(ErrorKind::invalid_argument, "eval needs what to evaluate: analogies FILE or pairs FILE");
  }
  if (args.eval_kind == "pairs") {
    PairEvalOptions options = args.pairs;
    options.case_insensitive = !args.case_sensitive;
    if (options.restrict_vocab == 0) options.restrict_vocab = s.embeddings().rows();
    return Answer{eval_pairs(s, args.eval_file, options)};
  }
  if (args.eval_style == "word2vec") return Answer{eval_word2vec(s, args.eval_file, word2vec_options(args, s))};
  AnalogyEvalOptions options = args.eval;
  options.case_insensitive = !args.case_sensitive;
  if (options.restrict_vocab == 0) options.restrict_vocab = s.embeddings().rows();
  options.search = s.search();
  return Answer{eval_analogies(s, args.eval_file, options)};
}

void repl_grammar(CLI::App&, CommandArgs&) {}
Result run_repl(const Session&, const CommandArgs&) { return StartShell{}; }

void batch_grammar(CLI::App& batch, CommandArgs& args) {
  batch.add_option("FILE", args.batch_file, "The queries; '-' or none: standard input");
}

Result run_batch(const Session& s, const CommandArgs& args) {
  if (args.batch_file && *args.batch_file != "-") {
    std::ifstream in(*args.batch_file, std::ios::binary);
    if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot open the batch file", *args.batch_file));
    s.embeddings();  // the model is opened first, as for every command
    return answer_batch(s, in, *args.batch_file);
  }
  if (s.in() == nullptr) throw Error(ErrorKind::invalid_argument, "batch needs a FILE or queries on standard input");
  s.embeddings();
  return answer_batch(s, *s.in(), "standard input");
}

void convert_grammar(CLI::App& convert, CommandArgs& args) {
  convert.add_option("INPUT", args.input, "A word2vec, fastText or GloVe file, or a store")->required();
  convert.add_option("OUTPUT", args.output, "The file to write: " + describe_output_extensions() +
                                                "; '-': standard output (word2vec text, or --to glove)")->required();
  convert.add_option("--to", args.to, "The output format, whatever OUTPUT's name: " + describe_formats(true, ", "))
      ->check(CLI::IsMember(format_spellings(true)));
  convert.add_option("--dtype", args.dtypes, "A store (.emb): also keep reduced copies that searches scan first: "
                                             "f16, bf16, i8 (repeatable). numpy (.npy): the rows' type, f32 "
                                             "(default) or f16")
      ->check(CLI::IsMember({"f32", "f16", "bf16", "i8"}))
      ->delimiter(',');
  convert.add_flag("--force", args.force, "Replace OUTPUT if it exists");
}

Result run_convert(const Session& s, const CommandArgs& args) {
  return convert(s, {args.input, args.output, args.to, args.dtypes, args.force});
}

void index_grammar(CLI::App& index, CommandArgs& args) {
  index.add_option("MODEL", args.input, "The model to index (default: -m's, or the bundled one); the index is "
                                        "written beside it as MODEL.hnsw, replacing an older one");
  index.add_option("--m", args.index.m,
                   fmt::format("Links a row keeps in the graph (default {}; more: better recall, a bigger index "
                               "and a slower build)",
                               HnswBuildOptions{}.m))
      ->check(CLI::Range(2, 1000));
  index.add_option("--ef-construction", args.index.ef_construction,
                   fmt::format("Candidates kept while inserting a row (default {}; more: a better graph, a slower "
                               "build)",
                               HnswBuildOptions{}.ef_construction))
      ->check(count_at_least_one());
  index.add_option("--threads", args.index.threads, "Threads that insert rows (default: one per core)")
      ->check(count_at_least_one());
}

Result run_index(const Session& s, const CommandArgs& args) { return build_index(s, args.input, args.index); }

void serve_grammar(CLI::App& serve, CommandArgs& args) {
  ServeOptions& o = args.serve;
  serve.add_option("--port", o.port, "The TCP port (default 8000; 0: any free one, announced on stderr)");
  serve.add_option("--bind", o.bind,
                   "The address to listen on (default 127.0.0.1, this machine only; 0.0.0.0: every interface)");
  serve.add_option("--threads", o.threads, "Workers answering requests (default: one per core)")
      ->check(count_at_least_one());
  serve.add_option("--max-k", o.max_k, "The largest k a request may ask for (default 1000)")->check(count_at_least_one());
  serve.add_option("--max-body", o.max_body_bytes, "The largest request body, in bytes (default 1048576)")
      ->check(count_at_least_one());
  serve.add_option("--max-batch", o.max_batch_lines, "The most lines a POST /api/batch may hold (default 10000)")
      ->check(count_at_least_one());
  serve.add_option("--timeout", o.timeout_seconds,
                   "Seconds a connection may stay silent before it is closed (default 10)")
      ->check(count_at_least_one());
  serve.add_option("--max-connections", o.max_connections, "Connections open at once (default 512)")
      ->check(count_at_least_one());
}

Result run_serve(const Session& s, const CommandArgs& args) {
  s.embeddings();  // opened before the first request, once, for every worker
  return StartServer{args.serve};
}

void cache_grammar(CLI::App& cache, CommandArgs& args) {
  cache.add_option("ACTION", args.cache_action, "list (the default): every cached store; clear: remove them")
      ->check(CLI::IsMember({"list", "clear"}));
  cache.add_flag("--stale", args.stale_only,
                 "clear only the stores whose file has changed or is gone (they are never used again)");
}

Result run_cache(const Session& s, const CommandArgs& args) {
  if (args.stale_only && args.cache_action != "clear") {
    throw Error(ErrorKind::invalid_argument, "--stale goes with 'cache clear'");
  }
  return args.cache_action == "clear" ? clear_cache(s.cache(), args.stale_only) : list_cache(s.cache());
}

void help_grammar(CLI::App& help, CommandArgs& args) {
  help.add_option("COMMAND", args.help_topic, "The command to explain; none: every command");
  help.add_flag("--man", args.man_page, "The whole manual page, embtool(1), in roff (man -l - reads it)");
}

void completion_grammar(CLI::App& completion, CommandArgs& args) {
  completion.add_option("SHELL", args.shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
}

Result run_completion(const Session&, const CommandArgs& args) { return ShowCompletion{args.shell}; }

Result run_help(const Session&, const CommandArgs& args) {
  if (args.help_topic && find_command(*args.help_topic) == nullptr) {
    const auto closest = closest_command(*args.help_topic);
    throw Error(ErrorKind::invalid_argument,
                closest ? fmt::format("unknown command '{}'; did you mean '{}'?", *args.help_topic, *closest)
                        : fmt::format("unknown command '{}'", *args.help_topic));
  }
  if (args.man_page && args.help_topic) {
    throw Error(ErrorKind::invalid_argument, "--man prints the manual of every command: give no COMMAND");
  }
  return ShowHelp{args.help_topic, args.man_page};
}

std::vector<Command> all_commands() {
  std::vector<Command> all = query_commands();
  all.push_back(similar_by_vector_command());
  all.push_back({"eval", "Evaluate the model on a standard test set",
                 "eval analogies questions-words.txt\neval analogies questions-words.txt --style word2vec\n"
                 "eval pairs wordsim353.tsv",
                 false, eval_grammar, run_eval});
  all.push_back({"repl",
                 "An interactive shell: line editing, history, tab completion of words (also 'embtool' alone "
                 "on a terminal)",
                 "repl\n-m news.emb repl\nembtool   (alone, on a terminal)", false, repl_grammar, run_repl});
  all.push_back({"batch", "Answer one query a line (e.g. 'neighbors dog --k 5'), in order, loading the model once",
                 "batch queries.txt\nprintf 'neighbors dog\\nsimilar cat dog\\n' | embtool batch --jsonl", false,
                 batch_grammar, run_batch});
  all.push_back({"convert",
                 "Write a vector file as an embtool store (.emb) that opens in milliseconds, or in another "
                 "format (word2vec binary or text, GloVe), keeping every word and float bit",
                 "convert GoogleNews-vectors-negative300.bin.gz news.emb --dtype f16,i8\nconvert news.emb news.txt\n"
                 "convert news.emb news.npy   # and news.vocab.txt: numpy.load('news.npy')",
                 false, convert_grammar, run_convert});
  all.push_back({"index",
                 "Build the approximate (HNSW) index that `neighbors --ann` answers from, kept beside the model "
                 "as MODEL.hnsw",
                 "index news.emb\n"
                 "index news.emb --m 16 --ef-construction 200   # a faster build, a weaker graph\n"
                 "-m news.emb neighbors dog --ann",
                 false, index_grammar, run_index});
  all.push_back({"serve",
                 "An HTTP server with a JSON API over the query commands (GET /api/neighbors?word=dog) and a "
                 "web page to explore the model",
                 "serve\nserve --port 8080 --threads 4\n-m news.emb serve --bind 0.0.0.0", false, serve_grammar,
                 run_serve});
  all.push_back({"cache",
                 "The stores that word2vec, text and GloVe files of 64 MiB or more (plain or .gz) are converted "
                 "to on first open, so that the next open maps them in milliseconds: list them or clear them "
                 "(in $XDG_CACHE_HOME/embtool, else ~/.cache/embtool; --no-cache or EMBTOOL_CACHE=0: off)",
                 "cache\ncache list --json\ncache clear\ncache clear --stale", false, cache_grammar, run_cache});
  all.push_back({"completion",
                 "A shell completion script for bash, zsh or fish: commands, options, their values, files and "
                 "the model's words",
                 "completion bash > ~/.local/share/bash-completion/completions/embtool\n"
                 "source <(embtool completion bash)   # this shell only\n"
                 "completion fish > ~/.config/fish/completions/embtool.fish",
                 false, completion_grammar, run_completion});
  all.push_back({"help", "Explain a command, with examples (none: list the commands)",
                 "help\nhelp neighbors\nhelp --man | man -l -", false, help_grammar, run_help});
  return all;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = all_commands();
  return table;
}

const Command* find_command(std::string_view name) {
  for (const Command& command : commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::optional<std::string_view> closest_command(std::string_view name) {
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (const Command& command : commands()) {
    const size_t d = edit_distance(name, command.name);
    if (!best || d < best_distance) {
      best = command.name;
      best_distance = d;
    }
  }
  // A third of the letters wrong is still a slip of the keyboard; more is another word.
  if (best && best_distance <= std::max<size_t>(1, name.size() / 3)) return best;
  return std::nullopt;
}

}  // namespace embtool::app
