// words --regex: PCRE2 with Unicode properties, searched anywhere in a word; a bad pattern is
// refused with its place; words that are not UTF-8 are searched, never an error.
#include <catch2/catch.hpp>

#include <string>

#include "base/error.hpp"
#include "ops/word_pattern.hpp"

using namespace embtool;

TEST_CASE("word pattern: found anywhere unless anchored, with Unicode classes", "[ops][regex]") {
  const WordPattern ness = WordPattern::compile("ness$");
  CHECK(ness.found_in("kindness"));
  CHECK_FALSE(ness.found_in("nessie"));
  const WordPattern anchored = WordPattern::compile("^king$");
  CHECK(anchored.found_in("king"));
  CHECK_FALSE(anchored.found_in("kings"));
  // \w and \p{...} know every script (PCRE2_UCP), not ASCII only.
  CHECK(WordPattern::compile("^\\w+$").found_in("café"));
  CHECK(WordPattern::compile("^\\p{Han}+$").found_in("日本"));
  CHECK_FALSE(WordPattern::compile("^\\p{Han}+$").found_in("日本x"));
  CHECK(WordPattern::compile("(?i)^paris$").found_in("Paris"));
  CHECK_FALSE(WordPattern::compile("^paris$").found_in("Paris"));
}

TEST_CASE("word pattern: words that are not UTF-8 are searched in their valid parts", "[ops][regex]") {
  const std::string latin1 = "caf\xe9s";  // Latin-1 é
  CHECK(WordPattern::compile("^caf").found_in(latin1));
  CHECK(WordPattern::compile("s$").found_in(latin1));
  CHECK_FALSE(WordPattern::compile("^café").found_in(latin1));
}

TEST_CASE("word pattern: a pattern that does not compile says what and where", "[ops][regex]") {
  try {
    (void)WordPattern::compile("a(b");
    FAIL("compiled");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_argument);
    CHECK_THAT(std::string(e.what()), Catch::Contains("--regex 'a(b'") && Catch::Contains("parenthesis") &&
                                          Catch::Contains("offset 3"));
  }
}
