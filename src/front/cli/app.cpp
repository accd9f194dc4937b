#include "front/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "app/commands.hpp"
#include "app/info.hpp"
#include "app/parse_error.hpp"
#include "app/query_commands.hpp"
#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "front/cli/completion.hpp"
#include "front/cli/exit_code.hpp"
#include "front/cli/grammar_outline.hpp"
#include "front/cli/man_page.hpp"
#include "front/cli/progress_bar.hpp"
#include "front/cli/sigbus_guard.hpp"
#include "formats/registry.hpp"
#include "front/http/api.hpp"
#include "front/http/server.hpp"
#include "front/repl/repl.hpp"
#include "render/plot_image.hpp"
#include "render/render.hpp"
#include "render/table.hpp"

namespace embtool::cli {
namespace {

struct GlobalOptions {
  std::optional<std::string> model;
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
  std::string tensor;
  std::string vocab;
  std::string tokenizer;
  size_t threads = 0;
  std::string scan_dtype = "auto";
  bool no_cache = false;
  std::string color = "auto";
};

std::shared_ptr<spdlog::logger> make_logger(std::ostream& err) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("embtool", sink);
  logger->set_pattern("embtool: %l: %v");
  logger->set_level(spdlog::level::warn);
  return logger;
}

// A value given twice (`-m a -m b`) takes the last, as shells' aliases expect.
CLI::Option* last_wins(CLI::Option* option) { return option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast); }

void add_global_options(CLI::App& app, GlobalOptions& g) {
  last_wins(app.add_option("-m,--model", g.model,
                           fmt::format("Vector file ({}; word vectors optionally .gz) or a Hugging Face "
                                       "model directory (default: $EMBTOOL_MODEL, else the bundled model)",
                                       format_descriptions(", "))));
  last_wins(app.add_option("--tensor", g.tensor,
                           "The checkpoint's tensor to explore (safetensors, GGUF), e.g. lm_head.weight or "
                           "output.weight; default: its token embedding"));
  last_wins(app.add_option("--vocab", g.vocab,
                           "Names for a matrix's rows (.npy): one token a line, or a tokenizer.json, "
                           "vocab.json or tiktoken file; default: rows named by their id"));
  last_wins(app.add_option("--tokenizer", g.tokenizer,
                           "The tokenizer to use instead of the model's (tokenize, detokenize, embed): "
                           "a GGUF file, e.g. one of llama.cpp's vocabulary files"));
  last_wins(app.add_option("--limit", g.limit, "Load only the first N words (the most frequent ones)")
                ->check(app::count_at_least_one()));
  std::vector<std::string> formats = format_spellings();
  formats.insert(formats.begin(), "auto");
  last_wins(app.add_option("--format", g.format,
                           "File format, detected from the content by default: auto, " +
                               describe_formats(false, ", "))
                ->check(CLI::IsMember(formats)));
  app.add_flag("--no-header", g.no_header, "The file has no '<count> <dim>' line (GloVe)");
  auto* json = app.add_flag("--json,--jsonl", g.json, "Print one JSON document a line");
  auto* tsv = app.add_flag("--tsv", g.tsv, "Print tab-separated values with a header line");
  json->excludes(tsv);
  auto* verbose = app.add_flag("-v,--verbose", g.verbose, "Log more to stderr (-vv for debug)");
  app.add_flag("-q,--quiet", g.quiet, "Log only errors")->excludes(verbose);
  app.add_flag("--no-cache", g.no_cache,
               "Read the model's file itself: neither map its cached store nor write one (also "
               "EMBTOOL_CACHE=0; see 'embtool help cache')");
  app.add_flag("--exact-case", g.exact_case,
               "Treat a word absent in this case as unknown instead of trying other cases");
  app.add_flag("--allow-nonfinite", g.allow_nonfinite, "Keep NaN/Inf values instead of refusing the file");
  app.add_flag("--strict", g.strict,
               "Refuse a file with duplicate words, CR LF line ends, trailing blanks or data after "
               "the announced words (otherwise read with a warning)");
  last_wins(app.add_option("--scan-dtype", g.scan_dtype,
                           "Which copy of a store searches scan: auto (the smallest), f32, f16, bf16, "
                           "i8; answers are the same")
                ->check(CLI::IsMember({"auto", "f32", "f16", "bf16", "i8"})));
  last_wins(app.add_option("--threads", g.threads, "Threads for searches (default: one per core)")
                ->check(app::count_at_least_one()));
  last_wins(app.add_option("--color,--colour", g.color,
                           "Bold table headers and highlights: auto (default: on a terminal, unless NO_COLOR is "
                           "set and not empty or TERM is dumb), always, never")
                ->check(CLI::IsMember({"auto", "always", "never"})));
}

