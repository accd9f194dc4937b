#include "front/http/api.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "app/batch.hpp"
#include "app/query_commands.hpp"
#include "app/query_parse.hpp"
#include "base/error.hpp"
#include "front/http/web_assets.hpp"
#include "render/json_writer.hpp"
#include "render/render.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::http {
namespace {

constexpr std::string_view kApiPrefix = "/api/";

// Options a server never takes from a request: it writes no files.
bool local_only(std::string_view option) { return option == "output"; }

struct Positional {
  std::string name;
  bool repeatable = false;
};

// "a b" -> a, b; "word..." -> word (repeatable).
std::vector<Positional> positionals_of(const app::Command& command) {
  std::vector<Positional> positionals;
  std::string_view names = command.parameters;
  while (!names.empty()) {
    const size_t blank = names.find(' ');
    std::string_view name = names.substr(0, blank);
    names = blank == std::string_view::npos ? std::string_view() : names.substr(blank + 1);
    const bool repeatable = name.ends_with("...");
    if (repeatable) name.remove_suffix(3);
    if (!name.empty()) positionals.push_back({std::string(name), repeatable});
  }
  return positionals;
}

std::optional<bool> flag_value(std::string_view text) {
  if (text.empty() || text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

// The names a command takes, for the message about one it does not.
std::string accepted_names(const std::vector<Positional>& positionals, const CLI::App& grammar) {
  std::vector<std::string> names;
  for (const Positional& p : positionals) {
    names.push_back(p.repeatable ? fmt::format("{0} (repeatable; or {0}s=A,B)", p.name) : p.name);
  }
  for (const CLI::Option* option : grammar.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      if (!local_only(name)) names.push_back(name);
    }
  }
  return names.empty() ? std::string("no parameters") : fmt::format("{}", fmt::join(names, ", "));
}

void append_comma_list(std::string_view list, std::vector<std::string>& values) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (!item.empty()) values.emplace_back(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

std::string json_line(const std::function<void(output::JsonWriter&)>& fields) {
  std::string out;
  output::JsonWriter json(out);
  json.begin_object();
  fields(json);
  json.end_object();
  out += '\n';
  return out;
}

HttpResponse not_found(std::string_view path) {
  return error_response(404, fmt::format("nothing is at '{}' (the API is under /api/, the page at /)", path), "not found");
}

HttpResponse method_not_allowed(std::string_view method, std::string_view allowed) {
  HttpResponse response = error_response(405, fmt::format("{} is not answered here: use {}", method, allowed),
                                         "invalid argument");
  response.headers.emplace_back("Allow", allowed);
  return response;
}

size_t line_count(std::string_view body) {
  size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() != '\n') ++lines;
  return lines;
}

// The bounds a parsed query must keep, whatever its grammar allows.
void check_bounds(const app::Command& command, const app::CommandArgs& args, const app::ServeOptions& limits) {
  const size_t k = command.name == "tokens" ? args.token_k : args.k;
  if (k > limits.max_k) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("k is at most {} here (the server's --max-k)", limits.max_k));
  }
}

// The grammar's messages name options as flags ("--k: '0' is not ..."); a request names them
// as parameters ("k").
Error in_parameter_words(const Error& error) {
  std::string message = error.what();
  for (size_t at = message.find("--"); at != std::string::npos; at = message.find("--", at)) {
    const bool starts_word = at == 0 || message[at - 1] == ' ' || message[at - 1] == '\'';
    const bool names_option = at + 2 < message.size() && std::isalpha(static_cast<unsigned char>(message[at + 2]));
    if (starts_word && names_option) message.erase(at, 2);
    else at += 2;
  }
  return Error(error.kind(), message);
}

}  // namespace

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument: return 400;
    case ErrorKind::not_found: return 404;
    case ErrorKind::bad_data:
    case ErrorKind::io:
    case ErrorKind::internal: return 500;
  }
  return 500;
}

HttpResponse error_response(int status, std::string_view message, std::string_view kind) {
  HttpResponse response;
  response.status = status;
  response.body = json_line([&](output::JsonWriter& json) {
    json.key("error").value(message).key("kind").value(kind).key("status").value(int64_t{status});
  });
  return response;
}

std::vector<std::string> command_arguments(const app::Command& command, const std::vector<Parameter>& parameters) {
  CLI::App grammar;
  grammar.set_help_flag();
  app::CommandArgs scratch;
  command.grammar(grammar, scratch);
  const std::vector<Positional> positionals = positionals_of(command);
  std::map<std::string, std::vector<std::string>> given;  // positional name -> its values
  std::vector<std::string> options;
  for (const Parameter& parameter : parameters) {
    std::string name = parameter.name;
    std::replace(name.begin(), name.end(), '_', '-');
    const auto positional = std::find_if(positionals.begin(), positionals.end(), [&](const Positional& p) {
      return p.name == name || (p.repeatable && name == p.name + "s");
    });
    if (positional != positionals.end()) {
      std::vector<std::string>& values = given[positional->name];
      if (name != positional->name) {
        append_comma_list(parameter.value, values);
      } else {
        values.push_back(parameter.value);
      }
      if (!positional->repeatable && values.size() > 1) {
        throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is given more than once", name));
      }
      continue;
    }
    const CLI::Option* option = local_only(name) ? nullptr : grammar.get_option_no_throw("--" + name);
    if (option == nullptr) {
      throw Error(ErrorKind::invalid_argument, fmt::format("{} takes no parameter '{}' (it takes: {})", command.name,
                                                           parameter.name, accepted_names(positionals, grammar)));
    }
    if (option->get_expected_max() == 0) {  // a flag: present, or "true" / "false"
      const auto on = flag_value(parameter.value);
      if (!on) throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is true or false, not '{}'", name, parameter.value));
      if (*on) options.push_back("--" + name);
      continue;
    }
    options.push_back("--" + name);
    // An option of several values (plot's analogy=king,woman,man) takes them comma-separated.
    if (option->get_expected_min() > 1) append_comma_list(parameter.value, options);
    else options.push_back(parameter.value);
  }
  options.emplace_back("--");
  for (const Positional& positional : positionals) {
    for (std::string& value : given[positional.name]) options.push_back(std::move(value));
  }
  return options;
}

