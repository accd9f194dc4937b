// The query functions return answers as values: what they answer, not how it prints.
#include <catch2/catch.hpp>

#include <cmath>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include "app/queries.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

const Embeddings& toy() {
  static const Embeddings e = load(write_file("app_toy.bin", word2vec_binary(toy_words())));
  return e;
}

spdlog::logger& quiet_log() {
  static spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return log;
}

app::Session session() { return app::Session(toy(), true, {.threads = 1}, quiet_log()); }

std::vector<app::Term> words(std::initializer_list<const char*> spelled) {
  std::vector<app::Term> terms;
  for (const char* word : spelled) terms.push_back(app::Term::spelled(word));
  return terms;
}
app::Term word(const char* spelled) { return app::Term::spelled(spelled); }

}  // namespace

TEST_CASE("neighbors of several words keeps each query, an unknown one with its error in its place", "[app]") {
  const auto answer = app::neighbors(session(), words({"king", "unicorn", "dog"}), 2);
  REQUIRE(answer.queries.size() == 3);
  CHECK(answer.queries[0].text == "king");
  CHECK(answer.queries[0].results.size() == 2);
  CHECK(answer.queries[1].text == "unicorn");
  REQUIRE(answer.queries[1].error);
  CHECK(answer.queries[1].error->kind() == ErrorKind::not_found);
  CHECK(answer.queries[2].results.front().word == "cat");
  const auto failure = app::failure_of(app::Answer{answer});
  REQUIRE(failure);
  CHECK(failure->kind() == ErrorKind::not_found);
}

TEST_CASE("neighbors of one word throws its error; an expression is a query of its own kind", "[app]") {
  CHECK_THROWS_AS(app::neighbors(session(), words({"unicorn"}), 2), UnknownWordError);
  const auto answer = app::neighbors(session(), words({"king + woman - man"}), 3);
  REQUIRE(answer.queries.size() == 1);
  CHECK(answer.queries[0].kind == app::NeighborsQuery::Kind::expression);
  CHECK(answer.queries[0].results.front().word == "queen");
  CHECK_FALSE(app::failure_of(app::Answer{answer}));
}

TEST_CASE("the pair answers name the vocabulary words used, after a case fallback", "[app]") {
  const auto s = app::similar(session(), word("CAT"), word("kitten"));
  CHECK(s.a.word == "cat");
  CHECK(s.similarity > 0.5f);
  const auto d = app::distance(session(), word("cat"), word("kitten"));
  CHECK(d.cosine_distance == Approx(1.0f - s.similarity).margin(1e-6));
}

TEST_CASE("doesnt-match needs two words; vector needs a word or a row", "[app]") {
  CHECK_THROWS_AS(app::doesnt_match(session(), words({"cat"})), Error);
  CHECK(app::doesnt_match(session(), words({"king", "queen", "prince", "cat"})).answer.word == "cat");
  CHECK(app::vectors(session(), {app::Term::row(1)}, false).rows.at(0).row.word == "queen");
  CHECK(app::vectors(session(), {app::Term::row(1)}, false).rows.at(0).row.id == 1);
  CHECK_THROWS_AS(app::vectors(session(), {app::Term::row(99)}, false), Error);
}

TEST_CASE("vector: several rows in order; --normalize divides each by its norm", "[app]") {
  const app::VectorAnswer raw = app::vectors(session(), words({"cat", "king"}), false);
  REQUIRE(raw.rows.size() == 2);
  CHECK(raw.rows[0].row.word == "cat");
  CHECK(raw.rows[1].row.word == "king");
  CHECK_FALSE(raw.normalized);
  const app::VectorAnswer unit = app::vectors(session(), words({"cat", "king"}), true);
  CHECK(unit.normalized);
  for (size_t r = 0; r < 2; ++r) {
    const auto& values = raw.rows[r].values;
    double squares = 0;
    for (const float v : values) squares += double{v} * v;
    const auto norm = static_cast<float>(std::sqrt(squares));
    double unit_squares = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      CHECK(unit.rows[r].values[i] == values[i] / norm);  // float32 over float32, as numpy divides
      unit_squares += double{unit.rows[r].values[i]} * unit.rows[r].values[i];
    }
    CHECK(unit_squares == Approx(1.0).margin(1e-6));
  }
  CHECK_THROWS_AS(app::vectors(session(), words({"cat", "no-such-word"}), false), Error);
}

TEST_CASE("info is a list of named facts", "[app]") {
  const auto info = app::info(session());
  REQUIRE(info.facts.size() > 5);
  CHECK(info.facts[4].name == "words");
  CHECK(std::get<int64_t>(info.facts[4].value) == static_cast<int64_t>(toy_words().size()));
}
