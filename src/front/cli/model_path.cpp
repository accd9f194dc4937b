#include "front/cli/model_path.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

#include "base/error.hpp"

namespace embtool::cli {
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

}  // namespace

std::filesystem::path resolve_model_path(const std::string& model_option) {
  if (!model_option.empty()) return model_option;
  if (const char* env = std::getenv("EMBTOOL_MODEL"); env != nullptr && *env != '\0') return env;
  const auto candidates = bundled_model_candidates();
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  throw Error(ErrorKind::io, fmt::format("no model given (use --model PATH or set EMBTOOL_MODEL), "
                                        "and the bundled model is not at {}",
                                        candidates.back().string()));
}

}  // namespace embtool::cli
