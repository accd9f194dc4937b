// Tokenizer files read into whole tokenizers: GPT-2's vocab.json + merges.txt must tokenize as
// the GPT-2 GGUF does (llama.cpp's cases) and as tiktoken does (the README's sentence).
#include <catch2/catch.hpp>

#include <filesystem>

#include "formats/gguf/gguf.hpp"
#include "formats/tokenizer_vocab/tokenizer_spec.hpp"
#include "tokenize/make_tokenizer.hpp"
#include "tokenize/llama_cpp_vocab_cases.hpp"

namespace embtool {
namespace {

std::filesystem::path llm_dir() { return std::filesystem::path(EMBTOOL_SHARED_DATA_DIR) / "llm"; }

}  // namespace

TEST_CASE("GPT-2's vocab.json + merges.txt tokenize as tiktoken and the GPT-2 GGUF do", "[tokenize][shared]") {
  const std::filesystem::path dir = llm_dir() / "gpt2-bpe";
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: no shared data at " << dir.string());
    return;
  }
  const auto spec = formats::find_tokenizer_spec(dir);
  REQUIRE(spec.has_value());
  const auto tokenizer = tokenize::make_tokenizer(*spec);
  const std::string text = "This is an example of token embeddings.";
  const std::vector<tokenize::Piece> pieces = tokenizer->encode(text);
  CHECK(ids_of(pieces) == std::vector<int32_t>{1212, 318, 281, 1672, 286, 11241, 11525, 67, 654, 13});
  CHECK(pieces[1].begin == 4);
  CHECK(pieces[1].end == 7);  // " is"
  std::vector<int32_t> ids = ids_of(pieces);
  CHECK(tokenizer->decode(ids) == text);

  const std::filesystem::path gguf = llm_dir() / "vocab" / "ggml-vocab-gpt-2.gguf";
  for (const VocabCase& c : read_vocab_cases(gguf)) {
    INFO("case " << c.number << " " << printable(c.text));
    const std::vector<int32_t> got = ids_of(tokenizer->encode(c.text));
    CHECK(got == c.ids);
    CHECK(tokenizer->decode(got) == c.text);
  }
}

TEST_CASE("a Hugging Face model directory brings its tokenizer", "[tokenize][shared]") {
  const std::filesystem::path dir = llm_dir() / "tiny_gpt2";
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: no shared data at " << dir.string());
    return;
  }
  const Embeddings model = load(dir, {});
  REQUIRE(model.has_tokenizer());
  const tokenize::Tokenizer& tokenizer = model.tokenizer();
  const std::vector<tokenize::Piece> pieces = tokenizer.encode(" lower newer");
  REQUIRE(!pieces.empty());
  for (const tokenize::Piece& p : pieces) CHECK(p.id < static_cast<int32_t>(model.rows()));
  std::vector<int32_t> ids = ids_of(pieces);
  CHECK(tokenizer.decode(ids) == " lower newer");
}

TEST_CASE("a merges file that joins unknown tokens is refused in one sentence", "[tokenize]") {
  tokenize::Spec spec;
  spec.model = "gpt2";
  spec.vocab.tokens = {"a", "b", "ab"};
  tokenize::SplitStep step;
  step.kind = tokenize::SplitStep::Kind::byte_level;
  spec.splits.push_back(step);
  spec.merges = {{"a", "c"}};
  CHECK_THROWS_WITH(tokenize::make_tokenizer(spec), Catch::Contains("'c' that is not in its vocabulary"));
  spec.merges = {{"b", "a"}};
  CHECK_THROWS_WITH(tokenize::make_tokenizer(spec), Catch::Contains("makes 'ba'"));
  spec.merges = {{"a", "b"}};
  const auto tokenizer = tokenize::make_tokenizer(spec);
  CHECK(ids_of(tokenizer->encode("abab")) == std::vector<int32_t>{2, 2});
  CHECK_THROWS_WITH(tokenizer->encode(std::string("a\xff", 2)), Catch::Contains("not valid UTF-8: byte 1"));
}

}  // namespace embtool
