#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/error.hpp"
#include "tokenize/make_tokenizer.hpp"
#include "tokenize/spelling.hpp"
#include "tokenize/vocab_cases.hpp"

using namespace embtool;
using namespace embtool::tokenize;

namespace {

// A small SentencePiece vocabulary: <unk> <s> </s>, the 256 byte tokens, then `pieces` with
// their scores.
Spec small_spec(const std::vector<std::pair<std::string, float>>& pieces) {
  Spec spec;
  spec.model = "llama";
  spec.add_space_prefix = true;
  spec.decoding = Decoding::sentencepiece;
  auto add = [&](std::string text, TokenKind kind, float score) {
    spec.vocab.tokens.push_back(std::move(text));
    spec.vocab.kinds.push_back(kind);
    spec.vocab.scores.push_back(score);
  };
  add("<unk>", TokenKind::unknown, 0);
  add("<s>", TokenKind::control, 0);
  add("</s>", TokenKind::control, 0);
  for (int b = 0; b < 256; ++b) add(byte_token_key(static_cast<unsigned char>(b)), TokenKind::byte, 0);
  for (const auto& [text, score] : pieces) add(text, TokenKind::normal, score);
  spec.special.unk = 0, spec.special.bos = 1, spec.special.eos = 2;
  spec.prefix_ids = {1};
  return spec;
}

constexpr int32_t kFirstPiece = 3 + 256;

std::vector<int32_t> ids_of(const std::vector<Piece>& pieces) {
  std::vector<int32_t> ids;
  for (const Piece& p : pieces) ids.push_back(p.id);
  return ids;
}

void check_spans(const std::vector<Piece>& pieces, size_t size) {
  uint32_t last_begin = 0;
  for (const Piece& p : pieces) {
    CHECK(p.begin <= p.end);
    CHECK(p.end <= size);
    CHECK(p.begin >= last_begin);
    last_begin = p.begin;
  }
}

}  // namespace

TEST_CASE("sentencepiece: merges by score, the leftmost pair first among equal scores") {
  // "▁ab" can be "▁a"+"b" or "▁"+"ab"; "ab" scores higher, so it merges first.
  const auto t = make_tokenizer(small_spec({{"\xE2\x96\x81", -1}, {"a", -1}, {"b", -1}, {"\xE2\x96\x81" "a", -3},
                                            {"ab", -2}, {"\xE2\x96\x81" "ab", -9}}));
  // ▁+a (-3) vs a+b (-2): a+b first, then ▁+ab (-9).
  CHECK(ids_of(t->encode("ab")) == std::vector<int32_t>{kFirstPiece + 5});
  // "aaa" with only "aa": the tie between (a,a)@0 and (a,a)@1 goes to the leftmost.
  const auto u = make_tokenizer(small_spec({{"a", -1}, {"aa", -1}}));
  CHECK(ids_of(u->encode("aaa")) ==
        std::vector<int32_t>{3 + 0xE2, 3 + 0x96, 3 + 0x81, kFirstPiece + 1, kFirstPiece + 0});
}

