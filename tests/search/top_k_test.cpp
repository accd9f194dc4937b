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
#include "ops/ops_fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;

TEST_CASE("top_k: highest first, ties by row, NaN and exclusions skipped", "[search]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> scores{0.5f, 0.9f, nan, 0.9f, 0.1f, 0.7f};
  const uint32_t excluded[] = {5};
  const auto best = top_k(scores, 4, excluded);
  REQUIRE(best.size() == 4);
  CHECK(best[0] == Neighbor{1, 0.9f});
  CHECK(best[1] == Neighbor{3, 0.9f});
  CHECK(best[2] == Neighbor{0, 0.5f});
  CHECK(best[3] == Neighbor{4, 0.1f});
  CHECK(top_k(scores, 0).empty());
}
