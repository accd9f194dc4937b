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

TEST_CASE("vector expressions parse into weighted terms", "[ops]") {
  using embtool::ops::parse_expression;
  const auto terms = parse_expression("king - man + 2*woman");
  REQUIRE(terms.size() == 3);
  CHECK(terms[0].word == "king");
  CHECK(terms[0].weight == 1.0f);
  CHECK(terms[1].word == "man");
  CHECK(terms[1].weight == -1.0f);
  CHECK(terms[2].word == "woman");
  CHECK(terms[2].weight == 2.0f);
  CHECK(parse_expression("- king + queen")[0].weight == -1.0f);
  CHECK(parse_expression("a*b + c")[0].word == "a*b");  // not a number before '*': a word
  CHECK(parse_expression("e-mail + mail")[0].word == "e-mail");
  for (const char* bad : {"king +", "king man", "+ king", "king - - man", "0*king + man", "2* + man"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_expression(bad), Error);
  }
}
