#include <catch2/catch.hpp>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "base/error.hpp"
#include "ops/evaluate.hpp"
#include "ops/expression.hpp"
#include "ops/ops.hpp"
#include "ops/text_case.hpp"
#include "ops_fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;

TEST_CASE("case folding covers ASCII and common non-ASCII letters", "[ops]") {
  CHECK(ops::fold_case("KiNg") == "king");
  CHECK(ops::fold_case("CAFÉ") == "café");
  CHECK(ops::fold_case("ΑΘΗΝΑ") == "αθηνα");
  CHECK(ops::fold_case("МОСКВА") == "москва");
  CHECK(ops::fold_case("ŁÓDŹ") == "łódź");
  CHECK(ops::fold_case("clich\xC9s") == "clich\xC9s");  // invalid UTF-8 is kept as it is
}

TEST_CASE("python_upper is Python's str.upper(), full mappings included", "[ops]") {
  CHECK(ops::python_upper("Paris") == "PARIS");
  CHECK(ops::python_upper("straße") == "STRASSE");       // one letter becomes two
  CHECK(ops::python_upper("ﬁnal") == "FINAL");           // a ligature becomes two letters
  CHECK(ops::python_upper("λόγος") == "ΛΌΓΟΣ");           // final sigma
  CHECK(ops::python_upper("ıi") == "II");                 // dotless i
  CHECK(ops::python_upper("µ") == "Μ");                   // micro sign -> Greek capital mu
  CHECK(ops::python_upper("ǆ") == "Ǆ");
  CHECK(ops::python_upper("𐐨") == "𐐀");                 // Deseret: four-byte UTF-8
  CHECK(ops::python_upper("日本") == "日本");
  CHECK(ops::python_upper("clich\xE9s") == "CLICH\xE9S");  // invalid UTF-8 is kept as it is
  CHECK(ops::python_upper("\xC0\x80") == "\xC0\x80");     // an overlong form too
}

// Every code point against the Python that runs gensim (the table was generated from it; this
// catches a Python with another Unicode version).

TEST_CASE("python_upper agrees with /usr/bin/python3 on every code point", "[ops]") {
  FILE* python = popen("/usr/bin/python3 -c \"import sys\n"
                       "for cp in range(0x110000):\n"
                       "    if not 0xD800 <= cp < 0xE000: sys.stdout.buffer.write(chr(cp).upper().encode() + b'\\n')\"",
                       "r");
  REQUIRE(python != nullptr);
  std::string expected;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, python)) > 0;) expected.append(buffer, n);
  REQUIRE(pclose(python) == 0);  // python3 comes with the test dependencies
  std::string got;
  std::string one;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    one.clear();
    if (cp < 0x80) one += static_cast<char>(cp);
    else if (cp < 0x800) one += {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    else if (cp < 0x10000) one += {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    else one += {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    got += ops::python_upper(one) + "\n";
  }
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
}
