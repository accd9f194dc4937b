#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>

#include "embtool/formats.hpp"
#include "embtool/ops.hpp"
#include "embtool/search.hpp"
#include "fixtures.hpp"
#include "kernels/scalar.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

const Embeddings& big_model() {
  // Enough rows that the scan really splits among threads (16384 rows a thread at least).
  static const Embeddings model = load(write_file("search_big.bin", word2vec_binary(random_words(70000, 12, 41))));
  return model;
}

void require_identical(const std::vector<Neighbor>& a, const std::vector<Neighbor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].row == b[i].row);
    CHECK(std::bit_cast<uint32_t>(a[i].score) == std::bit_cast<uint32_t>(b[i].score));
  }
}

}  // namespace

TEST_CASE("the parallel scan gives the same answer for any thread count", "[search]") {
  const Embeddings& e = big_model();
  for (uint32_t query : {0u, 12345u, 69999u}) {
    const auto one = neighbors(e, query, 25, {.threads = 1});
    const auto add_one = analogy(e, query, 7, 8, AnalogyMethod::add, 10, {.threads = 1});
    const auto mul_one = analogy(e, query, 7, 8, AnalogyMethod::mul, 10, {.threads = 1});
    for (size_t threads : {2u, 3u, 4u, 7u}) {
      INFO("query " << query << ", " << threads << " threads");
      const SearchOptions options{.threads = threads};
      require_identical(neighbors(e, query, 25, options), one);
      require_identical(analogy(e, query, 7, 8, AnalogyMethod::add, 10, options), add_one);
      require_identical(analogy(e, query, 7, 8, AnalogyMethod::mul, 10, options), mul_one);
    }
  }
}

TEST_CASE("the parallel scan finds what the scalar reference finds", "[search]") {
  const Embeddings& e = big_model();
  const uint32_t query = 4242;
  std::vector<float> unit = e.row_values(query);
  for (float& x : unit) x /= e.norm(query);
  // The reference: scalar dot products over all rows, then a plain top-k.
  std::vector<float> reference(e.rows());
  for (uint32_t r = 0; r < e.rows(); ++r) reference[r] = kernels::scalar::dot(e.row_values(r), unit) / e.norm(r);
  const uint32_t excluded[] = {query};
  const auto expected = top_k(reference, 50, excluded);
  const auto found = top_k_cosine(e, unit, 50, excluded, {.threads = 2});
  REQUIRE(found.size() == 50);
  // Scoring every row (gensim's topn=None) and then selecting gives the same answer.
  CHECK(top_k(cosine_scores(e, unit), 50, excluded) == found);
  for (size_t i = 0; i < 50; ++i) {
    CHECK(found[i].row == expected[i].row);
    CHECK(found[i].score == Approx(expected[i].score).margin(1e-6));
  }
}

TEST_CASE("scan_top_k skips NaN and excluded rows wherever they fall, and handles small k and n", "[search]") {
  std::vector<float> values(50000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<float>(i));
  values[33] = std::numeric_limits<float>::quiet_NaN();
  const BlockScorer scorer = [&](uint32_t begin, uint32_t end, float* out) {
    std::copy(values.begin() + begin, values.begin() + end, out);
  };
  const uint32_t excluded[] = {11, 49999};
  for (size_t threads : {1u, 2u, 3u}) {
    const auto all = scan_top_k(values.size(), scorer, values.size(), excluded, {.threads = threads});
    CHECK(all.size() == values.size() - 3);
    CHECK(all == top_k(values, values.size(), excluded));
    CHECK(scan_top_k(values.size(), scorer, 0, excluded, {.threads = threads}).empty());
    CHECK(scan_top_k(3, scorer, 10, {}, {.threads = threads}).size() == 3);
  }
}
