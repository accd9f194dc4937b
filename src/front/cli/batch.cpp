#include "front/cli/batch.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "front/cli/exit_code.hpp"
#include "front/cli/query_commands.hpp"
#include "base/error.hpp"
#include "render/json_writer.hpp"
#include "render/table.hpp"

namespace embtool::cli {
namespace {

struct BatchLine {
  size_t number = 0;  // 1-based, in the input
  std::string text;   // as written (without the line end), echoed in the output
  std::string command;
  QueryArgs args;
  std::string parse_error;  // empty when the line parsed
};

// Blank-separated tokens; "double quotes" keep blanks inside one token (a \" is a quote).
std::vector<std::string> tokenize(std::string_view line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    std::string token;
    bool quoted = false;
    for (; i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t')); ++i) {
      if (line[i] == '\\' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
        token += line[++i];
      } else if (line[i] == '"') {
        quoted = !quoted;
      } else {
        token += line[i];
      }
    }
    if (quoted) throw Error(ErrorKind::invalid_argument, "a quote is not closed");
    tokens.push_back(std::move(token));
  }
  return tokens;
}

// The query commands' own parser, so a line means what it means on the command line.
void parse_line(BatchLine& line) {
  try {
    const std::vector<std::string> tokens = tokenize(line.text);
    if (!is_query_command(tokens.front())) {
      line.parse_error = fmt::format("unknown command '{}' (a line is one of: {})", tokens.front(),
                                     fmt::join(query_command_names(), ", "));
      return;
    }
    CLI::App app{"a batch line", "embtool"};
    add_query_commands(app, line.args);
    app.require_subcommand(1, 1);
    app.set_help_flag();
    std::vector<std::string> reversed(tokens.rbegin(), tokens.rend());  // CLI11 pops from the back
    app.parse(reversed);
    line.command = app.get_subcommands().front()->get_name();
    line.args.dash_is_a_word = true;  // standard input is the batch itself
  } catch (const CLI::ParseError& e) {
    line.parse_error = e.what();
  } catch (const Error& e) {
    line.parse_error = e.what();
  }
  if (line.parse_error.empty() && line.command.empty()) line.parse_error = "no command";
}

std::vector<BatchLine> read_lines(std::istream& in) {
  std::vector<BatchLine> lines;
  size_t number = 0;
  for (std::string text; std::getline(in, text);) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos || text[first] == '#') continue;
    BatchLine line;
    line.number = number;
    line.text = std::move(text);
    parse_line(line);
    lines.push_back(std::move(line));
  }
  if (in.bad()) throw Error(ErrorKind::io, "cannot read the batch input");
  return lines;
}

