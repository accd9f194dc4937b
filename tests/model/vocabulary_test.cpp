#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "base/error.hpp"
#include "model/vocabulary.hpp"

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

TEST_CASE("a vocabulary viewing another's memory finds the same words", "[vocabulary]") {
  Vocabulary built;
  for (int i = 0; i < 1000; ++i) REQUIRE(built.add(fmt::format("w{}", i)));
  const Vocabulary view = Vocabulary::view(built.arena(), built.offsets(), built.slots(), nullptr);
  CHECK(view.size() == 1000);
  CHECK(view.find("w737") == 737u);
  CHECK(view.word(5) == "w5");
  CHECK_FALSE(view.find("w1000"));
  Vocabulary copy = view;
  CHECK(copy.find("w999") == 999u);
  CHECK_THROWS(copy.add("new"));  // a view cannot grow
}

TEST_CASE("a corrupt viewed index is an error, never a crash", "[vocabulary]") {
  Vocabulary built;
  REQUIRE(built.add("cat"));
  REQUIRE(built.add("dog"));
  std::vector<uint32_t> slots(built.slots().begin(), built.slots().end());
  for (uint32_t& slot : slots) {
    if (slot != Vocabulary::kEmptySlot) slot = 7;  // a row that does not exist
  }
  const Vocabulary bad_rows = Vocabulary::view(built.arena(), built.offsets(), slots, nullptr);
  CHECK_THROWS_AS(bad_rows.find("cat"), embtool::Error);

  std::vector<uint64_t> offsets(built.offsets().begin(), built.offsets().end());
  offsets[1] = 100;  // past the word bytes
  const Vocabulary bad_offsets = Vocabulary::view(built.arena(), offsets, built.slots(), nullptr);
  CHECK_THROWS_AS(bad_offsets.word(0), embtool::Error);

  const std::vector<uint32_t> not_power_of_two(3, Vocabulary::kEmptySlot);
  CHECK_THROWS_AS(Vocabulary::view(built.arena(), built.offsets(), not_power_of_two, nullptr),
                  embtool::Error);
}