TEST_CASE("sentencepiece: byte fallback, spans and the added space") {
  const auto t = make_tokenizer(small_spec({{"\xE2\x96\x81", -1}, {"h", -1}, {"i", -1}, {"\xE2\x96\x81h", -1},
                                            {"\xE2\x96\x81hi", -1}}));
  SECTION("the prefix space merged into the first piece spans only the word") {
    const std::vector<Piece> p = t->encode("hi");
    REQUIRE(p.size() == 1);
    CHECK(p[0].id == kFirstPiece + 4);
    CHECK(p[0].begin == 0);
    CHECK(p[0].end == 2);
  }
  SECTION("a character with no token falls back to its bytes, which share its span") {
    const std::string text = "hi \xC3\xA9";  // "hi é"
    const std::vector<Piece> p = t->encode(text);
    REQUIRE(p.size() == 4);
    CHECK(ids_of(p) == std::vector<int32_t>{kFirstPiece + 4, kFirstPiece + 0, 3 + 0xC3, 3 + 0xA9});
    CHECK(p[1].begin == 2);
    CHECK(p[1].end == 3);
    CHECK(p[2].begin == 3);
    CHECK(p[2].end == 5);
    CHECK(p[3].begin == 3);
    CHECK(p[3].end == 5);
    check_spans(p, text.size());
    CHECK(t->decode(ids_of(p)) == text);
  }
  SECTION("empty text gives nothing, or only what add_special adds") {
    CHECK(t->encode("").empty());
    CHECK(ids_of(t->encode("", {.add_special = true})) == std::vector<int32_t>{1});
  }
  SECTION("only spaces: the added one (empty span) and each of the text's") {
    const std::vector<Piece> p = t->encode("  ");
    CHECK(ids_of(p) == std::vector<int32_t>{kFirstPiece, kFirstPiece, kFirstPiece});
    CHECK(p[0].begin == 0);
    CHECK(p[0].end == 0);
    CHECK(p[2].begin == 1);
    CHECK(p[2].end == 2);
  }
  SECTION("a NUL byte is a byte token") {
    const std::vector<Piece> p = t->encode(std::string("h\0i", 3));
    CHECK(ids_of(p) == std::vector<int32_t>{kFirstPiece + 3, 3 + 0, kFirstPiece + 2});
    check_spans(p, 3);
  }
  SECTION("no space is added after text, one is after a special token") {
    const std::vector<Piece> p = t->encode("hi</s>hi", {.parse_special = true});
    CHECK(ids_of(p) == std::vector<int32_t>{kFirstPiece + 4, 2, kFirstPiece + 4});
    CHECK(p[2].begin == 6);
  }
}

TEST_CASE("sentencepiece: a missing byte token is an error, not a crash") {
  Spec spec;
  spec.model = "llama";
  spec.add_space_prefix = false;
  spec.vocab.tokens = {"<unk>", "a"};
  spec.vocab.kinds = {TokenKind::unknown, TokenKind::normal};
  spec.vocab.scores = {0, 0};
  const auto t = make_tokenizer(spec);
  CHECK(ids_of(t->encode("a")) == std::vector<int32_t>{1});
  CHECK_THROWS_AS(t->encode("b"), Error);
}

namespace {

void check_vocabulary(const std::filesystem::path& gguf) {
  const auto cases = test::read_vocab_cases(gguf);
  if (!cases || !std::filesystem::exists(gguf)) {
    WARN("skipped: " << gguf.string() << " or its .inp/.out is not there");
    return;
  }
  const auto tokenizer = test::gguf_tokenizer(gguf);
  REQUIRE(tokenizer != nullptr);
  CHECK(tokenizer->algorithm() == "SentencePiece");
  INFO(gguf.string() << ": " << cases->size() << " cases");
  CHECK(test::count_mismatches(*tokenizer, *cases) == 0);
  for (const test::VocabCase& c : *cases) check_spans(tokenizer->encode(c.text), c.text.size());
}

}  // namespace

TEST_CASE("sentencepiece: llama.cpp's llama-spm vocabulary gives the ids of its .out") {
  check_vocabulary(test::shared_vocab_dir() / "ggml-vocab-llama-spm.gguf");
}

// llama.cpp's own models/ directory, when EMBTOOL_LLAMA_CPP_MODELS names it.
TEST_CASE("sentencepiece: llama.cpp's phi-3 vocabulary gives the ids of its .out") {
  const std::filesystem::path dir = test::llama_cpp_models_dir();
  if (dir.empty()) {
    WARN("skipped: EMBTOOL_LLAMA_CPP_MODELS does not name llama.cpp's models directory");
    return;
  }
  check_vocabulary(dir / "ggml-vocab-phi-3.gguf");
}
