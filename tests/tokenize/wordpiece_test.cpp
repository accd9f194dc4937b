#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/error.hpp"
#include "tokenize/make_tokenizer.hpp"
#include "tokenize/vocab_cases.hpp"

using namespace embtool;
using namespace embtool::tokenize;

namespace {

Spec word_spec(std::vector<std::string> tokens, std::string prefix) {
  Spec spec;
  spec.model = "bert";
  spec.decoding = Decoding::wordpiece;
  spec.continuing_subword_prefix = std::move(prefix);
  spec.vocab.tokens = std::move(tokens);
  spec.vocab.kinds.assign(spec.vocab.tokens.size(), TokenKind::normal);
  spec.vocab.kinds[0] = TokenKind::unknown;
  spec.vocab.kinds[1] = TokenKind::control;
  spec.vocab.kinds[2] = TokenKind::control;
  spec.special.unk = 0, spec.special.cls = 1, spec.special.sep = 2;
  spec.prefix_ids = {1};
  spec.suffix_ids = {2};
  return spec;
}

// Hugging Face's spelling: vocab.txt.
Spec hf_spec() {
  return word_spec({"[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello", ",", "!", "$", "e", "##\xCC\x81",
                    "\xE4\xB8\xAD", "a"},
                   "##");
}

// llama.cpp's GGUF spelling of the same: "▁" starts a word.
Spec gguf_spec() {
  return word_spec({"[UNK]", "[CLS]", "[SEP]", "\xE2\x96\x81un", "aff", "able", "\xE2\x96\x81hello", "\xE2\x96\x81,",
                    "\xE2\x96\x81!", "\xE2\x96\x81$", "\xE2\x96\x81" "e", "\xCC\x81", "\xE2\x96\x81\xE4\xB8\xAD", "\xE2\x96\x81" "a"},
                   "");
}

std::vector<int32_t> ids_of(const std::vector<Piece>& pieces) {
  std::vector<int32_t> ids;
  for (const Piece& p : pieces) ids.push_back(p.id);
  return ids;
}

}  // namespace

TEST_CASE("wordpiece: both spellings split and match words alike") {
  for (const Spec& spec : {hf_spec(), gguf_spec()}) {
    const auto t = make_tokenizer(spec);
    INFO("prefix '" << spec.continuing_subword_prefix << "'");
    CHECK(t->algorithm() == "WordPiece");
    // Punctuation and ASCII symbols are words of their own; case and accents go.
    CHECK(ids_of(t->encode("UnAffable, HÉLLO!$")) == std::vector<int32_t>{3, 4, 5, 7, 6, 8, 9});
    // A word with a part no token matches is one [UNK]; CJK ideographs are words alone.
    CHECK(ids_of(t->encode("unaffablex \xE4\xB8\xAD\xE4\xB8\xAD")) == std::vector<int32_t>{0, 12, 12});
    CHECK(t->encode("").empty());
    CHECK(t->encode(" \t\n ").empty());
    CHECK(ids_of(t->encode("", {.add_special = true})) == std::vector<int32_t>{1, 2});
    // NUL and control characters are dropped, joining what is around them.
    CHECK(ids_of(t->encode(std::string("hel\0lo\x01", 7))) == std::vector<int32_t>{6});
  }
}

TEST_CASE("wordpiece: spans are the input bytes of each piece") {
  for (const Spec& spec : {hf_spec(), gguf_spec()}) {
    const auto t = make_tokenizer(spec);
    const std::string text = "  unaffable,x";
    const std::vector<Piece> p = t->encode(text);
    REQUIRE(ids_of(p) == std::vector<int32_t>{3, 4, 5, 7, 0});
    CHECK(p[0].begin == 2);
    CHECK(p[0].end == 4);
    CHECK(p[1].begin == 4);
    CHECK(p[1].end == 7);
    CHECK(p[2].end == 11);
    CHECK(p[3].begin == 11);
    CHECK(p[3].end == 12);
    CHECK(p[4].begin == 12);
    CHECK(p[4].end == 13);
    // "é" as two code points: the stripped accent belongs to no piece.
    const std::vector<Piece> q = t->encode("e\xCC\x81");
    REQUIRE(ids_of(q) == std::vector<int32_t>{10});
    CHECK(q[0].begin == 0);
    CHECK(q[0].end == 1);
  }
}

TEST_CASE("wordpiece: Hugging Face's limit on a word's characters") {
  Spec spec = hf_spec();
  spec.max_input_chars_per_word = 5;
  const auto t = make_tokenizer(spec);
  CHECK(ids_of(t->encode("hello")) == std::vector<int32_t>{6});
  CHECK(ids_of(t->encode("aaaaaa hello")) == std::vector<int32_t>{0, 6});
  spec.special.unk = kNoToken;
  CHECK_THROWS_AS(make_tokenizer(spec)->encode("zzz"), Error);
}

TEST_CASE("wordpiece: without stripping accents, a combining accent stays in the word") {
  Spec spec = hf_spec();
  spec.strip_accents = false;
  const auto t = make_tokenizer(spec);
  CHECK(ids_of(t->encode("e\xCC\x81")) == std::vector<int32_t>{10, 11});
}

TEST_CASE("wordpiece: llama.cpp's bert-bge vocabulary gives the ids of its .out") {
  const std::filesystem::path gguf = test::shared_vocab_dir() / "ggml-vocab-bert-bge.gguf";
  const auto cases = test::read_vocab_cases(gguf);
  if (!cases || !std::filesystem::exists(gguf)) {
    WARN("skipped: " << gguf.string() << " or its .inp/.out is not there");
    return;
  }
  const auto tokenizer = test::gguf_tokenizer(gguf);
  REQUIRE(tokenizer != nullptr);
  INFO(cases->size() << " cases");
  CHECK(test::count_mismatches(*tokenizer, *cases) == 0);
  for (const test::VocabCase& c : *cases) {
    uint32_t last = 0;
    for (const Piece& p : tokenizer->encode(c.text)) {
      CHECK(p.begin >= last);
      CHECK(p.end <= c.text.size());
      last = p.begin;
    }
  }
}