// A command's help ends with its examples and where the options every command takes are told.
std::string examples_footer(std::string_view examples) {
  std::string footer = "Examples:";
  for (const std::string& line : example_lines(examples)) footer += "\n  " + line;
  return footer +
         "\n\nGlobal options (-m MODEL, --json, --tsv, --limit N, --threads N, --color WHEN, ...) go before or "
         "after the command: see 'embtool --help'.";
}

// Every command of the table, as a subcommand with its grammar and its examples.
void add_commands(CLI::App& app, app::CommandArgs& args) {
  for (const app::Command& command : app::commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    sub->footer(examples_footer(command.examples));
    command.grammar(*sub, args);
  }
}

ScanChoice scan_choice(std::string_view name) {
  if (name == "f32") return ScanChoice::f32;
  if (name == "f16") return ScanChoice::f16;
  if (name == "bf16") return ScanChoice::bf16;
  if (name == "i8") return ScanChoice::i8;
  return ScanChoice::smallest;
}

// More threads than cores only cost their start-up (a search's answer is the same for any
// count): --threads past the cores is said and taken as the cores.
size_t search_threads(size_t asked, spdlog::logger& log) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (asked <= cores) return asked;
  log.warn("--threads {}: this machine has {} cores; searches use {} threads", asked, cores, cores);
  return cores;
}

output::OutputStyle output_format(const GlobalOptions& g) {
  if (g.json) return output::OutputStyle::json;
  if (g.tsv) return output::OutputStyle::tsv;
  return output::OutputStyle::text;
}

// The command line's progress display: a bar on a terminal's stderr.
class TerminalProgress : public app::Progress {
 public:
  TerminalProgress(std::ostream& err, std::string label, std::string items)
      : bar_(err, std::move(label), true, std::move(items)) {}
  void update(uint64_t done, uint64_t total) override { bar_.update(done, total); }
  void finish() override { bar_.finish(); }

 private:
  ProgressBar bar_;
};

app::ProgressFactory progress_factory(const Streams& streams, bool quiet) {
  if (!streams.progress || quiet) return {};
  std::ostream* err = &streams.err;
  return [err](std::string label, std::string items) -> std::unique_ptr<app::Progress> {
    return std::make_unique<TerminalProgress>(*err, std::move(label), std::move(items));
  };
}

app::ModelOptions model_options(const GlobalOptions& g) {
  return {g.model, g.format, g.no_header, g.limit, g.allow_nonfinite, g.strict, g.tensor, g.vocab, g.tokenizer,
          g.no_cache};
}

// The first word of the command line that is not an option or an option's value: the command
// the user meant, if any.
std::optional<std::string> command_word(const CLI::App& app, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return std::nullopt;
    if (arg.size() > 1 && arg[0] == '-') {
      if (arg.find('=') != std::string::npos) continue;
      const CLI::Option* option = app.get_option_no_throw(arg);
      if (option != nullptr && option->get_expected_max() > 0) ++i;  // its value
      continue;
    }
    return arg;
  }
  return std::nullopt;
}

std::string unknown_command_message(std::string_view name) {
  if (const auto closest = app::closest_command(name)) {
    return fmt::format("unknown command '{}'; did you mean '{}'?", name, *closest);
  }
  std::vector<std::string_view> names;
  for (const app::Command& command : app::commands()) names.push_back(command.name);
  return fmt::format("unknown command '{}': the commands are {}", name, fmt::join(names, ", "));
}

std::string help_hint(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return fmt::format("see 'embtool help {}'", sub->get_name());
  return "see 'embtool help'";
}

// Output that cannot be written (a full disk, a closed stdout, a reader that went away) is an
// error, never a silent exit 0: flushed and checked at the end of every command.
std::optional<std::string> output_failure(std::ostream& out) {
  errno = 0;
  out.flush();
  if (out) return std::nullopt;
  const int error = errno;
  return error != 0 ? fmt::format("cannot write the output to standard output: {}", std::strerror(error))
                    : std::string("cannot write the output to standard output");
}

// What the command line does with each kind of result.
class ResultWriter {
 public:
  ResultWriter(const Streams& streams, const GlobalOptions& g, spdlog::logger& log, const CLI::App& parser)
      : streams_(streams), g_(g), log_(log), parser_(parser) {}

  // Returns the exit code.
  int write(const app::Result& result, const app::Session& session) {
    return std::visit([&](const auto& r) { return write_one(r, session); }, result);
  }

