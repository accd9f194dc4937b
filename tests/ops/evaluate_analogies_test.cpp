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

TEST_CASE("eval analogies counts as gensim's evaluate_word_analogies does", "[ops][eval]") {
  const Embeddings e = load(write_file("eval-toy.bin", word2vec_binary(toy_words())));
  std::istringstream questions(
      ": royalty\n"
      "man king woman queen\n"
      "MAN KING WOMAN QUEEN\n"           // case-insensitive: the same question
      "man king woman\n"                 // malformed: skipped, not counted
      ": pets\n"
      "cat kitten dog puppy\n"
      "cat kitten dog unicorn\n"         // unknown word: OOV
      ": empty\n");
  AnalogyEvalOptions options;
  const AnalogyEvaluation result = evaluate_analogies(e, questions, options);
  REQUIRE(result.sections.size() == 3);
  CHECK(result.sections[0].name == "royalty");
  CHECK(result.sections[0].total() == 2);
  CHECK(result.sections[1].total() == 1);
  CHECK(result.sections[2].total() == 0);
  CHECK(result.questions == 4);
  CHECK(result.oov == 1);
  CHECK(result.oov_ratio() == Approx(25.0));
  CHECK(result.total.total() == 3);

  std::istringstream again(": pets\ncat kitten dog unicorn\n");
  options.dummy4unknown = true;
  CHECK(evaluate_analogies(e, again, options).total.incorrect == 1);

  std::istringstream headless("man king woman queen\n");
  CHECK_THROWS_AS(evaluate_analogies(e, headless, options), Error);
}
