#include "model/tokens.hpp"

#include <algorithm>
#include <array>

namespace embtool {
namespace {

// GPT-2's bytes_to_unicode(): the printable Latin-1 bytes stand for themselves, and the other
// 68 bytes (controls, space, DEL, NBSP, soft hyphen) take the code points 256, 257, ... in
// byte order, so that every byte is one visible character.
struct ByteLevelTables {
  std::array<uint32_t, 256> code_point_of_byte{};
  std::array<int16_t, 324> byte_of_code_point{};  // -1: no byte

  ByteLevelTables() {
    byte_of_code_point.fill(-1);
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
      code_point_of_byte[b] = printable ? b : next++;
      byte_of_code_point[code_point_of_byte[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteLevelTables& byte_level_tables() {
  static const ByteLevelTables tables;
  return tables;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The next code point of `s` at `i` if it is a two-byte UTF-8 sequence or ASCII; nullopt for
// anything else (longer sequences cannot be byte-level characters).
std::optional<uint32_t> next_small_code_point(std::string_view s, size_t& i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) {
    ++i;
    return c0;
  }
  if ((c0 & 0xE0) == 0xC0 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
    const uint32_t cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return cp;
  }
  return std::nullopt;
}

// "Ġking" -> " king"; a key holding a character outside the table is not byte-level text and
// stands for itself.
std::string decode_byte_level(std::string_view key) {
  const ByteLevelTables& tables = byte_level_tables();
  std::string bytes;
  bytes.reserve(key.size());
  for (size_t i = 0; i < key.size();) {
    const std::optional<uint32_t> cp = next_small_code_point(key, i);
    if (!cp || *cp >= tables.byte_of_code_point.size() || tables.byte_of_code_point[*cp] < 0) {
      return std::string(key);
    }
    bytes += static_cast<char>(tables.byte_of_code_point[*cp]);
  }
  return bytes;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "<0x0A>" -> "\n"; nullopt for any other key.
std::optional<char> byte_token(std::string_view key) {
  if (key.size() != 6 || key.substr(0, 3) != "<0x" || key[5] != '>') return std::nullopt;
  const int hi = hex_digit(key[3]), lo = hex_digit(key[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<char>(hi * 16 + lo);
}

std::string decode_sentencepiece(std::string_view key) {
  if (const std::optional<char> byte = byte_token(key)) return std::string(1, *byte);
  static constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK
  std::string text;
  text.reserve(key.size());
  for (size_t i = 0; i < key.size();) {
    if (key.substr(i, kSpace.size()) == kSpace) {
      text += ' ';
      i += kSpace.size();
    } else {
      text += key[i++];
    }
  }
  return text;
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
    case TokenSpelling::sentencepiece: return decode_sentencepiece(key);
    case TokenSpelling::wordpiece:
      return key.size() > 2 && key.substr(0, 2) == "##" ? std::string(key.substr(2)) : std::string(key);
  }
  return std::string(key);
}

std::string byte_level_spelling(std::string_view bytes) {
  const ByteLevelTables& tables = byte_level_tables();
  std::string key;
  key.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) append_utf8(key, tables.code_point_of_byte[b]);
  return key;
}

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
