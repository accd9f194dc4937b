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

TEST_CASE("neighbors rank every other word by cosine, the query excluded", "[ops]") {
  const auto words = random_words(500, 24, 22);
  const auto e = load_words(words, "neighbors.bin");
  for (uint32_t q : {0u, 17u, 499u}) {
    const auto found = neighbors(e, q, 10);
    REQUIRE(found.size() == 10);
    const auto expected = ranking(500, [&](uint32_t r) { return exact_cosine(words[q].values, words[r].values); },
                                  {q}, 10);
    CHECK(rows_of(found) == expected);
    for (const auto& n : found) {
      CHECK(n.score == Approx(exact_cosine(words[q].values, words[n.row].values)).margin(1e-6));
    }
  }
  CHECK(neighbors(e, 3, 10000).size() == 499);  // k beyond the vocabulary: everyone else
}

TEST_CASE("3CosAdd analogy ranks by cosine with the normalized a + b - c", "[ops]") {
  const auto words = random_words(400, 16, 23);
  const auto e = load_words(words, "analogy.bin");
  const uint32_t a = 5, b = 9, c = 40;
  const auto ua = unit(words[a].values), ub = unit(words[b].values), uc = unit(words[c].values);
  std::vector<float> target(16);
  for (size_t i = 0; i < 16; ++i) target[i] = static_cast<float>(ua[i] + ub[i] - uc[i]);
  const auto expected = ranking(400, [&](uint32_t r) { return exact_cosine(target, words[r].values); },
                                {a, b, c}, 10);
  const auto found = analogy(e, a, b, c, AnalogyMethod::add, 10);
  CHECK(rows_of(found) == expected);
  CHECK(found[0].score == Approx(exact_cosine(target, words[found[0].row].values)).margin(1e-6));
}

TEST_CASE("3CosMul analogy follows Levy and Goldberg's shifted product", "[ops]") {
  const auto words = random_words(400, 16, 24);
  const auto e = load_words(words, "cosmul.bin");
  const uint32_t a = 1, b = 2, c = 3;
  auto shifted = [&](uint32_t x, uint32_t r) { return (1 + exact_cosine(words[x].values, words[r].values)) / 2; };
  auto score = [&](uint32_t r) { return shifted(a, r) * shifted(b, r) / (shifted(c, r) + 1e-6); };
  const auto found = analogy(e, a, b, c, AnalogyMethod::mul, 10);
  CHECK(rows_of(found) == ranking(400, score, {a, b, c}, 10));
  for (const auto& n : found) CHECK(n.score == Approx(score(n.row)).epsilon(1e-5));
}

TEST_CASE("the toy model answers the classic questions", "[ops]") {
  const auto e = load_words(toy_words(), "toy.bin");
  const auto& v = e.vocabulary();
  const auto add = analogy(e, *v.find("king"), *v.find("woman"), *v.find("man"), AnalogyMethod::add, 3);
  CHECK(v.word(add[0].row) == "queen");
  const auto mul = analogy(e, *v.find("king"), *v.find("woman"), *v.find("man"), AnalogyMethod::mul, 3);
  CHECK(v.word(mul[0].row) == "queen");
  CHECK(v.word(neighbors(e, *v.find("kitten"), 1)[0].row) == "puppy");
  // A zero vector has no direction: it never appears among neighbours and cannot be a query.
  for (const auto& n : neighbors(e, *v.find("cat"), 100)) CHECK(v.word(n.row) != "zero");
  CHECK_THROWS_AS(neighbors(e, *v.find("zero"), 5), Error);
  // gensim's convention: a zero vector is similar to nothing (0), yet has a Euclidean distance.
  CHECK(similarity(e, *v.find("zero"), *v.find("cat")) == 0.0);
  CHECK(distance(e, *v.find("zero"), *v.find("cat")).cosine == 1.0);
  CHECK(distance(e, *v.find("zero"), *v.find("cat")).euclidean > 0.9);
}

TEST_CASE("batched 3CosMul gives most_similar_cosmul's answers bit for bit", "[ops]") {
  auto words = random_words(40000, 24, 77);
  words[5].values.assign(24, 0.0f);  // a zero row: never an answer
  words[9] = words[8];               // an exact tie
  words[9].word = "twin";
  const Embeddings e = load_words(words, "cosmul-batch.bin");
  std::vector<CosmulQuery> queries;
  for (uint32_t i = 0; i < 60; ++i) {
    const uint32_t a = (i * 7919) % 40000 + 10, b = (i * 104729) % 39000 + 10, c = (i * 13) % 30000 + 10;
    queries.push_back({{b, c}, {a}, 1 + i % 12});
  }
  queries.push_back({{8}, {}, 5});          // one positive word only: the twin ties at the top
  queries.push_back({{8, 11, 12}, {13, 14}, 7});
  for (size_t threads : {1, 2, 3}) {
    for (size_t limit : {0, 20000}) {
      const SearchOptions options{.threads = threads, .scan = ScanChoice::f32, .row_limit = limit};
      const auto batched = most_similar_cosmul_batch(e, queries, options);
      REQUIRE(batched.size() == queries.size());
      for (size_t q = 0; q < queries.size(); ++q) {
        INFO("query " << q << ", threads " << threads << ", limit " << limit);
        const auto single = most_similar_cosmul(e, queries[q].positive, queries[q].negative, queries[q].k, options);
        REQUIRE(batched[q] == single);
      }
    }
  }
  const std::vector<CosmulQuery> with_zero{{{5, 8}, {9}, 3}};
  CHECK_THROWS_AS(most_similar_cosmul_batch(e, with_zero), Error);
}
