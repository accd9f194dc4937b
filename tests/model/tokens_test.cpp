#include <catch2/catch.hpp>

#include <string>

#include "model/tokens.hpp"
#include "model/vocabulary.hpp"

using embtool::byte_level_spelling;
using embtool::decode_token;
using embtool::TokenKind;
using embtool::Tokens;
using embtool::TokenSpelling;
using embtool::Vocabulary;

TEST_CASE("byte-level keys decode to the bytes GPT-2 spells with them", "[tokens]") {
  CHECK(decode_token("\xC4\xA0king", TokenSpelling::byte_level, TokenKind::normal) == " king");  // Ġking
  CHECK(decode_token("\xC4\x8A", TokenSpelling::byte_level, TokenKind::normal) == "\n");         // Ċ
  CHECK(decode_token("<|endoftext|>", TokenSpelling::byte_level, TokenKind::control) == "<|endoftext|>");
  // Every byte survives the round trip, the 68 remapped ones included.
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string key = byte_level_spelling(all);
  CHECK(key.substr(0, 2) == "\xC4\x80");  // byte 0 is U+0100
  CHECK(decode_token(key, TokenSpelling::byte_level, TokenKind::normal) == all);
  // A key with a character outside the table (CJK) is not byte-level and stands for itself.
  CHECK(decode_token("\xE4\xB8\xAD", TokenSpelling::byte_level, TokenKind::normal) == "\xE4\xB8\xAD");
}

TEST_CASE("SentencePiece and WordPiece keys decode to their text", "[tokens]") {
  CHECK(decode_token("\xE2\x96\x81king", TokenSpelling::sentencepiece, TokenKind::normal) == " king");
  CHECK(decode_token("<0x0A>", TokenSpelling::sentencepiece, TokenKind::byte) == "\n");
  CHECK(decode_token("<0xZZ>", TokenSpelling::sentencepiece, TokenKind::normal) == "<0xZZ>");
  CHECK(decode_token("##ing", TokenSpelling::wordpiece, TokenKind::normal) == "ing");
  CHECK(decode_token("king", TokenSpelling::wordpiece, TokenKind::normal) == "king");
  CHECK(decode_token("[CLS]", TokenSpelling::wordpiece, TokenKind::control) == "[CLS]");
}

TEST_CASE("a token is found by its text, normal tokens first", "[tokens]") {
  Vocabulary vocabulary;
  for (const char* key : {"<s>", "\xC4\xA0king", "king", "\xC4\xA0king"}) vocabulary.append(key);
  REQUIRE(vocabulary.size() == 4);
  CHECK(vocabulary.find("\xC4\xA0king") == 1u);  // a key spelled twice names its first row
  Tokens tokens({TokenKind::control, TokenKind::normal, TokenKind::normal, TokenKind::normal},
                TokenSpelling::byte_level, "gpt2");
  tokens.index_texts(vocabulary);
  CHECK(tokens.find_text(" king") == 1u);
  CHECK(tokens.find_text("king") == 2u);
  CHECK(tokens.find_text("<s>") == 0u);
  CHECK_FALSE(tokens.find_text(" queen").has_value());
  CHECK(embtool::is_special(tokens.kind(0)));
  CHECK_FALSE(embtool::is_special(tokens.kind(1)));
}