Api::Api(const Embeddings& embeddings, bool case_fallback, SearchOptions search, spdlog::logger& log,
         app::ServeOptions limits)
    : embeddings_(embeddings), case_fallback_(case_fallback), search_(std::move(search)), log_(log),
      limits_(std::move(limits)) {}

HttpResponse Api::answer(std::string_view method, std::string_view target, std::string_view body) const {
  try {
    const RequestTarget request = parse_request_target(target);
    const bool get = method == "GET" || method == "HEAD";
    if (!request.path.starts_with(kApiPrefix) && request.path != "/api") {
      const WebAsset* asset = find_web_asset(request.path);
      if (asset == nullptr) return not_found(request.path);
      if (!get) return method_not_allowed(method, "GET, HEAD");
      HttpResponse response{200, std::string(asset->content_type), std::string(asset->content), {}};
      response.headers.emplace_back("Cache-Control", "no-cache");
      return response;
    }
    const std::string_view name = request.path == "/api" ? std::string_view() : std::string_view(request.path).substr(kApiPrefix.size());
    if (name.empty()) return get ? list_commands() : method_not_allowed(method, "GET, HEAD");
    if (name == "batch") {
      if (method != "POST") return method_not_allowed(method, "POST");
      if (!request.parameters.empty()) {
        throw Error(ErrorKind::invalid_argument, "batch takes no parameters: its lines are the body");
      }
      return answer_batch(body);
    }
    const app::Command* command = app::find_query_command(name);
    if (command == nullptr) {
      return error_response(404, fmt::format("no command '{}' (the API answers: batch, {})", name, app::query_command_list()),
                            "not found");
    }
    if (!get) return method_not_allowed(method, "GET, HEAD");
    return answer_query(*command, request.parameters);
  } catch (const Error& e) {
    return error_response(status_for(e.kind()), e.what(), error_kind_name(e.kind()));
  } catch (const std::bad_alloc&) {
    return error_response(500, "out of memory", "internal error");
  } catch (const std::exception& e) {
    return error_response(500, fmt::format("unexpected failure: {}", e.what()), "internal error");
  }
}

HttpResponse Api::answer_query(const app::Command& command, const std::vector<Parameter>& parameters) const {
  app::CommandArgs args;
  try {
    args = app::parse_query_arguments(command, command_arguments(command, parameters));
  } catch (const Error& e) {
    throw in_parameter_words(e);
  }
  check_bounds(command, args, limits_);
  app::Session session(embeddings_, case_fallback_, search_, log_);
  session.share_ann_index(ann_);
  app::Result result = command.run(session, args);
  const auto* answer = std::get_if<app::Answer>(&result);
  if (answer == nullptr) throw Error(ErrorKind::internal, fmt::format("'{}' gave no answer", command.name));
  return {200, "application/json", output::render(*answer, output::OutputStyle::json, false), {}};
}

HttpResponse Api::answer_batch(std::string_view body) const {
  if (body.size() > limits_.max_body_bytes) {
    return error_response(413, fmt::format("the body holds {} bytes; at most {} are taken (the server's --max-body)",
                                           body.size(), limits_.max_body_bytes), "invalid argument");
  }
  if (const size_t lines = line_count(body); lines > limits_.max_batch_lines) {
    return error_response(413, fmt::format("the batch holds {} lines; at most {} are taken (the server's --max-batch)",
                                           lines, limits_.max_batch_lines), "invalid argument");
  }
  if (const auto bad = tokenize::first_invalid_utf8(body)) {
    throw Error(ErrorKind::invalid_argument, fmt::format("the body is not UTF-8 (byte {})", *bad + 1));
  }
  app::Session session(embeddings_, case_fallback_, search_, log_);
  session.share_ann_index(ann_);
  std::istringstream in{std::string(body)};
  const app::BatchAnswer batch = app::answer_batch(session, in, "the request body",
                                                   [this](const app::Command& command, const app::CommandArgs& args) { check_bounds(command, args, limits_); });
  return {200, "application/x-ndjson", output::render(batch, output::OutputStyle::json, false), {}};
}

std::string Api::model_name() const { return std::filesystem::path(embeddings_.source().path).filename().string(); }

HttpResponse Api::list_commands() const {
  std::string out;
  output::JsonWriter json(out);
  json.begin_object().key("commands").begin_array();
  for (const app::Command& command : app::query_commands()) {
    json.begin_object().key("name").value(command.name).key("summary").value(command.summary);
    json.key("path").value(fmt::format("/api/{}", command.name)).key("parameters").begin_array();
    for (const Positional& p : positionals_of(command)) json.value(p.repeatable ? p.name + "..." : p.name);
    json.end_array().end_object();
  }
  json.begin_object().key("name").value("batch").key("summary").value("Batch lines in the body, answered as JSON lines");
  json.key("path").value("/api/batch").key("method").value("POST").end_object();
  json.end_array().end_object();
  out += '\n';
  return {200, "application/json", std::move(out), {}};
}

}  // namespace embtool::http