 private:
  static std::string wording(const Error& e) { return cli_message(e); }

  int write_one(const app::Answer& answer, const app::Session&) {
    const auto* plot = std::get_if<app::PlotAnswer>(&answer);
    if (plot != nullptr && plot->image_path) {
      write_image(*plot, *plot->image_path);
      // The image is what was asked for; the coordinates too only in the scripts' formats.
      if (output_format(g_) == output::OutputStyle::text) return static_cast<int>(ExitCode::ok);
    }
    streams_.out << output::render(answer, output_format(g_), streams_.color, wording);
    if (const auto* neighbors = std::get_if<app::NeighborsAnswer>(&answer)) {
      for (const app::NeighborsQuery& q : neighbors->queries) {
        if (q.error) log_.error("{}", output::printable(cli_message(*q.error)));
      }
    }
    if (const auto failure = app::failure_of(answer)) {
      log_.error("{}", output::printable(cli_message(*failure)));
      return static_cast<int>(exit_code_for(failure->kind()));
    }
    return static_cast<int>(ExitCode::ok);
  }

  // A failed line has its error in its place; the exit code says a line failed: that of the
  // failures if they share one, else 1.
  int write_one(const app::BatchAnswer& batch, const app::Session&) {
    streams_.out << output::render(batch, output_format(g_), streams_.color, wording);
    size_t failed = 0;
    std::optional<ExitCode> failure;
    for (const app::BatchLineAnswer& line : batch.lines) {
      std::optional<Error> error;
      if (const auto* e = std::get_if<Error>(&line.outcome)) error = *e;
      else error = app::failure_of(std::get<app::Answer>(line.outcome));
      if (!error) continue;
      log_.info("line {}: {}", line.line, cli_message(*error));
      ++failed;
      const ExitCode code = exit_code_for(error->kind());
      failure = !failure || *failure == code ? code : ExitCode::failure;
    }
    if (failed == 0) return static_cast<int>(ExitCode::ok);
    log_.error("{} of {} queries failed (each has its error in its place)", failed, batch.lines.size());
    return static_cast<int>(*failure);
  }

  // plot -o FILE: the drawing replaces FILE whole, or not at all.
  void write_image(const app::PlotAnswer& plot, const std::string& path) {
    const auto format = output::image_format_for(path);
    if (!format) throw Error(ErrorKind::invalid_argument, fmt::format("'{}': the image must be a .svg or .png file", path));
    const std::string bytes = output::draw_plot(plot, *format);
    AtomicFile file(path, /*replace_existing=*/true);
    file.write(bytes.data(), bytes.size());
    file.commit();
    log_.info("wrote {}: {} points, {}", output::printable(path), plot.points.size(), plot.title);
  }

  int write_one(const app::ConvertReport& report, const app::Session&) {
    log_.info("{}", output::describe(report));
    return static_cast<int>(ExitCode::ok);
  }

  int write_one(const app::CacheReport& report, const app::Session&) {
    streams_.out << output::render(report, output_format(g_));
    return static_cast<int>(ExitCode::ok);
  }

  int write_one(const app::StartShell&, const app::Session& session) {
    repl::run_repl(session, streams_.out, streams_.err, streams_.interactive && streams_.progress, streams_.color,
                   wording);
    return static_cast<int>(ExitCode::ok);
  }

  // One mapped model for every worker: the session's, opened before the server starts.
  int write_one(const app::StartServer& start, const app::Session& session) {
    const http::Api api(session.embeddings(), session.case_fallback(), session.search(), log_, start.options);
    http::serve_until_signal(api, log_, streams_.err);
    return static_cast<int>(ExitCode::ok);
  }

  int write_one(const app::ShowCompletion& completion, const app::Session&) {
    streams_.out << completion_script(outline_of(parser_), completion.shell);
    return static_cast<int>(ExitCode::ok);
  }

  int write_one(const app::ShowHelp& help, const app::Session&) {
    if (help.man) {
      streams_.out << man_page(outline_of(parser_), EMBTOOL_VERSION);
      return static_cast<int>(ExitCode::ok);
    }
    // The formatter itself: the parser's help() would show the help of `help`, the command given.
    const CLI::App* about = help.command ? parser_.get_subcommand(*help.command) : &parser_;
    streams_.out << parser_.get_formatter()->make_help(about, about == &parser_ ? "embtool" : "embtool " + about->get_name(),
                                                        CLI::AppFormatMode::Normal);
    return static_cast<int>(ExitCode::ok);
  }

  const Streams& streams_;
  const GlobalOptions& g_;
  spdlog::logger& log_;
  const CLI::App& parser_;
};

