#include "front/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "front/cli/batch.hpp"
#include "front/cli/repl.hpp"
#include "front/cli/commands.hpp"
#include "front/cli/exit_code.hpp"
#include "front/cli/query_commands.hpp"
#include "front/cli/model_path.hpp"
#include "front/cli/progress_bar.hpp"
#include "front/cli/sigbus_guard.hpp"
#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "ops/evaluate.hpp"
#include "formats/formats.hpp"
#include "formats/store_file.hpp"
#include "kernels/simd.hpp"
#include "render/table.hpp"

namespace embtool::cli {
namespace {

struct GlobalOptions {
  std::string model;
  uint64_t limit = 0;
  std::string format = "auto";
  bool no_header = false;
  bool json = false;
  bool tsv = false;
  int verbose = 0;
  bool quiet = false;
  bool exact_case = false;
  bool allow_nonfinite = false;
  bool strict = false;
  size_t threads = 0;
  std::string scan_dtype = "auto";
};

struct CommandArgs {
  QueryArgs query;                        // the commands a batch line may hold too
  std::string input, output;              // convert
  std::vector<std::string> dtypes;        // convert: reduced copies to add
  bool force = false;                     // convert: replace an existing output
  std::string to;                         // convert: the output format (default: from OUTPUT's name)
  std::optional<std::string> batch_file;  // batch: FILE, or standard input
  std::string eval_file;                  // eval analogies
  AnalogyEvalOptions eval;                // eval analogies
  PairEvalOptions pairs;                  // eval pairs
  bool case_sensitive = false;            // eval analogies
  std::string eval_style = "gensim";      // eval analogies: whose rules
};

std::shared_ptr<spdlog::logger> make_logger(std::ostream& err) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("embtool", sink);
  logger->set_pattern("embtool: %l: %v");
  logger->set_level(spdlog::level::warn);
  return logger;
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-m,--model", g.model,
                 "Vector file: word2vec .bin, .txt/.vec, GloVe, optionally .gz "
                 "(default: $EMBTOOL_MODEL, else the bundled model)");
  app.add_option("--limit", g.limit, "Load only the first N words (the most frequent ones)")
      ->check(count_at_least_one());
  app.add_option("--format", g.format, "File format, detected from the content by default")
      ->check(CLI::IsMember({"auto", "word2vec-binary", "word2vec-text", "glove"}));
  app.add_flag("--no-header", g.no_header, "The file has no '<count> <dim>' line (GloVe)");
  auto* json = app.add_flag("--json,--jsonl", g.json, "Print one JSON document a line");
  auto* tsv = app.add_flag("--tsv", g.tsv, "Print tab-separated values with a header line");
  json->excludes(tsv);
  app.add_flag("-v,--verbose", g.verbose, "Log more to stderr (-vv for debug)");
  app.add_flag("-q,--quiet", g.quiet, "Log only errors");
  app.add_flag("--exact-case", g.exact_case,
               "Treat a word absent in this case as unknown instead of trying other cases");
  app.add_flag("--allow-nonfinite", g.allow_nonfinite, "Keep NaN/Inf values instead of refusing the file");
  app.add_flag("--strict", g.strict,
               "Refuse a file with duplicate words, CR LF line ends, trailing blanks or data after "
               "the announced words (otherwise read with a warning)");
  app.add_option("--scan-dtype", g.scan_dtype,
                 "Which copy of a store searches scan: auto (the smallest), f32, f16, i8; "
                 "answers are the same")
      ->check(CLI::IsMember({"auto", "f32", "f16", "i8"}));
  app.add_option("--threads", g.threads, "Threads for searches (default: one per core)")
      ->check(count_at_least_one());
}

