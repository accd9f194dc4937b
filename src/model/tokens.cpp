#include "model/tokens.hpp"

#include <algorithm>
#include <array>

#include "tokenize/spelling.hpp"

namespace embtool {
namespace {

// "Ġking" -> " king"; a key holding a character outside the table is not byte-level text and
// stands for itself.
std::string decode_byte_level(std::string_view key) {
  std::optional<std::string> bytes = tokenize::byte_level_bytes(key);
  return bytes ? std::move(*bytes) : std::string(key);
}

}  // namespace

std::string_view token_kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::undefined: return "undefined";
    case TokenKind::normal: return "normal";
    case TokenKind::unknown: return "unknown";
    case TokenKind::control: return "control";
    case TokenKind::user_defined: return "user-defined";
    case TokenKind::unused: return "unused";
    case TokenKind::byte: return "byte";
  }
  return "undefined";
}

bool is_special(TokenKind kind) {
  return kind == TokenKind::control || kind == TokenKind::unknown || kind == TokenKind::unused;
}

std::string_view token_spelling_name(TokenSpelling spelling) {
  switch (spelling) {
    case TokenSpelling::raw: return "raw";
    case TokenSpelling::byte_level: return "byte-level";
    case TokenSpelling::sentencepiece: return "sentencepiece";
    case TokenSpelling::wordpiece: return "wordpiece";
  }
  return "raw";
}

std::string decode_token(std::string_view key, TokenSpelling spelling, TokenKind kind) {
  if (kind == TokenKind::control || kind == TokenKind::unknown || kind == TokenKind::unused) {
    return std::string(key);
  }
  switch (spelling) {
    case TokenSpelling::raw: return std::string(key);
    case TokenSpelling::byte_level: return decode_byte_level(key);
    case TokenSpelling::sentencepiece: return tokenize::sentencepiece_text(key);
    case TokenSpelling::wordpiece:
      return key.size() > 2 && key.substr(0, 2) == "##" ? std::string(key.substr(2)) : std::string(key);
  }
  return std::string(key);
}

std::string byte_level_spelling(std::string_view bytes) { return tokenize::byte_level_spelling(bytes); }

Tokens::Tokens(std::vector<TokenKind> kinds, TokenSpelling spelling, std::string tokenizer)
    : kinds_(std::move(kinds)), spelling_(spelling), tokenizer_(std::move(tokenizer)) {}

void Tokens::index_texts(const Vocabulary& vocabulary) {
  texts_ = Vocabulary();
  text_rows_.clear();
  // Raw keys are their own text: the vocabulary's index already finds them.
  if (spelling_ == TokenSpelling::raw) return;
  const size_t rows = std::min(vocabulary.size(), kinds_.size());
  texts_.reserve(rows, vocabulary.arena_bytes());
  text_rows_.reserve(rows);
  // Normal tokens first, so that " king" names the normal token before a special one that
  // happens to decode to the same text.
  for (const bool normal_pass : {true, false}) {
    for (uint32_t row = 0; row < rows; ++row) {
      if ((kinds_[row] == TokenKind::normal) != normal_pass) continue;
      if (texts_.add(decode_token(vocabulary.word(row), spelling_, kinds_[row]))) text_rows_.push_back(row);
    }
  }
}

std::optional<uint32_t> Tokens::find_text(std::string_view text) const {
  const std::optional<uint32_t> found = texts_.find(text);
  if (!found) return std::nullopt;
  return text_rows_[*found];
}

}  // namespace embtool
