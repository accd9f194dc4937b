// parse_float: the fast path for plain decimals gives the double from_chars gives (then
// float32), for every digit count, point position and sign; every other field goes to the
// library, and fields that are not one number are refused.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "formats/text_fields.hpp"

using namespace embtool::formats;

namespace {

// The rule parse_float follows: the text read as a double by the library, then float32.
std::optional<float> library_value(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return static_cast<float>(value);
}

void require_same_bits(const std::string& text) {
  INFO("'" << text << "'");
  const auto got = parse_float(text);
  const auto expected = library_value(text);
  REQUIRE(got.has_value() == expected.has_value());
  if (got) CHECK(std::bit_cast<uint32_t>(*got) == std::bit_cast<uint32_t>(*expected));
}

}  // namespace

TEST_CASE("parse_float: plain decimals of every length and point position, as the library reads them",
          "[formats][text_fields]") {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> digit(0, 9);
  size_t checked = 0;
  for (int digits = 1; digits <= 24; ++digits) {
    for (int trial = 0; trial < 4000; ++trial) {
      std::string text;
      if (trial % 3 == 1) text += '-';
      if (trial % 7 == 2) text += '+';
      std::string number;
      for (int d = 0; d < digits; ++d) number += static_cast<char>('0' + digit(rng));
      const int point = trial % (digits + 1);
      if (point < digits) number.insert(static_cast<size_t>(point), ".");
      require_same_bits(text + number);
      ++checked;
    }
  }
  CHECK(checked == 96000);
}

TEST_CASE("parse_float: the edges of the fast path and what it leaves to the library",
          "[formats][text_fields]") {
  for (const char* text :
       {"0", "-0", "-0.0", "+0.5", ".5", "-.5", "5.", "9007199254740992", "9007199254740993",
        "0.9007199254740993", "1.0000000000000000000001", "0.0000000000000000000001",
        "0.00000000000000000000001", "9999999999999999999", "99999999999999999999",
        "1e-05", "-1.5E3", "3.4028235e38", "3.4028236e38", "1e39", "1e-46", "inf", "-Infinity",
        "nan", "0.1", "0.3", "1.00000005960464477539", "16777217", "-0.038194"}) {
    require_same_bits(text);
  }
  for (const char* not_a_number : {"", "+", "-", "++1", ".", "1.2.3", "1e", "0x1p3", " 1", "1 ", "1,5", "--1"}) {
    INFO("'" << not_a_number << "'");
    CHECK_FALSE(parse_float(not_a_number).has_value());
  }
}

TEST_CASE("parse_float_field: a field ends at a space, the next one starts after it",
          "[formats][text_fields]") {
  const std::string line = "0.25 -1e2 7";
  float value = 0;
  const char* end = line.data() + line.size();
  const char* p = parse_float_field(line.data(), end, value);
  REQUIRE(p != nullptr);
  CHECK(value == 0.25f);
  CHECK(*p == ' ');
  p = parse_float_field(p + 1, end, value);
  REQUIRE(p != nullptr);
  CHECK(value == -100.0f);
  p = parse_float_field(p + 1, end, value);
  REQUIRE(p == end);
  CHECK(value == 7.0f);
  CHECK(parse_float_field(line.data(), line.data() + 3, value) == line.data() + 3);  // "0.2"
  const std::string tab = "0.5\t1";
  CHECK(parse_float_field(tab.data(), tab.data() + tab.size(), value) == nullptr);
}
