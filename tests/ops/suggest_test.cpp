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

TEST_CASE("suggestions: case variants first, then the closest spellings", "[ops]") {
  const auto e = load_words(toy_words(), "suggest.bin");
  const auto& v = e.vocabulary();
  CHECK(suggest_words(v, "paris") == std::vector<std::string>{"Paris", "PARIS"});
  CHECK(suggest_words(v, "qeen") == std::vector<std::string>{"queen"});
  CHECK(suggest_words(v, "kign").front() == "king");  // a swap is one edit
  CHECK(suggest_words(v, "xylophone").empty());
}