void add_commands(CLI::App& app, CommandArgs& args) {
  add_query_commands(app, args.query);

  app.add_subcommand("info", "Words, dimension, format, sizes and norms of the model");

  auto* eval = app.add_subcommand("eval", "Evaluate the model on a standard test set");
  eval->fallthrough();
  eval->require_subcommand(1);
  auto* analogies = eval->add_subcommand(
      "analogies", "Analogy accuracy on a questions-words.txt file, as gensim's evaluate_word_analogies");
  analogies->fallthrough();
  analogies->add_option("FILE", args.eval_file, "': section' lines, then 'a b c expected' lines")
      ->required();
  analogies->add_option("--style", args.eval_style,
                        "gensim (evaluate_word_analogies, default) or word2vec (the C tool compute-accuracy)")
      ->check(CLI::IsMember({"gensim", "word2vec"}));
  analogies->add_option("--restrict", args.eval.restrict_vocab,
                        "Only the first N words count, 0 all (default 300000; 30000 with --style word2vec, "
                        "its demo's threshold)");
  analogies->add_flag("--dummy4unknown", args.eval.dummy4unknown,
                      "Count questions with unknown words as wrong instead of skipping them");
  analogies->add_flag("--case-sensitive", args.case_sensitive,
                      "Compare words as written (default: case-insensitive, first occurrence wins)");
  analogies->add_option("--method", args.eval.method, "add (3CosAdd, default) or mul (3CosMul)")
      ->transform(analogy_method());

  auto* pairs = eval->add_subcommand(
      "pairs", "Pearson and Spearman against human similarity scores (WordSim-353, SimLex-999), "
               "as gensim's evaluate_word_pairs");
  pairs->fallthrough();
  pairs->add_option("FILE", args.eval_file, "'w1<TAB>w2<TAB>score' lines, '#' comments")->required();
  pairs->add_option("--restrict", args.pairs.restrict_vocab,
                    "Only the first N words count, 0 all (default 300000)");
  pairs->add_flag("--dummy4unknown", args.pairs.dummy4unknown,
                  "Give pairs with unknown words similarity 0 instead of skipping them");
  pairs->add_flag("--case-sensitive", args.case_sensitive,
                  "Compare words as written (default: case-insensitive, first occurrence wins)");

  app.add_subcommand("repl", "An interactive shell: line editing, history, tab completion of words "
                            "(also 'embtool' alone on a terminal)");

  auto* batch = app.add_subcommand(
      "batch", "Answer one query a line (e.g. 'neighbors dog --k 5'), in order, loading the model once");
  batch->add_option("FILE", args.batch_file, "The queries; '-' or none: standard input");

  auto* convert = app.add_subcommand(
      "convert", "Write a vector file as an embtool store (.emb) that opens in milliseconds, or in "
                 "another format (word2vec binary or text, GloVe), keeping every word and float bit");
  convert->add_option("INPUT", args.input, "A word2vec, fastText or GloVe file, or a store")->required();
  convert->add_option("OUTPUT", args.output,
                      "The file to write: .emb (a store), .bin (word2vec binary), .txt/.vec (word2vec text); "
                      "'-': standard output (word2vec text, or --to glove)")
      ->required();
  convert->add_option("--to", args.to, "The output format, whatever OUTPUT's name: emb, word2vec-binary, "
                                       "word2vec-text, glove")
      ->check(CLI::IsMember({"emb", "word2vec-binary", "word2vec-text", "glove"}));
  convert->add_option("--dtype", args.dtypes,
                      "Also store a reduced copy that searches scan first: f16, i8 (repeatable)")
      ->check(CLI::IsMember({"f16", "i8"}))
      ->delimiter(',');
  convert->add_flag("--force", args.force, "Replace OUTPUT if it exists");
}

LoadOptions load_options(const GlobalOptions& g) {
  LoadOptions options;
  options.format = g.no_header ? Format::glove : *parse_format(g.format);
  if (g.limit > 0) options.limit = g.limit;
  options.allow_nonfinite = g.allow_nonfinite;
  options.strict = g.strict;
  return options;
}

void report_load(spdlog::logger& log, const Embeddings& e, double seconds) {
  const SourceInfo& s = e.source();
  log.info("loaded {} words x {} dimensions ({}{}) from {} in {:.3f} s; SIMD target {}", e.rows(),
           e.dim(), format_name(s.format), s.gzip ? ", gzip" : "", s.path, seconds,
           kernels::simd_target_name());
  for (const std::string& warning : load_warnings(s)) log.warn("{}", warning);
}

// Files smaller than this load in well under a second: no bar for them.
constexpr uint64_t kProgressMinBytes = 64ull << 20;

Embeddings load_model(const GlobalOptions& g, const std::filesystem::path& path,
                      spdlog::logger& log, const Streams& streams) {
  const auto start = std::chrono::steady_clock::now();
  set_guarded_file(path.string());
  LoadOptions options = load_options(g);
  ProgressBar bar(streams.err, fmt::format("loading {}", path.filename().string()),
                  streams.progress && !g.quiet);
  options.progress = [&bar](uint64_t done, uint64_t total) {
    if (total >= kProgressMinBytes) bar.update(done, total);
  };
  Embeddings embeddings = load(path, options);
  bar.finish();
  report_load(log, embeddings,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return embeddings;
}

ScanChoice scan_choice(std::string_view name) {
  if (name == "f32") return ScanChoice::f32;
  if (name == "f16") return ScanChoice::f16;
  if (name == "i8") return ScanChoice::i8;
  return ScanChoice::smallest;
}

std::vector<Dtype> reduced_dtypes(const std::vector<std::string>& names) {
  std::vector<Dtype> dtypes;
  for (const std::string& name : names) {
    const Dtype dtype = name == "f16" ? Dtype::f16 : Dtype::i8;
    if (std::find(dtypes.begin(), dtypes.end(), dtype) == dtypes.end()) dtypes.push_back(dtype);
  }
  return dtypes;
}

void refuse_overwriting_input(const std::filesystem::path& input, const std::filesystem::path& output) {
  std::error_code ignored;
  if (std::filesystem::equivalent(input, output, ignored)) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{} is the input file; write the store to another file", output.string()));
  }
}

