#include "ops/text_case.hpp"

#include <cstdint>

namespace embtool::ops {
namespace {

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
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
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

}  // namespace embtool::ops
