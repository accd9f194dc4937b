#include "app/batch.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <optional>

#include "app/query_parse.hpp"
#include "base/error.hpp"
#include "ops/ops.hpp"

namespace embtool::app {
namespace {

struct BatchLine {
  size_t number = 0;  // 1-based, in the input
  std::string text;   // as written (without the line end)
  const Command* command = nullptr;
  CommandArgs args;
  std::optional<Error> parse_error;
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

// The query commands' own grammar, so a line means what it means on the command line.
void parse_line(BatchLine& line, const LineCheck& check) {
  try {
    std::vector<std::string> tokens = tokenize(line.text);
    if (tokens.empty()) throw Error(ErrorKind::invalid_argument, "no command");
    line.command = find_query_command(tokens.front());
    if (line.command == nullptr) {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("unknown command '{}' (a line is one of: {})", tokens.front(), query_command_list()));
    }
    tokens.erase(tokens.begin());
    line.args = parse_query_arguments(*line.command, tokens);
    // A batch answers in its output; a file written per line (plot -o) would go unreported.
    if (!line.args.output.empty()) {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("{} -o writes a file: only on the command line, not in a batch or the shell", line.command->name));
    }
    if (check) check(*line.command, line.args);
  } catch (const Error& e) {
    line.parse_error = e;
  }
}

std::vector<BatchLine> read_lines(std::istream& in, std::string_view source, const LineCheck& check) {
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
    parse_line(line, check);
    lines.push_back(std::move(line));
  }
  if (in.bad()) throw Error(ErrorKind::io, fmt::format("{}: cannot read the queries", source));
  return lines;
}

// The cosine search a line will run, if its command is one whose searches a batch answers
// together.
std::optional<CosineSearch> search_of(const Session& s, const BatchLine& line) {
  if (line.parse_error || line.command->cosine_search == nullptr) return std::nullopt;
  return line.command->cosine_search(s, line.args);
}

// Every batchable search of the batch, answered together; answers[i] for lines[i].
std::vector<std::optional<std::vector<Neighbor>>> answer_searches(const Session& s,
                                                                  const std::vector<BatchLine>& lines) {
  std::vector<std::optional<std::vector<Neighbor>>> answers(lines.size());
  std::vector<CosineSearch> searches;
  std::vector<size_t> owners;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto search = search_of(s, lines[i])) {
      searches.push_back(std::move(*search));
      owners.push_back(i);
    }
  }
  std::vector<CosineQuery> queries;
  for (size_t j = 0; j < searches.size(); ++j) {
    queries.push_back({searches[j].unit_query, lines[owners[j]].args.k, searches[j].excluded});
  }
  const auto start = std::chrono::steady_clock::now();
  auto found = top_k_cosine_batch(s.embeddings(), queries, s.search());
  s.log().info("searched {} rows for {} batched queries in {:.3f} ms", s.embeddings().rows(), queries.size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  for (size_t j = 0; j < owners.size(); ++j) answers[owners[j]] = std::move(found[j]);
  return answers;
}

// A line's answer, or its error. A batch line never reads standard input (that is the batch).
BatchLineAnswer run_line(const Session& s, BatchLine& line, const std::vector<Neighbor>* precomputed) {
  if (line.parse_error) return {line.number, line.text, *line.parse_error};
  line.args.precomputed = precomputed;
  Session line_session(s.embeddings(), s.case_fallback(), s.search(), s.log());
  line_session.share_ann_index(s.ann_index_cache());
  try {
    Result result = line.command->run(line_session, line.args);
    if (auto* answer = std::get_if<Answer>(&result)) return {line.number, line.text, std::move(*answer)};
    throw Error(ErrorKind::internal, fmt::format("'{}' gave no answer for a batch line", line.command->name));
  } catch (const Error& e) {
    return {line.number, line.text, e};
  }
}

}  // namespace

BatchAnswer answer_batch(const Session& s, std::istream& in, std::string_view source, const LineCheck& check) {
  std::vector<BatchLine> lines = read_lines(in, source, check);
  const auto precomputed = answer_searches(s, lines);
  BatchAnswer answer;
  for (size_t i = 0; i < lines.size(); ++i) {
    answer.lines.push_back(run_line(s, lines[i], precomputed[i] ? &*precomputed[i] : nullptr));
  }
  return answer;
}

BatchLineAnswer answer_line(const Session& s, const std::string& text) {
  BatchLine line;
  line.number = 1;
  line.text = text;
  parse_line(line, {});
  return run_line(s, line, nullptr);
}

}  // namespace embtool::app
