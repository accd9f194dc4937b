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

TEST_CASE("similarity and distance match the textbook formulas", "[ops]") {
  const auto words = random_words(20, 50, 21);
  const auto e = load_words(words, "pairs.bin");
  for (uint32_t a = 0; a < 20; a += 3) {
    for (uint32_t b = 1; b < 20; b += 4) {
      const double cos = exact_cosine(words[a].values, words[b].values);
      CHECK(similarity(e, a, b) == Approx(cos).margin(1e-6));
      CHECK(similarity(e, a, b) == similarity(e, b, a));
      double sq = 0;
      for (size_t i = 0; i < 50; ++i) sq += std::pow(double{words[a].values[i]} - words[b].values[i], 2);
      const Distance d = distance(e, a, b);
      CHECK(d.cosine == Approx(1.0 - cos).margin(1e-6));
      CHECK(d.euclidean == Approx(std::sqrt(sq)).epsilon(1e-6));
    }
  }
  CHECK(similarity(e, 4, 4) == Approx(1.0).margin(1e-6));
}
