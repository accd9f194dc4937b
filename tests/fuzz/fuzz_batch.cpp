// libFuzzer target: a batch file, parsed and run line by line against a small model, in JSON
// lines and in TSV (the query grammar, CLI11's parsing of each line, every query command).
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <sstream>

#include "front/cli/batch.hpp"
#include "front/cli/exit_code.hpp"
#include "base/error.hpp"
#include "fuzz_input.hpp"

namespace {

const embtool::Embeddings& model() {
  static const embtool::Embeddings e = [] {
    std::string text = "6 3\n";
    const char* words[] = {"king", "queen", "man", "woman", "cat", "-"};
    for (int i = 0; i < 6; ++i) text += std::string(words[i]) + " " + std::to_string(i % 3) + " 1 " + std::to_string(i) + "\n";
    return embtool::load(embtool::fuzz::write_input(text, ".model.txt"));
  }();
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto log = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (auto format : {embtool::output::OutputFormat::json, embtool::output::OutputFormat::tsv}) {
    std::ostringstream out;
    std::istringstream in(input);
    const embtool::cli::CommandContext ctx{model(), format, false, true, {.threads = 1}, *log, out};
    try {
      embtool::cli::run_batch_command(ctx, std::nullopt, &in);
    } catch (const embtool::Error&) {
    } catch (const embtool::cli::ExitWith&) {  // lines failed in several ways
    }
  }
  return 0;
}