// OUTPUT "-": standard output, which takes the text formats only (a store is a file to map;
// word2vec binary is bytes no terminal shows).
constexpr std::string_view kStandardOutput = "-";

// The output format: --to, else OUTPUT's extension (word2vec text for "-"); nullopt for a store.
std::optional<Format> output_format_of(const CommandArgs& args) {
  std::string to = args.to;
  if (args.output == kStandardOutput) {
    if (to.empty()) to = "word2vec-text";
    if (to != "word2vec-text" && to != "glove") {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("'-' (standard output) takes a text format, word2vec-text or glove; "
                              "write {} to a file",
                              to == "emb" ? "a store" : "word2vec binary"));
    }
  }
  if (to.empty()) {
    const std::string extension = std::filesystem::path(args.output).extension().string();
    if (extension == ".emb") to = "emb";
    else if (extension == ".bin") to = "word2vec-binary";
    else if (extension == ".txt" || extension == ".vec") to = "word2vec-text";
    else if (extension == ".glove") to = "glove";
    else {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("{}: which format? name it .emb, .bin, .txt or .vec, or say --to "
                              "emb|word2vec-binary|word2vec-text|glove (compressed output: pipe a "
                              "text file through gzip)",
                              args.output));
    }
  }
  if (to == "emb") return std::nullopt;
  if (!args.dtypes.empty()) {
    throw Error(ErrorKind::invalid_argument, "--dtype adds reduced copies to a store (.emb) only");
  }
  return parse_format(to);
}

void write_classic_format(const Embeddings& embeddings, const std::filesystem::path& output, Format format,
                          const CommandArgs& args, const Streams& streams, bool quiet) {
  VectorWriteOptions options;
  options.force = args.force;
  const bool to_stdout = args.output == kStandardOutput;
  ProgressBar bar(streams.err,
                  fmt::format("writing {}", to_stdout ? "standard output" : output.filename().string()),
                  streams.progress && !quiet && embeddings.rows() >= 100000, "words");
  options.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  if (to_stdout) write_vectors(embeddings, streams.out, "standard output", format, options);
  else write_vectors(embeddings, output, format, options);
  bar.finish();
}

