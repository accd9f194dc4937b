#include "formats/text_fields.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

namespace embtool::formats {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

bool has_odd_trailing_blanks(std::string_view line) {
  size_t end = line.size() - (!line.empty() && line.back() == '\r');
  size_t blanks = 0;
  bool tab = false;
  for (; end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'); --end, ++blanks) {
    tab |= line[end - 1] == '\t';
  }
  return blanks > 1 || tab;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view trim(std::string_view text) {
  text = trim_right(text);
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  return text;
}

void split_spaces(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  for (;;) {
    const size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space - start));
    if (space == std::string_view::npos) return;
    start = space + 1;
  }
}

std::optional<float> parse_float(std::string_view text) {
  float value = 0.0f;
  const char* const end = text.data() + text.size();
  if (parse_float_field(text.data(), end, value) != end) return std::nullopt;
  return value;
}

namespace detail {

const char* parse_float_field_slow(const char* p, const char* end, float& out) {
  if (p < end && *p == '+') ++p;
  double value = 0.0;
  const auto [after, ec] = std::from_chars(p, end, value);
  // A number's text holds no space: from_chars stops where the field does, or the field is
  // not one number. A leading space or a second '+' are not numbers either.
  if (after == p || (after != end && *after != ' ')) return nullptr;
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value untouched; strtod gives Python's answer (+-inf or 0).
    value = std::strtod(std::string(p, after).c_str(), nullptr);
  } else if (ec != std::errc()) {
    return nullptr;
  }
  out = static_cast<float>(value);
  return after;
}

}  // namespace detail

std::optional<uint64_t> parse_count(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace embtool::formats
