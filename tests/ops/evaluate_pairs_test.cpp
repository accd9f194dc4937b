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

TEST_CASE("eval pairs correlates as gensim's evaluate_word_pairs does", "[ops][eval]") {
  const Embeddings e = load(write_file("eval-pairs-toy.bin", word2vec_binary(toy_words())));
  std::istringstream pairs(
      "# comment\n"
      "king\tqueen\t9\r\n"
      "cat\tkitten\t8\n"
      "dog\tpuppy\t8\n"           // a tie in the gold scores: average ranks
      "king\tdog\t1.5\n"
      "man\tunicorn\t3\n"         // unknown: OOV
      "man\twoman\tnot-a-number\n"  // malformed: skipped
      "a\tb\n");                  // two fields: skipped
  PairEvalOptions options;
  const PairEvaluation r = evaluate_pairs(e, pairs, options);
  CHECK(r.pairs == 4);
  CHECK(r.oov == 1);
  CHECK(r.oov_ratio == Approx(20.0));
  CHECK(r.spearman >= -1.0);
  CHECK(r.spearman <= 1.0);
  CHECK(r.pearson > 0.0);  // related pairs score higher than king/dog in the toy model

  std::istringstream none("# nothing\nx\ty\t1\n");
  CHECK_THROWS_AS(evaluate_pairs(e, none, options), Error);
}
