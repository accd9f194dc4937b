#include "tokenize/vocab_cases.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "formats/gguf/gguf_file.hpp"
#include "formats/gguf/gguf_tokenizer.hpp"
#include "tokenize/make_tokenizer.hpp"

namespace embtool::test {
namespace {

std::optional<std::string> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::filesystem::path shared_vocab_dir() { return std::filesystem::path(EMBTOOL_SHARED_DATA_DIR) / "llm" / "vocab"; }

std::filesystem::path llama_cpp_models_dir() {
  const char* dir = std::getenv("EMBTOOL_LLAMA_CPP_MODELS");
  return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

std::optional<std::vector<VocabCase>> read_vocab_cases(const std::filesystem::path& gguf) {
  const std::optional<std::string> inp = read_all(gguf.string() + ".inp");
  const std::optional<std::string> out = read_all(gguf.string() + ".out");
  if (!inp || !out) return std::nullopt;
  std::vector<std::string> texts;
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t pos = 0; pos < inp->size();) {
    const size_t next = inp->find(sep, pos);
    if (next == std::string::npos) {
      texts.push_back(inp->substr(pos));
      break;
    }
    texts.push_back(inp->substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::vector<VocabCase> cases;
  std::istringstream lines(*out);
  size_t i = 0;
  for (std::string line; std::getline(lines, line); ++i) {
    VocabCase c;
    c.text = i < texts.size() ? texts[i] : std::string();
    std::istringstream numbers(line);
    for (int32_t id; numbers >> id;) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  if (cases.size() != texts.size()) return std::nullopt;
  return cases;
}

std::unique_ptr<const tokenize::Tokenizer> gguf_tokenizer(const std::filesystem::path& gguf) {
  const std::optional<std::string> bytes = read_all(gguf);
  if (!bytes) return nullptr;
  const formats::gguf::File file = formats::gguf::parse(
      std::span(reinterpret_cast<const std::byte*>(bytes->data()), bytes->size()), gguf.string());
  return tokenize::make_tokenizer(formats::gguf::tokenizer_spec(file, gguf.string()));
}

size_t count_mismatches(const tokenize::Tokenizer& tokenizer, const std::vector<VocabCase>& cases) {
  size_t bad = 0;
  for (const VocabCase& c : cases) {
    std::vector<int32_t> ids;
    for (const tokenize::Piece& p : tokenizer.encode(c.text)) ids.push_back(p.id);
    if (ids == c.ids) continue;
    if (++bad <= 5) {
      fmt::print("mismatch for {:?}:\n  expected {}\n  got      {}\n", c.text, c.ids, ids);
    }
  }
  return bad;
}

}  // namespace embtool::test