int run_command(const CLI::App& parser, const GlobalOptions& g, const app::CommandArgs& args,
                const Streams& streams, spdlog::logger& log) {
  const app::Command* command = app::find_command(parser.get_subcommands().front()->get_name());
  if (command == nullptr) throw Error(ErrorKind::internal, "a parsed command is not in the command table");
  app::Session session(model_options(g), !g.exact_case,
                       SearchOptions{.threads = search_threads(g.threads, log), .scan = scan_choice(g.scan_dtype)}, log,
                       progress_factory(streams, g.quiet), streams.in,
                       [](const std::filesystem::path& path) { set_guarded_file(path.string()); });
  session.set_out(&streams.out);
  const app::Result result = command->run(session, args);
  return ResultWriter(streams, g, log, parser).write(result, session);
}

// The exit code once the output is flushed: 5 if it could not be written (not said again
// after an I/O failure: convert's write to standard output that failed midway said so).
int finish(int code, const Streams& streams, spdlog::logger& log) {
  if (const auto failure = output_failure(streams.out); failure && code != static_cast<int>(ExitCode::io)) {
    log.error("{}", *failure);
    return code == static_cast<int>(ExitCode::ok) ? static_cast<int>(ExitCode::io) : code;
  }
  return code;
}

}  // namespace

bool color_by_default(bool stdout_is_terminal, const char* no_color, const char* term) {
  if (!stdout_is_terminal) return false;
  if (no_color != nullptr && *no_color != '\0') return false;  // no-color.org: set and not empty
  return term == nullptr || std::string_view(term) != "dumb";
}

// On a terminal, a command line without a command (`embtool`, `embtool -m FILE`) opens the
// interactive shell.
std::vector<std::string> with_default_command(const CLI::App& app, std::vector<std::string> args,
                                              bool interactive) {
  if (!interactive) return args;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h" || arg == "--version") return args;
  }
  if (command_word(app, args)) return args;
  args.push_back("repl");
  return args;
}

int run(const std::vector<std::string>& given_args, const Streams& streams) {
  CLI::App app{"embtool: explore embedding matrices: word vectors (word2vec, fastText, GloVe) and the token "
               "embeddings of language models (GGUF, safetensors, Hugging Face directories) with their tokenizers",
               "embtool"};
  app.set_version_flag("--version", fmt::format("embtool {} (SIMD: {})", EMBTOOL_VERSION, app::simd_target()));
  app.fallthrough();
  app.require_subcommand(1);
  app.footer("Run 'embtool help COMMAND' for a command's options and examples.");
  GlobalOptions g;
  app::CommandArgs command_args;
  add_global_options(app, g);
  add_commands(app, command_args);

  auto log = make_logger(streams.err);
  const std::vector<std::string> args = with_default_command(app, given_args, streams.interactive);
  if (args.empty()) {
    streams.err << app.help();
    return static_cast<int>(ExitCode::usage);
  }
  if (const auto word = command_word(app, args); word && app::find_command(*word) == nullptr) {
    log->error("{}", output::printable(unknown_command_message(*word)));
    return static_cast<int>(ExitCode::usage);
  }
  const auto end_of_options = std::find(args.begin(), args.end(), "--");
  command_args.dash_is_a_word = std::find(end_of_options, args.end(), "-") != args.end();
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return finish(app.exit(e, streams.out, streams.err), streams, *log);
    log->error("{} ({})", output::printable(app::plain_parse_error(e)), help_hint(app));
    return static_cast<int>(ExitCode::usage);
  }
  if (g.quiet) log->set_level(spdlog::level::err);
  if (g.verbose > 0) log->set_level(g.verbose > 1 ? spdlog::level::debug : spdlog::level::info);

  const Streams styled{streams.out, streams.err, g.color == "always" || (g.color == "auto" && streams.color),
                       streams.progress, streams.in, streams.interactive};
  int code = static_cast<int>(ExitCode::ok);
  try {
    code = run_command(app, g, command_args, styled, *log);
  } catch (const Error& e) {
    log->error("{}", output::printable(cli_message(e)));  // one line, whatever a file holds
    code = static_cast<int>(exit_code_for(e.kind()));
  } catch (const std::bad_alloc&) {
    log->error("out of memory");
    code = static_cast<int>(ExitCode::failure);
  } catch (const std::exception& e) {
    log->error("unexpected failure: {}", output::printable(e.what()));
    code = static_cast<int>(ExitCode::failure);
  }
  return finish(code, streams, *log);
}

}  // namespace embtool::cli
