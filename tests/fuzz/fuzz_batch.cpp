// libFuzzer target: a batch file, parsed and answered line by line against a small model, then
// rendered in JSON lines and in TSV (the query grammar, CLI11's parsing of each line, every
// query command, the batch renderers).
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <sstream>

#include "app/batch.hpp"
#include "base/error.hpp"
#include "fuzz_input.hpp"
#include "render/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto log = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  const std::string input(reinterpret_cast<const char*>(data), size);
  const embtool::app::Session session(embtool::fuzz::query_model(), true, {.threads = 1}, *log);
  std::istringstream in(input);
  try {
    const embtool::app::BatchAnswer answer = embtool::app::answer_batch(session, in, "fuzz input");
    for (auto format : {embtool::output::OutputStyle::json, embtool::output::OutputStyle::tsv}) {
      const std::string out = embtool::output::render(answer, format, false);
      if (!answer.lines.empty() && out.empty()) __builtin_trap();  // every line has its place
    }
  } catch (const embtool::Error&) {
  }
  return 0;
}
