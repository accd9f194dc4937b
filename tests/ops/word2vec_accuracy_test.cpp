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

TEST_CASE("eval analogies --style word2vec reads and counts as compute-accuracy does", "[ops][eval]") {
  const Embeddings e = load(write_file("eval-w2v-toy.bin", word2vec_binary(toy_words())));
  // compute-accuracy reads words, not lines: a question may span lines, "EXIT" is a header, a
  // question before any header counts in the totals, and the input need not end in a newline.
  std::istringstream questions(
      "man king woman queen\n"
      ": royalty\n"
      "MAN King\nwoman\tQUEEN\r\n"
      "man king woman unicorn\n"  // unknown word: asked, not seen
      "EXIT pets cat kitten dog puppy\n"
      ": empty\n"
      ": 4\n: 5\n: syntax\n"
      "cat kitten dog puppy");
  const Word2vecAccuracy result = evaluate_analogies_word2vec(e, questions, {});
  REQUIRE(result.sections.size() == 7);
  CHECK_FALSE(result.sections[0].has_header);
  CHECK(result.sections[0].seen == 1);
  CHECK(result.sections[1].name == "royalty");
  CHECK(result.sections[1].questions == 2);
  CHECK(result.sections[1].seen == 1);
  CHECK(result.sections[1].correct == 1);
  CHECK(result.sections[2].name == "pets");
  CHECK(result.sections[3].questions == 0);
  CHECK(result.sections[5].semantic);         // the fifth header
  CHECK_FALSE(result.sections[6].semantic);   // the sixth: syntactic
  CHECK(result.sections[6].seen == 1);
}

TEST_CASE("eval analogies --style word2vec answers by row and compares spellings", "[ops][eval]") {
  const Embeddings e = load(write_file("eval-w2v-case.bin", word2vec_binary(toy_words())));
  // "w w Paris x" asks for Paris's nearest row. compute-accuracy excludes Paris's row only, so
  // PARIS (another row, the same upper-cased spelling) answers, and counts as right; gensim's
  // rules would skip it as one of the question's words.
  std::istringstream same_spelling(": s\nman man paris PARIS\n");
  CHECK(evaluate_analogies_word2vec(e, same_spelling, {}).sections[0].correct == 1);
  // A zero vector makes the question vector NaN: seen, never right.
  std::istringstream zero(": s\nzero king woman queen\n");
  const auto zero_result = evaluate_analogies_word2vec(e, zero, {});
  CHECK(zero_result.sections[0].seen == 1);
  CHECK(zero_result.sections[0].correct == 0);
  // Only the first `threshold` words exist.
  Word2vecAccuracyOptions options;
  options.threshold = 4;
  std::istringstream questions(": s\nman king woman queen\ncat kitten dog puppy\n");
  const auto limited = evaluate_analogies_word2vec(e, questions, options);
  CHECK(limited.sections[0].questions == 2);
  CHECK(limited.sections[0].seen == 1);
}
