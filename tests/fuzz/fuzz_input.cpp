#include "fuzz_input.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

#include "base/error.hpp"
#include "ops/ops.hpp"

namespace embtool::fuzz {

std::filesystem::path write_input(std::string_view bytes, const char* suffix) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("embtool-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

void load_and_use(const std::filesystem::path& path, const LoadOptions& options) {
  try {
    const Embeddings e = load(path, options);
    size_t bytes = 0;
    for (uint32_t r = 0; r < e.rows(); ++r) bytes += e.vocabulary().word(r).size();
    if (e.rows() > 1 && e.norm(0) > 0) neighbors(e, 0, 3, {.threads = 1});
    if (bytes == SIZE_MAX) std::abort();  // keeps the loop from being optimized away
  } catch (const Error&) {
  }
}

LoadOptions options_from(uint8_t selector, std::string_view format) {
  LoadOptions options;
  options.format = (selector & 1) ? std::string(format) : std::string("auto");
  options.allow_nonfinite = (selector & 2) != 0;
  if (selector & 4) options.limit = 1 + (selector >> 5);
  options.strict = (selector & 8) != 0;
  return options;
}

const Embeddings& query_model() {
  static const Embeddings e = [] {
    std::string text = "6 3\n";
    const char* words[] = {"king", "queen", "man", "woman", "cat", "-"};
    for (int i = 0; i < 6; ++i) text += std::string(words[i]) + " " + std::to_string(i % 3) + " 1 " + std::to_string(i) + "\n";
    return load(write_input(text, ".model.txt"));
  }();
  return e;
}

}  // namespace embtool::fuzz
