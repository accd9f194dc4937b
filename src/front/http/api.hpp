// The HTTP API as a function: a request (method, target, body) in, a response (status,
// headers, body) out, with no socket in sight, so that what the server answers is tested and
// fuzzed directly. Every query command of the command table is GET /api/<command>, its
// positional arguments named by the table (a, b, word...) and its options by their long
// names (k, method); the body is exactly what `embtool <command> ... --json` prints.
// POST /api/batch takes batch lines and answers them as `embtool batch --json` does.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/command.hpp"
#include "front/http/request_target.hpp"
#include "model/embeddings.hpp"
#include "search/search.hpp"

namespace embtool::http {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

// The status an error of this kind is answered with: 400 for what the client can fix, 404 for
// a word or row that is not there, 500 for the rest.
int status_for(ErrorKind kind);

// {"error": message, "kind": "not found", "status": 404}, a line.
HttpResponse error_response(int status, std::string_view message, std::string_view kind);

class Api {
 public:
  // `embeddings` outlives the Api and is shared by every thread that calls answer().
  Api(const Embeddings& embeddings, bool case_fallback, SearchOptions search, spdlog::logger& log,
      app::ServeOptions limits);

  // Safe to call from any number of threads at once.
  HttpResponse answer(std::string_view method, std::string_view target, std::string_view body) const;

  const app::ServeOptions& limits() const { return limits_; }
  // The model's file name, for the announcement.
  std::string model_name() const;

 private:
  HttpResponse answer_query(const app::Command& command, const std::vector<Parameter>& parameters) const;
  HttpResponse answer_batch(std::string_view body) const;
  HttpResponse list_commands() const;

  const Embeddings& embeddings_;
  bool case_fallback_;
  SearchOptions search_;
  spdlog::logger& log_;
  app::ServeOptions limits_;
  // The model's approximate index (?ann=1), opened by the first request that asks for it.
  std::shared_ptr<app::AnnIndexCache> ann_ = std::make_shared<app::AnnIndexCache>();
};

// The command-line arguments (after the command's name) a request's parameters stand for:
// options first, then "--" and the positional arguments in the table's order. Throws
// Error(invalid_argument) for a parameter the command does not take.
std::vector<std::string> command_arguments(const app::Command& command, const std::vector<Parameter>& parameters);

}  // namespace embtool::http
