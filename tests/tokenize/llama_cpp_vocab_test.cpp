// llama.cpp's tokenizer test vocabularies (models/ggml-vocab-*.gguf with .inp / .out, copied
// into the shared data): every case must give exactly the ids llama.cpp's
// tests/test-tokenizer-0.cpp expects, with add_special and parse_special off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "formats/gguf/gguf.hpp"
#include "llama_cpp_vocab_cases.hpp"

namespace embtool {
namespace {

void check_all_cases(const std::filesystem::path& vocab) {
  const std::vector<VocabCase> cases = read_vocab_cases(vocab);
  REQUIRE(!cases.empty());
  const Embeddings model = formats::open_gguf(vocab, {});
  const tokenize::Tokenizer& tokenizer = model.tokenizer();
  size_t failed = 0;
  for (const VocabCase& c : cases) {
    const std::vector<int32_t> ids = ids_of(tokenizer.encode(c.text));
    if (ids != c.ids) {
      ++failed;
      UNSCOPED_INFO("case " << c.number << " " << printable(c.text) << "\n   want " << join(c.ids) << "\n   got  " << join(ids));
    }
  }
  INFO(vocab.filename().string() << ": " << failed << " of " << cases.size() << " cases differ");
  CHECK(failed == 0);
}

std::filesystem::path shared_vocab_dir() { return std::filesystem::path(EMBTOOL_SHARED_DATA_DIR) / "llm" / "vocab"; }

}  // namespace

TEST_CASE("llama.cpp's test vocabularies give llama.cpp's ids", "[tokenize][shared]") {
  const std::filesystem::path dir = shared_vocab_dir();
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: no shared data at " << dir.string());
    return;
  }
  for (const char* name : {"gpt-2", "llama-bpe", "qwen2", "llama-spm", "bert-bge"}) {
    DYNAMIC_SECTION(name) { check_all_cases(dir / (std::string("ggml-vocab-") + name + ".gguf")); }
  }
}

}  // namespace embtool

namespace embtool {

// The rest of llama.cpp's test vocabularies, from a llama.cpp checkout's models/ that the peer
// test fetches (EMBTOOL_LLAMA_CPP_MODELS names the directory).
TEST_CASE("every llama.cpp test vocabulary gives llama.cpp's ids", "[tokenize][peer]") {
  const char* dir = std::getenv("EMBTOOL_LLAMA_CPP_MODELS");
  if (dir == nullptr) {
    WARN("skipped: EMBTOOL_LLAMA_CPP_MODELS names no llama.cpp models directory");
    return;
  }
  std::vector<std::filesystem::path> vocabs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ggml-vocab-", 0) == 0 && entry.path().extension() == ".gguf" &&
        std::filesystem::exists(entry.path().string() + ".inp")) {
      vocabs.push_back(entry.path());
    }
  }
  std::sort(vocabs.begin(), vocabs.end());
  REQUIRE(!vocabs.empty());
  for (const auto& vocab : vocabs) {
    DYNAMIC_SECTION(vocab.filename().string()) { check_all_cases(vocab); }
  }
}

}  // namespace embtool
