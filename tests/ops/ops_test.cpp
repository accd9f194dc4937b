#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "base/error.hpp"
#include "ops/evaluate.hpp"
#include "formats/formats.hpp"
#include "ops/ops.hpp"
#include "fixtures.hpp"
#include "ops/expression.hpp"
#include "ops/text_case.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

Embeddings load_words(const std::vector<WordVector>& words, const std::string& name) {
  return load(write_file(name, word2vec_binary(words)));
}

double exact_cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

std::vector<double> unit(const std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += double{x} * x;
  std::vector<double> u;
  for (float x : v) u.push_back(x / std::sqrt(n));
  return u;
}

// The textbook answer, in double precision: rank rows by `score`, skip `excluded`.
std::vector<uint32_t> ranking(size_t rows, const std::function<double(uint32_t)>& score,
                              const std::vector<uint32_t>& excluded, size_t k) {
  std::vector<uint32_t> order;
  for (uint32_t r = 0; r < rows; ++r) {
    if (std::find(excluded.begin(), excluded.end(), r) == excluded.end()) order.push_back(r);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return score(a) > score(b); });
  order.resize(std::min(k, order.size()));
  return order;
}

std::vector<uint32_t> rows_of(const std::vector<Neighbor>& found) {
  std::vector<uint32_t> rows;
  for (const auto& n : found) rows.push_back(n.row);
  return rows;
}

}  // namespace

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

TEST_CASE("suggestions: case variants first, then the closest spellings", "[ops]") {
  const auto e = load_words(toy_words(), "suggest.bin");
  const auto& v = e.vocabulary();
  CHECK(suggest_words(v, "paris") == std::vector<std::string>{"Paris", "PARIS"});
  CHECK(suggest_words(v, "qeen") == std::vector<std::string>{"queen"});
  CHECK(suggest_words(v, "kign").front() == "king");  // a swap is one edit
  CHECK(suggest_words(v, "xylophone").empty());
}

TEST_CASE("case folding covers ASCII and common non-ASCII letters", "[ops]") {
  CHECK(ops::fold_case("KiNg") == "king");
  CHECK(ops::fold_case("CAFÉ") == "café");
  CHECK(ops::fold_case("ΑΘΗΝΑ") == "αθηνα");
  CHECK(ops::fold_case("МОСКВА") == "москва");
  CHECK(ops::fold_case("ŁÓDŹ") == "łódź");
  CHECK(ops::fold_case("clich\xC9s") == "clich\xC9s");  // invalid UTF-8 is kept as it is
}

TEST_CASE("python_upper is Python's str.upper(), full mappings included", "[ops]") {
  CHECK(ops::python_upper("Paris") == "PARIS");
  CHECK(ops::python_upper("straße") == "STRASSE");       // one letter becomes two
  CHECK(ops::python_upper("ﬁnal") == "FINAL");           // a ligature becomes two letters
  CHECK(ops::python_upper("λόγος") == "ΛΌΓΟΣ");           // final sigma
  CHECK(ops::python_upper("ıi") == "II");                 // dotless i
  CHECK(ops::python_upper("µ") == "Μ");                   // micro sign -> Greek capital mu
  CHECK(ops::python_upper("ǆ") == "Ǆ");
  CHECK(ops::python_upper("𐐨") == "𐐀");                 // Deseret: four-byte UTF-8
  CHECK(ops::python_upper("日本") == "日本");
  CHECK(ops::python_upper("clich\xE9s") == "CLICH\xE9S");  // invalid UTF-8 is kept as it is
  CHECK(ops::python_upper("\xC0\x80") == "\xC0\x80");     // an overlong form too
}

// Every code point against the Python that runs gensim (the table was generated from it; this
// catches a Python with another Unicode version).
TEST_CASE("python_upper agrees with /usr/bin/python3 on every code point", "[ops]") {
  FILE* python = popen("/usr/bin/python3 -c \"import sys\n"
                       "for cp in range(0x110000):\n"
                       "    if not 0xD800 <= cp < 0xE000: sys.stdout.buffer.write(chr(cp).upper().encode() + b'\\n')\"",
                       "r");
  REQUIRE(python != nullptr);
  std::string expected;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, python)) > 0;) expected.append(buffer, n);
  REQUIRE(pclose(python) == 0);  // python3 comes with the test dependencies
  std::string got;
  std::string one;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    one.clear();
    if (cp < 0x80) one += static_cast<char>(cp);
    else if (cp < 0x800) one += {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    else if (cp < 0x10000) one += {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    else one += {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    got += ops::python_upper(one) + "\n";
  }
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
}

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