void convert_model(const GlobalOptions& g, const CommandArgs& args, spdlog::logger& log,
                   const Streams& streams) {
  const std::filesystem::path output = args.output;
  const std::optional<Format> classic = output_format_of(args);
  if (args.output != kStandardOutput) {  // said before a long load
    refuse_overwriting_input(args.input, output);
    check_output_file(output, args.force);
  }
  const Embeddings embeddings = load_model(g, args.input, log, streams);
  if (classic) {
    const auto start = std::chrono::steady_clock::now();
    write_classic_format(embeddings, output, *classic, args, streams, g.quiet);
    log.info("wrote {} ({} words x {}, {}) in {:.3f} s",
             args.output == kStandardOutput ? "standard output" : output.string(), embeddings.rows(), embeddings.dim(),
             format_name(*classic), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return;
  }
  StoreWriteOptions options;
  options.reduced = reduced_dtypes(args.dtypes);
  options.force = args.force;
  const auto start = std::chrono::steady_clock::now();
  ProgressBar bar(streams.err, fmt::format("writing {}", output.filename().string()),
                  streams.progress && !g.quiet);
  options.progress = [&bar](uint64_t done, uint64_t total) {
    if (total >= kProgressMinBytes) bar.update(done, total);
  };
  write_store(embeddings, output, options);
  bar.finish();
  log.info("wrote {} ({} words x {}) in {:.3f} s", output.string(), embeddings.rows(),
           embeddings.dim(),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

output::OutputFormat output_format(const GlobalOptions& g) {
  if (g.json) return output::OutputFormat::json;
  if (g.tsv) return output::OutputFormat::tsv;
  return output::OutputFormat::text;
}

// compute-accuracy has one rule for each of these, so the options that change gensim's rules
// are refused rather than ignored.
Word2vecAccuracyOptions word2vec_options(const CLI::App& analogies, const CommandArgs& args,
                                         const CommandContext& ctx) {
  for (const char* name : {"--dummy4unknown", "--case-sensitive", "--method"}) {
    if (analogies.get_option(name)->count() > 0) {
      throw Error(ErrorKind::invalid_argument, fmt::format("{} is a gensim rule: --style word2vec follows compute-accuracy, "
                                               "which compares upper-cased words, skips unknown ones "
                                               "and answers with 3CosAdd",
                                               name));
    }
  }
  Word2vecAccuracyOptions options;
  if (analogies.get_option("--restrict")->count() > 0) options.threshold = args.eval.restrict_vocab;
  options.search = ctx.search;
  return options;
}

void dispatch(const CLI::App& app, const CommandArgs& args, const CommandContext& ctx,
              std::istream* in) {
  const CLI::App* command = app.get_subcommands().front();
  if (command->get_name() == "info") return run_info(ctx);
  if (command->get_name() == "batch") return run_batch_command(ctx, args.batch_file, in);
  if (command->get_name() == "repl") return run_repl(ctx);
  if (command->get_name() == "eval" && command->got_subcommand("pairs")) {
    PairEvalOptions options = args.pairs;
    options.case_insensitive = !args.case_sensitive;
    if (options.restrict_vocab == 0) options.restrict_vocab = ctx.embeddings.rows();
    return run_eval_pairs(ctx, args.eval_file, options);
  }
  if (command->get_name() == "eval") {
    const CLI::App* analogies = command->get_subcommand("analogies");
    if (args.eval_style == "word2vec") {
      return run_eval_word2vec(ctx, args.eval_file, word2vec_options(*analogies, args, ctx));
    }
    AnalogyEvalOptions options = args.eval;
    options.case_insensitive = !args.case_sensitive;
    if (options.restrict_vocab == 0) options.restrict_vocab = ctx.embeddings.rows();
    options.search = ctx.search;
    return run_eval_analogies(ctx, args.eval_file, options);
  }
  run_query(command->get_name(), args.query, ctx, in);
}

}  // namespace

// On a terminal, a command line without a command (`embtool`, `embtool -m FILE`) opens the
// interactive shell.
std::vector<std::string> with_default_command(const CLI::App& app, std::vector<std::string> args,
                                              bool interactive) {
  if (!interactive) return args;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h" || arg == "--version") return args;
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == arg) return args;
    }
  }
  args.push_back("repl");
  return args;
}

int run(const std::vector<std::string>& given_args, const Streams& streams) {
  CLI::App app{"embtool: explore pre-trained word vectors (word2vec, fastText, GloVe)", "embtool"};
  app.set_version_flag("--version",
                       fmt::format("embtool {} (SIMD: {})", EMBTOOL_VERSION, kernels::simd_target_name()));
  app.fallthrough();
  app.require_subcommand(1);
  GlobalOptions g;
  CommandArgs command_args;
  add_global_options(app, g);
  add_commands(app, command_args);

  auto log = make_logger(streams.err);
  const std::vector<std::string> args = with_default_command(app, given_args, streams.interactive);
  if (args.empty()) {
    streams.err << app.help();
    return static_cast<int>(ExitCode::usage);
  }
  const auto end_of_options = std::find(args.begin(), args.end(), "--");
  command_args.query.dash_is_a_word = std::find(end_of_options, args.end(), "-") != args.end();
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, streams.out, streams.err);
    log->error("{} (see 'embtool --help')", output::printable(e.what()));
    return static_cast<int>(ExitCode::usage);
  }
  if (g.quiet) log->set_level(spdlog::level::err);
  if (g.verbose > 0) log->set_level(g.verbose > 1 ? spdlog::level::debug : spdlog::level::info);

  try {
    if (app.got_subcommand("convert")) {
      convert_model(g, command_args, *log, streams);
      return static_cast<int>(ExitCode::ok);
    }
    const Embeddings embeddings = load_model(g, resolve_model_path(g.model), *log, streams);
    const SearchOptions search{.threads = g.threads, .scan = scan_choice(g.scan_dtype)};
    const CommandContext ctx{embeddings, output_format(g), streams.color,
                             !g.exact_case, search, *log, streams.out, nullptr,
                             streams.progress && !g.quiet ? &streams.err : nullptr};
    dispatch(app, command_args, ctx, streams.in);
    streams.out.flush();
    return static_cast<int>(ExitCode::ok);
  } catch (const ExitWith& e) {
    log->error("{}", output::printable(e.what()));
    return static_cast<int>(e.code());
  } catch (const Error& e) {
    log->error("{}", output::printable(cli_message(e)));  // one line, whatever a file holds
    return static_cast<int>(exit_code_for(e.kind()));
  } catch (const std::bad_alloc&) {
    log->error("out of memory");
    return static_cast<int>(ExitCode::failure);
  } catch (const std::exception& e) {
    log->error("unexpected failure: {}", output::printable(e.what()));
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace embtool::cli
