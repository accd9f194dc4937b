#include "ops/text_case.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace embtool::ops {
namespace {

struct SingleUpper {
  char32_t from, to;
};
struct MultiUpper {
  char32_t from;
  std::array<char32_t, 3> to;  // 0-padded
};
#include "ops/python_upper_table.inc"

char32_t lower(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;             // Latin-1: À..Þ
  if (c == 0x178) return 0xFF;                                           // Ÿ -> ÿ
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x138 && c != 0x149) {  // Latin Extended-A
    const bool odd_pairs = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_pairs) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;             // Greek Α..Ϋ
  if (c >= 0x410 && c <= 0x42F) return c + 32;                           // Cyrillic А..Я
  if (c >= 0x400 && c <= 0x40F) return c + 80;                           // Cyrillic Ѐ..Џ
  return c;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The code point of the well-formed UTF-8 sequence at text[i] and its length, or nothing for a
// byte that does not start one (overlong forms and surrogates included).
std::optional<std::pair<char32_t, size_t>> decode_utf8(std::string_view text, size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  const size_t length = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || i + length > text.size()) return std::nullopt;
  char32_t c = length == 1 ? b0 : b0 & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kSmallest[length] || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) return std::nullopt;
  return std::pair{c, length};
}

void append_python_upper(std::string& out, char32_t c) {
  const auto single = std::lower_bound(kSingleUpper.begin(), kSingleUpper.end(), c,
                                       [](const SingleUpper& m, char32_t v) { return m.from < v; });
  if (single != kSingleUpper.end() && single->from == c) return append_utf8(out, single->to);
  const auto multi = std::lower_bound(kMultiUpper.begin(), kMultiUpper.end(), c,
                                      [](const MultiUpper& m, char32_t v) { return m.from < v; });
  if (multi != kMultiUpper.end() && multi->from == c) {
    for (char32_t to : multi->to) {
      if (to != 0) append_utf8(out, to);
    }
    return;
  }
  append_utf8(out, c);
}

}  // namespace

std::string fold_case(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    const auto b0 = static_cast<unsigned char>(word[i]);
    if (b0 < 0x80) {
      out += static_cast<char>(lower(b0));
      ++i;
      continue;
    }
    // Two- and three-byte sequences cover every letter folded above.
    if ((b0 & 0xE0) == 0xC0 && i + 1 < word.size() && (word[i + 1] & 0xC0) == 0x80) {
      const char32_t c = (char32_t{b0 & 0x1Fu} << 6) | (word[i + 1] & 0x3F);
      if (c >= 0x80) {
        append_utf8(out, lower(c));
        i += 2;
        continue;
      }
    }
    out += word[i];
    ++i;
  }
  return out;
}

std::string python_upper(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    const auto b0 = static_cast<unsigned char>(word[i]);
    if (b0 < 0x80) {  // the common case
      out += static_cast<char>(b0 >= 'a' && b0 <= 'z' ? b0 - 32 : b0);
      ++i;
      continue;
    }
    const auto decoded = decode_utf8(word, i);
    if (!decoded) {
      out += word[i++];
      continue;
    }
    append_python_upper(out, decoded->first);
    i += decoded->second;
  }
  return out;
}

}  // namespace embtool::ops
