// The fields of text vector files, split and parsed exactly as gensim does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace embtool::formats {

// A decimal or exponent float, "nan" or "inf", rounded first to double and then to float32
// (numpy's route, so that every value equals gensim's bit for bit). nullopt if not a number.
std::optional<float> parse_float(std::string_view text);

// The field that starts at `p` and ends at the next space or at `end`, read as parse_float
// reads a field: returns where the field ends, or nullptr if it is not a number.
inline const char* parse_float_field(const char* p, const char* end, float& out);

namespace detail {

// Exact doubles: 10^22 is the largest power of ten a double holds exactly.
inline constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The shape nearly every value of a real vector file has, "-0.038194": a sign, at most 19
// digits with a point among them, no exponent. Its value is the digits as an integer divided by
// a power of ten; with the integer at most 2^53 and the power at most 10^22 both are exact
// doubles, so one IEEE division gives the correctly rounded double (Clinger's fast path, the
// one from_chars takes for these too), in a tenth of the library's instructions. Anything else
// returns nullptr and goes to the library.
inline const char* parse_plain_decimal(const char* p, const char* end, double& out) {
  const bool negative = p < end && *p == '-';
  p += negative;
  uint64_t mantissa = 0;
  int digits = 0;
  const char* const first = p;
  for (; p < end && static_cast<unsigned>(*p - '0') < 10; ++p, ++digits) {
    mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
  }
  if (p == first) return nullptr;
  int fraction = 0;
  if (p < end && *p == '.') {
    const char* const point = ++p;
    for (; p < end && static_cast<unsigned>(*p - '0') < 10; ++p, ++digits) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    }
    fraction = static_cast<int>(p - point);
    if (fraction == 0) return nullptr;
  }
  if ((p < end && *p != ' ') || digits > 19 || mantissa > (uint64_t{1} << 53) || fraction > 22) {
    return nullptr;
  }
  const double value = static_cast<double>(mantissa) / kExactPowersOfTen[fraction];
  out = negative ? -value : value;
  return p;
}

// Every other field: from_chars, and strtod where from_chars finds the value out of range.
const char* parse_float_field_slow(const char* p, const char* end, float& out);

}  // namespace detail

inline const char* parse_float_field(const char* p, const char* end, float& out) {
  double value = 0.0;
  const char* const field = p + (p < end && *p == '+');
  if (const char* after = detail::parse_plain_decimal(field, end, value)) {
    out = static_cast<float>(value);
    return after;
  }
  return detail::parse_float_field_slow(p, end, out);
}

// A non-negative decimal integer that fits in 64 bits; nullopt otherwise.
std::optional<uint64_t> parse_count(std::string_view text);

// word2vec.c and fastText end every line with one space: their convention, not a flaw. Tabs or
// several blanks after the last value (before any "\r") are what a reader warns about.
bool has_odd_trailing_blanks(std::string_view line);

// Text without trailing ASCII white space (Python's bytes.rstrip()).
std::string_view trim_right(std::string_view text);
std::string_view trim(std::string_view text);

// Python's line.split(" "): every single space separates, so "a  b" has an empty field.
// Replaces the contents of `fields`.
void split_spaces(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace embtool::formats
