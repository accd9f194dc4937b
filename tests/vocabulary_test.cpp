#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "embtool/vocabulary.hpp"

using embtool::Vocabulary;

TEST_CASE("vocabulary keeps file order and finds every word", "[vocabulary]") {
  Vocabulary v;
  CHECK(v.empty());
  CHECK_FALSE(v.find("a").has_value());
  for (int i = 0; i < 100000; ++i) REQUIRE(v.add(fmt::format("word{}", i)));
  REQUIRE(v.size() == 100000);
  for (uint32_t i = 0; i < 100000; i += 997) {
    CHECK(v.word(i) == fmt::format("word{}", i));
    CHECK(v.find(fmt::format("word{}", i)) == i);
  }
  CHECK_FALSE(v.find("word100000").has_value());
  CHECK_FALSE(v.find("").has_value());
}

TEST_CASE("vocabulary refuses a second copy of a word", "[vocabulary]") {
  Vocabulary v;
  CHECK(v.add("cat"));
  CHECK(v.add("Cat"));
  CHECK_FALSE(v.add("cat"));
  CHECK(v.size() == 2);
  CHECK(v.find("Cat") == 1u);
}

TEST_CASE("vocabulary words are bytes: NUL, invalid UTF-8 and long words", "[vocabulary]") {
  Vocabulary v;
  const std::string with_nul("a\0b", 3);
  const std::string latin1 = "clich\xe9";
  const std::string long_word(100000, 'x');
  CHECK(v.add(with_nul));
  CHECK(v.add("a"));
  CHECK(v.add(latin1));
  CHECK(v.add(long_word));
  CHECK(v.find(with_nul) == 0u);
  CHECK(v.find("a") == 1u);
  CHECK(v.find(latin1) == 2u);
  CHECK(v.word(3).size() == 100000);
}
