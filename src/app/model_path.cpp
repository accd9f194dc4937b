#include "app/model_path.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

#include "base/error.hpp"

namespace embtool::app {
namespace {

constexpr const char* kBundledModel = "model.bin";

// The installed copy (<prefix>/share/embtool) first, then the source tree it was built from.
std::vector<std::filesystem::path> bundled_model_candidates() {
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "embtool" / kBundledModel);
  candidates.emplace_back(std::filesystem::path(EMBTOOL_INSTALL_DATA_DIR) / kBundledModel);
  candidates.emplace_back(std::filesystem::path(EMBTOOL_SOURCE_DATA_DIR) / kBundledModel);
  return candidates;
}

// embtool maps the model's file (a store opens in a millisecond, a binary is walked by every
// core); a pipe cannot be mapped or read twice, so `zcat x.gz | embtool -m - info` is refused
// with what to do instead.
void refuse_pipe(const std::string& path) {
  std::error_code ec;
  const bool pipe = path == "-" || std::filesystem::is_fifo(path, ec);
  if (!pipe) return;
  throw Error(ErrorKind::invalid_argument,
              fmt::format("the model cannot be read from {}: embtool maps the model's file, and a pipe cannot be "
                          "mapped; give the file itself (a .gz is read as it is: `-m vectors.bin.gz`), or write the "
                          "stream to a file first (`zcat vectors.gz > vectors.bin`)",
                          path == "-" ? std::string("standard input") : "a pipe (" + path + ")"));
}

}  // namespace

std::filesystem::path resolve_model_path(const std::optional<std::string>& asked_for) {
  if (asked_for) {
    if (asked_for->empty()) {
      throw Error(ErrorKind::invalid_argument, "the model's file name is empty", Remedy::name_the_model);
    }
    refuse_pipe(*asked_for);
    return *asked_for;
  }
  if (const char* env = std::getenv("EMBTOOL_MODEL"); env != nullptr) {
    if (*env == '\0') {
      throw Error(ErrorKind::invalid_argument, "EMBTOOL_MODEL is set but empty", Remedy::name_the_model);
    }
    return env;
  }
  const auto candidates = bundled_model_candidates();
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  throw Error(ErrorKind::io,
              fmt::format("no model given, EMBTOOL_MODEL is not set, and the bundled model is not at {}",
                          candidates.back().string()),
              Remedy::name_the_model);
}

}  // namespace embtool::app
