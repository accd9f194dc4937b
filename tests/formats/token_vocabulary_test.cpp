#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "formats/token_vocabulary.hpp"

using namespace embtool;
using namespace embtool::formats;

namespace {

TokenVocabulary three_tokens() {
  TokenVocabulary tokens;
  tokens.keys = {"a", "Ġking", "<|endoftext|>"};
  tokens.kinds = {TokenKind::normal, TokenKind::normal, TokenKind::control};
  tokens.spelling = TokenSpelling::byte_level;
  tokens.tokenizer = "gpt2";
  tokens.source = "vocab.json";
  return tokens;
}

Matrix rows_of_two(size_t rows) {
  std::vector<float> values(rows * 2);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) + 1.0f;
  return Matrix::from_f32(std::move(values), 2);
}

}  // namespace

TEST_CASE("row_number_vocabulary names each row by its number") {
  const TokenVocabulary tokens = row_number_vocabulary(3);
  CHECK(tokens.keys == std::vector<std::string>{"0", "1", "2"});
  CHECK(tokens.kinds == std::vector<TokenKind>(3, TokenKind::normal));
}

TEST_CASE("rows past the tokenizer's tokens are named <row N> and marked unused") {
  SourceInfo source;
  source.path = "model.safetensors";
  const Embeddings e = embeddings_with_tokens(rows_of_two(5), three_tokens(), source, 0, "wte.weight");
  REQUIRE(e.rows() == 5);
  CHECK(e.vocabulary().word(1) == "Ġking");
  CHECK(e.vocabulary().word(3) == "<row 3>");
  CHECK(e.vocabulary().word(4) == "<row 4>");
  REQUIRE(e.tokens() != nullptr);
  CHECK(e.tokens()->kind(2) == TokenKind::control);
  CHECK(e.tokens()->kind(3) == TokenKind::unused);
  CHECK(e.tokens()->kind(4) == TokenKind::unused);
  CHECK(e.tokens()->spelling() == TokenSpelling::byte_level);
  CHECK(e.source().text("tokenizer") == "gpt2");
  CHECK(e.source().number("tokens") == 3);
  CHECK(e.source().number("rows_past_tokens") == 2);
  CHECK(e.source().text("tokens_file") == "vocab.json");
}

TEST_CASE("as many rows as tokens adds no rows and no rows_past_tokens fact") {
  const Embeddings e = embeddings_with_tokens(rows_of_two(3), three_tokens(), {}, 0, "wte.weight");
  CHECK(e.rows() == 3);
  CHECK(e.source().fact("rows_past_tokens") == nullptr);
}

TEST_CASE("a matrix with fewer rows than tokens is refused with both numbers") {
  try {
    embeddings_with_tokens(rows_of_two(2), three_tokens(), {}, 0, "wte.weight");
    FAIL("a matrix of 2 rows took 3 tokens");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK_THAT(e.what(), Catch::Contains("wte.weight has 2 rows") && Catch::Contains("has 3 tokens") &&
                             Catch::Contains("vocab.json"));
  }
}

TEST_CASE("a matrix of dim 0 (a vocabulary without vectors) takes one row per token") {
  const Embeddings e = embeddings_with_tokens(Matrix::from_f32({}, 0), three_tokens(), {}, 0, "token_embd.weight");
  CHECK(e.rows() == 3);
  CHECK(e.dim() == 0);
  CHECK(e.vocabulary().word(2) == "<|endoftext|>");
}

TEST_CASE("kinds that differ in number from keys are an internal error") {
  TokenVocabulary tokens = three_tokens();
  tokens.kinds.pop_back();
  try {
    embeddings_with_tokens(rows_of_two(3), tokens, {}, 0, "wte.weight");
    FAIL("accepted kinds and keys of different numbers");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::internal);
  }
}
