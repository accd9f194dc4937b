// libFuzzer target: an HTTP request as the server hands it to the API (method, target as sent,
// body), answered against a small model: the target's decoding, the parameters' mapping onto
// each command's grammar, the bounds, every query command, batch bodies. Every answer must be
// a status the API gives, with a body (but for an empty batch); an error's body names its status.
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "front/http/api.hpp"

namespace {

bool known_status(int status) {
  for (int s : {200, 400, 404, 405, 413, 500}) {
    if (status == s) return true;
  }
  return false;
}

}  // namespace

// The input: a method byte (GET, POST, HEAD, PUT), then the target up to the first newline,
// then the body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto log = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  static const embtool::http::Api api(embtool::fuzz::query_model(), true, {.threads = 1}, *log,
                                      embtool::app::ServeOptions{.max_k = 50, .max_body_bytes = 4096,
                                                                 .max_batch_lines = 20});
  if (size == 0) return 0;
  static const char* methods[] = {"GET", "POST", "HEAD", "PUT"};
  const std::string_view method = methods[data[0] % 4];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = rest.find('\n');
  const std::string_view target = rest.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  const embtool::http::HttpResponse response = api.answer(method, target, body);
  if (!known_status(response.status)) __builtin_trap();
  // Only a batch of no lines (blank lines, comments) has an empty answer, as on the command line.
  if (response.body.empty() && !(response.status == 200 && target.starts_with("/api/batch"))) __builtin_trap();
  if (response.status != 200 && response.body.find("\"status\":" + std::to_string(response.status)) == std::string::npos) {
    __builtin_trap();
  }
  return 0;
}
