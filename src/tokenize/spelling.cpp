#include "tokenize/spelling.hpp"

#include <array>

namespace embtool::tokenize {
namespace {

// GPT-2's bytes_to_unicode(): the printable Latin-1 bytes stand for themselves, and the other
// 68 bytes (controls, space, DEL, NBSP, soft hyphen) take the code points 256, 257, ... in
// byte order, so that every byte is one visible character.
struct ByteLevelTables {
  std::array<uint32_t, 256> code_point_of_byte{};
  std::array<int16_t, 324> byte_of_code_point{};  // -1: no byte
  std::array<std::string, 256> spelling_of_byte{};

  ByteLevelTables() {
    byte_of_code_point.fill(-1);
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
      code_point_of_byte[b] = printable ? b : next++;
      byte_of_code_point[code_point_of_byte[b]] = static_cast<int16_t>(b);
      append_utf8(spelling_of_byte[b], code_point_of_byte[b]);
    }
  }
};

const ByteLevelTables& byte_level_tables() {
  static const ByteLevelTables tables;
  return tables;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t utf8_length(unsigned char lead) {
  static constexpr std::array<size_t, 16> kLengths = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

std::optional<size_t> first_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t min = 0, cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if (!is_continuation(p[i + k])) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

uint32_t next_code_point(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t len = std::min(utf8_length(c), s.size() - i);
  if (len == 1) {
    ++i;
    return c;
  }
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

std::string byte_level_spelling(std::string_view bytes) {
  const ByteLevelTables& tables = byte_level_tables();
  std::string key;
  key.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) key += tables.spelling_of_byte[b];
  return key;
}

std::optional<std::string> byte_level_bytes(std::string_view key) {
  const ByteLevelTables& tables = byte_level_tables();
  std::string bytes;
  bytes.reserve(key.size());
  for (size_t i = 0; i < key.size();) {
    const auto c0 = static_cast<unsigned char>(key[i]);
    uint32_t cp = 0;
    if (c0 < 0x80) {
      cp = c0;
      ++i;
    } else if ((c0 & 0xE0) == 0xC0 && i + 1 < key.size() && is_continuation(static_cast<unsigned char>(key[i + 1]))) {
      cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(key[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return std::nullopt;  // longer sequences are never byte-level characters
    }
    if (cp >= tables.byte_of_code_point.size() || tables.byte_of_code_point[cp] < 0) return std::nullopt;
    bytes += static_cast<char>(tables.byte_of_code_point[cp]);
  }
  return bytes;
}

std::optional<char> byte_token_value(std::string_view key) {
  if (key.size() != 6 || key.substr(0, 3) != "<0x" || key[5] != '>') return std::nullopt;
  const int hi = hex_digit(key[3]), lo = hex_digit(key[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<char>(hi * 16 + lo);
}

std::string byte_token_key(unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string{'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
}

std::string sentencepiece_text(std::string_view key) {
  if (const std::optional<char> byte = byte_token_value(key)) return std::string(1, *byte);
  std::string text;
  text.reserve(key.size());
  for (size_t i = 0; i < key.size();) {
    if (key.substr(i, kMetaspace.size()) == kMetaspace) {
      text += ' ';
      i += kMetaspace.size();
    } else {
      text += key[i++];
    }
  }
  return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  // Padded to a multiple of 4, as tiktoken and tokenizers write it.
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int held = 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const int value = value_of(text[i]);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes += static_cast<char>((bits >> held) & 0xFF);
    }
  }
  if ((bits & ((1u << held) - 1)) != 0) return std::nullopt;  // non-canonical padding bits
  return bytes;
}

}  // namespace embtool::tokenize