// The cosine search a line will run, if it is a neighbors or 3CosAdd analogy query whose words
// resolve; anything else (including every error) is left to the line's own command.
std::optional<CosineSearch> search_of(const CommandContext& ctx, const BatchLine& line) {
  if (!line.parse_error.empty()) return std::nullopt;
  const QueryArgs& a = line.args;
  const bool neighbors = line.command == "neighbors" && a.words.size() == 1;
  const bool analogy = line.command == "analogy" && a.method == AnalogyMethod::add;
  if (!neighbors && !analogy) return std::nullopt;
  try {
    auto row = [&](const std::string& word) {
      return resolve_word(ctx.embeddings, word, ctx.case_fallback).row;
    };
    if (neighbors) {
      const WeightedRow term{row(a.words.front()), 1.0f};
      return most_similar_search(ctx.embeddings, std::span(&term, 1));
    }
    return most_similar_search(ctx.embeddings, analogy_terms(row(a.a), row(a.b), row(a.c)));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Every batchable search of the batch, answered together; answers[i] for lines[i].
std::vector<std::optional<std::vector<Neighbor>>> answer_searches(const CommandContext& ctx,
                                                                  const std::vector<BatchLine>& lines) {
  std::vector<std::optional<std::vector<Neighbor>>> answers(lines.size());
  std::vector<CosineSearch> searches;
  std::vector<size_t> owners;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto search = search_of(ctx, lines[i])) {
      searches.push_back(std::move(*search));
      owners.push_back(i);
    }
  }
  std::vector<CosineQuery> queries;
  for (size_t j = 0; j < searches.size(); ++j) {
    queries.push_back({searches[j].unit_query, lines[owners[j]].args.k, searches[j].excluded});
  }
  const auto start = std::chrono::steady_clock::now();
  auto found = top_k_cosine_batch(ctx.embeddings, queries, ctx.search);
  ctx.log.info("searched {} rows for {} batched queries in {:.3f} ms", ctx.embeddings.rows(),
               queries.size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  for (size_t j = 0; j < owners.size(); ++j) answers[owners[j]] = std::move(found[j]);
  return answers;
}

// {"line":N,"query":"...", then the fields of the command's own JSON object.
std::string json_line(const BatchLine& line, const std::string& answer_object) {
  std::string head;
  output::JsonWriter json(head);
  json.begin_object().key("line").value(static_cast<int64_t>(line.number));
  json.key("query").value(std::string_view(line.text));  // left open: the command's fields follow
  std::string body = answer_object;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return head + "," + body.substr(1) + "\n";
}

std::string json_error_line(const BatchLine& line, std::string_view message) {
  std::string out;
  output::JsonWriter json(out);
  json.begin_object().key("line").value(static_cast<int64_t>(line.number));
  json.key("query").value(std::string_view(line.text));
  json.key("error").value(message).end_object();
  return out + "\n";
}

std::string text_block(const BatchLine& line, const std::string& body) {
  return fmt::format("> {}\n{}\n", line.text, body);
}

// batch --tsv: one table for every kind of answer, each row led by its input line and query.
constexpr std::string_view kTsvHeader = "line\tquery\tmeasure\trank\tword\tvalue\terror\n";

// The answer's (measure, rank, word, value) rows, each led by the line and query, with an empty
// error; a line always has at least one row.
std::string tsv_rows(const BatchLine& line, const std::string& rows) {
  const std::string lead = fmt::format("{}\t{}\t", line.number, output::tsv_escape(line.text));
  if (rows.empty()) return lead + "\t\t\t\t\n";
  std::string out;
  std::istringstream in(rows);
  for (std::string row; std::getline(in, row);) out += lead + row + "\t\n";
  return out;
}

std::string tsv_error_row(const BatchLine& line, std::string_view message) {
  return fmt::format("{}\t{}\t\t\t\t\t{}\n", line.number, output::tsv_escape(line.text),
                     output::tsv_escape(message));
}

struct LineOutcome {
  std::string output;
  std::optional<ExitCode> failure;
};

// A parsed line's answer as its command prints it, or its error: the one way batch and the
// shell run a line.
struct LineAnswer {
  std::string output;
  std::optional<Error> error;
};

LineAnswer run_line(const CommandContext& ctx, const BatchLine& line,
                    const std::vector<Neighbor>* precomputed) {
  if (!line.parse_error.empty()) return {{}, Error(ErrorKind::invalid_argument, line.parse_error)};
  std::ostringstream out;
  // A TSV batch is one table: each answer gives rows of the one shape all commands share.
  const auto format = ctx.format == output::OutputFormat::tsv ? output::OutputFormat::rows : ctx.format;
  CommandContext line_ctx{ctx.embeddings, format, ctx.color, ctx.case_fallback, ctx.search,
                          ctx.log,        out,    precomputed};
  try {
    run_query(line.command, line.args, line_ctx, nullptr);
  } catch (const Error& e) {
    return {{}, e};
  }
  return {out.str(), std::nullopt};
}

LineOutcome answer_line(const CommandContext& ctx, const BatchLine& line,
                        const std::optional<std::vector<Neighbor>>& precomputed) {
  const LineAnswer answer = run_line(ctx, line, precomputed ? &*precomputed : nullptr);
  if (answer.error) {
    const std::string message = cli_message(*answer.error);
    const ExitCode code = exit_code_for(answer.error->kind());
    ctx.log.info("line {}: {}", line.number, message);
    switch (ctx.format) {
      case output::OutputFormat::json: return {json_error_line(line, message), code};
      case output::OutputFormat::tsv: return {tsv_error_row(line, message), code};
      default: return {text_block(line, "error: " + message), code};
    }
  }
  switch (ctx.format) {
    case output::OutputFormat::json: return {json_line(line, answer.output), std::nullopt};
    case output::OutputFormat::tsv: return {tsv_rows(line, answer.output), std::nullopt};
    default: return {text_block(line, answer.output), std::nullopt};
  }
}

}  // namespace

std::string answer_query_line(const CommandContext& ctx, const std::string& text) {
  BatchLine line;
  line.number = 1;
  line.text = text;
  parse_line(line);
  const LineAnswer answer = run_line(ctx, line, nullptr);
  return answer.error ? fmt::format("error: {}\n", cli_message(*answer.error)) : answer.output;
}

void run_batch_command(const CommandContext& ctx, const std::optional<std::string>& file,
                       std::istream* in) {
  std::ifstream opened;
  std::istream* input = in;
  if (file && *file != "-") {
    opened.open(*file, std::ios::binary);
    if (!opened) throw Error(ErrorKind::io, fmt::format("{}: cannot open the batch file", *file));
    input = &opened;
  }
  if (input == nullptr) throw Error(ErrorKind::invalid_argument, "batch needs a FILE or queries on standard input");

  const std::vector<BatchLine> lines = read_lines(*input);
  const auto precomputed = answer_searches(ctx, lines);
  if (ctx.format == output::OutputFormat::tsv) ctx.out << kTsvHeader;
  size_t failed = 0;
  std::optional<ExitCode> failure;
  for (size_t i = 0; i < lines.size(); ++i) {
    const LineOutcome outcome = answer_line(ctx, lines[i], precomputed[i]);
    ctx.out << outcome.output;
    if (outcome.failure) {
      ++failed;
      failure = !failure || *failure == *outcome.failure ? *outcome.failure : ExitCode::failure;
    }
  }
  ctx.out.flush();
  if (failed > 0) {
    throw ExitWith(*failure, fmt::format("{} of {} queries failed (each has its error in its place)",
                                      failed, lines.size()));
  }
}

}  // namespace embtool::cli
