// Tokens: what a tokenizer says of each row of an LLM's embedding matrix. The vocabulary keeps
// each token's own spelling as its key (GPT-2 "Ġking", SentencePiece "▁king", WordPiece
// "##ing", byte tokens "<0x0A>"); this adds each row's kind (normal, special, byte, unused,
// ...) and the text the token stands for (" king"), so that a query can name a token either
// way. Word-vector models have no Tokens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/vocabulary.hpp"
#include "tokenize/token_kind.hpp"

namespace embtool {


std::string_view token_kind_name(TokenKind kind);
// Whether a token is not text of its own (control, unknown, unused): marked in every output.
bool is_special(TokenKind kind);

// How a tokenizer spells the text of a token in its key.
enum class TokenSpelling : uint8_t {
  raw,            // the key is the text (npy rows named by a vocabulary file)
  byte_level,     // GPT-2's bytes_to_unicode: each byte one code point ("Ġ" = space)
  sentencepiece,  // "▁" = space; <0xNN> = that byte
  wordpiece,      // "##" opens a continuation; other tokens are words
};

std::string_view token_spelling_name(TokenSpelling spelling);

// The text a key stands for, as bytes (possibly not valid UTF-8: a byte-level token may hold
// part of a character). Keys that are not of the spelling (a control token such as
// "<|endoftext|>") decode to themselves.
std::string decode_token(std::string_view key, TokenSpelling spelling, TokenKind kind);

// A text as GPT-2's byte-level spelling spells it (" king" -> "Ġking"): how tiktoken's raw
// byte tokens become keys.
std::string byte_level_spelling(std::string_view bytes);

class Tokens {
 public:
  Tokens() = default;
  // `kinds` has one entry per row; `tokenizer` names the tokenizer model ("gpt2", "llama",
  // "bert", "tiktoken"), as GGUF's tokenizer.ggml.model does.
  Tokens(std::vector<TokenKind> kinds, TokenSpelling spelling, std::string tokenizer);

  size_t size() const { return kinds_.size(); }
  TokenKind kind(uint32_t row) const { return kinds_[row]; }
  std::span<const TokenKind> kinds() const { return kinds_; }
  TokenSpelling spelling() const { return spelling_; }
  const std::string& tokenizer() const { return tokenizer_; }

  // Builds the index of decoded texts for `vocabulary` (the keys of the same rows), so that
  // find_text answers; the first row of a text wins, normal tokens before any other kind.
  // Raw keys are their own text, and need no index of their own: find_text answers nothing.
  void index_texts(const Vocabulary& vocabulary);
  // The row whose token stands for `text` (" king" -> the row of "Ġking"), if indexed.
  std::optional<uint32_t> find_text(std::string_view text) const;

 private:
  std::vector<TokenKind> kinds_;
  TokenSpelling spelling_ = TokenSpelling::raw;
  std::string tokenizer_;
  Vocabulary texts_;                  // decoded texts, each once
  std::vector<uint32_t> text_rows_;   // texts_ row -> matrix row
};

}  // namespace embtool
