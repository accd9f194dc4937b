#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "cli/commands.hpp"
#include "cli/model_path.hpp"
#include "cli/progress_bar.hpp"
#include "embtool/error.hpp"
#include "embtool/formats.hpp"
#include "kernels/simd.hpp"

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
  size_t threads = 0;
};

struct CommandArgs {
  std::string a, b, c;
  size_t k = 10;
  AnalogyMethod method = AnalogyMethod::add;
  std::optional<std::string> word;
  std::optional<uint64_t> id;
};

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
      ->check(kCountAtLeastOne);
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
  app.add_option("--threads", g.threads, "Threads for searches (default: one per core)")
      ->check(kCountAtLeastOne);
}

void add_commands(CLI::App& app, CommandArgs& args) {
  auto* similar = app.add_subcommand("similar", "Cosine similarity of two words");
  similar->add_option("A", args.a, "First word")->required();
  similar->add_option("B", args.b, "Second word")->required();

  auto* distance = app.add_subcommand("distance", "Cosine distance and Euclidean distance of two words");
  distance->add_option("A", args.a, "First word")->required();
  distance->add_option("B", args.b, "Second word")->required();

  auto* neighbors = app.add_subcommand("neighbors", "The nearest words by cosine similarity");
  neighbors->add_option("WORD", args.a, "The word")->required();
  neighbors->add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);

  auto* analogy = app.add_subcommand("analogy", "A + B - C: 'king woman man' finds queen");
  analogy->add_option("A", args.a, "The word to start from")->required();
  analogy->add_option("B", args.b, "The word to add")->required();
  analogy->add_option("C", args.c, "The word to subtract")->required();
  analogy->add_option("-k,--k", args.k, "How many (default 10)")->check(kCountAtLeastOne);
  analogy->add_option("--method", args.method, "add (3CosAdd, default) or mul (3CosMul)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, AnalogyMethod>{{"add", AnalogyMethod::add}, {"mul", AnalogyMethod::mul}}));

  auto* vector = app.add_subcommand("vector", "Print a word's vector exactly (the lookup-table row)");
  auto* word = vector->add_option("WORD", args.word, "The word");
  auto* id = vector->add_option("--id", args.id, "The row number instead of a word (0-based)");
  word->excludes(id);
  vector->callback([word, id] {
    if (word->count() == 0 && id->count() == 0) throw CLI::ValidationError("vector needs a WORD or --id N");
  });

  app.add_subcommand("info", "Words, dimension, format, sizes and norms of the model");
}

LoadOptions load_options(const GlobalOptions& g) {
  LoadOptions options;
  options.format = g.no_header ? Format::glove : *parse_format(g.format);
  if (g.limit > 0) options.limit = g.limit;
  options.allow_nonfinite = g.allow_nonfinite;
  return options;
}

void report_load(spdlog::logger& log, const Embeddings& e, double seconds) {
  const SourceInfo& s = e.source();
  log.info("loaded {} words x {} dimensions ({}{}) from {} in {:.3f} s; SIMD target {}", e.rows(),
           e.dim(), format_name(s.format), s.gzip ? ", gzip" : "", s.path, seconds,
           kernels::simd_target_name());
  if (s.duplicates_dropped > 0) {
    log.warn("{}: {} duplicate words ignored (the first occurrence of each is kept)", s.path,
             s.duplicates_dropped);
  }
  if (s.trailing_data) {
    log.warn("{}: data after the {} words the header announces was ignored", s.path, s.header_count);
  }
  if (s.crlf) log.warn("{}: lines end in CR LF (Windows); the CRs were ignored", s.path);
  if (s.nonfinite_values > 0) log.warn("{}: {} NaN/Inf values kept", s.path, s.nonfinite_values);
}

// Files smaller than this load in well under a second: no bar for them.
constexpr uint64_t kProgressMinBytes = 64ull << 20;

Embeddings load_model(const GlobalOptions& g, spdlog::logger& log, const Streams& streams) {
  const auto path = resolve_model_path(g.model);
  const auto start = std::chrono::steady_clock::now();
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

output::OutputFormat output_format(const GlobalOptions& g) {
  if (g.json) return output::OutputFormat::json;
  if (g.tsv) return output::OutputFormat::tsv;
  return output::OutputFormat::text;
}

void dispatch(const CLI::App& app, const CommandArgs& args, const CommandContext& ctx) {
  const std::string name = app.get_subcommands().front()->get_name();
  if (name == "similar") return run_similar(ctx, args.a, args.b);
  if (name == "distance") return run_distance(ctx, args.a, args.b);
  if (name == "neighbors") return run_neighbors(ctx, args.a, args.k);
  if (name == "analogy") return run_analogy(ctx, args.a, args.b, args.c, args.method, args.k);
  if (name == "vector") return run_vector(ctx, args.word, args.id);
  if (name == "info") return run_info(ctx);
  throw Error(ExitCode::failure, fmt::format("internal error: command '{}' has no handler", name));
}

}  // namespace

int run(const std::vector<std::string>& args, const Streams& streams) {
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
  if (args.empty()) {
    streams.err << app.help();
    return static_cast<int>(ExitCode::usage);
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, streams.out, streams.err);
    log->error("{} (see 'embtool --help')", e.what());
    return static_cast<int>(ExitCode::usage);
  }
  if (g.quiet) log->set_level(spdlog::level::err);
  if (g.verbose > 0) log->set_level(g.verbose > 1 ? spdlog::level::debug : spdlog::level::info);

  try {
    const Embeddings embeddings = load_model(g, *log, streams);
    const CommandContext ctx{embeddings,         output_format(g), streams.color, !g.exact_case,
                             {.threads = g.threads}, *log,       streams.out};
    dispatch(app, command_args, ctx);
    streams.out.flush();
    return static_cast<int>(ExitCode::ok);
  } catch (const Error& e) {
    log->error("{}", e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    log->error("out of memory");
    return static_cast<int>(ExitCode::failure);
  } catch (const std::exception& e) {
    log->error("unexpected failure: {}", e.what());
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace embtool::cli
