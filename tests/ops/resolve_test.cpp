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

TEST_CASE("resolve_word: exact, then another case, else suggestions", "[ops]") {
  const auto e = load_words(toy_words(), "resolve.bin");
  CHECK(resolve_word(e, "cat", true).row == 6);
  CHECK_FALSE(resolve_word(e, "cat", true).case_folded);
  const auto folded = resolve_word(e, "CAT", true);
  CHECK(folded.row == 6);
  CHECK(folded.case_folded);
  CHECK(resolve_word(e, "paris", true).row == 10);  // the first (most frequent) variant
  CHECK_THROWS_AS(resolve_word(e, "CAT", false), UnknownWordError);
  try {
    resolve_word(e, "kiten", true);
    FAIL("kiten resolved");
  } catch (const UnknownWordError& error) {
    CHECK(error.kind() == ErrorKind::not_found);
    CHECK(error.word() == "kiten");
    REQUIRE_FALSE(error.suggestions().empty());
    CHECK(error.suggestions()[0] == "kitten");
    CHECK_THAT(error.what(), Catch::Contains("did you mean: kitten"));
  }
}
