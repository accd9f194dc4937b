#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "model/vocabulary.hpp"
#include "model/vocabulary_hash.hpp"

using namespace embtool;
namespace vh = embtool::vocabulary_hash;

TEST_CASE("the word hash is the one existing stores were written with", "[vocabulary]") {
  // Values from the definition (FNV-1a, then the mixer), computed outside embtool: a change
  // here would make every existing .emb store's index unreadable.
  CHECK(vh::hash_word("") == 0xe36f5519ee926a53ULL);
  CHECK(vh::hash_word("dog") == 0x7c07343584624ccdULL);
  CHECK(vh::hash_word("king") == 0x1341d35ee57f084eULL);
  CHECK(vh::hash_word(std::string("a\0b", 3)) == 0xb2bc8f44248aa15aULL);
  CHECK(hash_word("dog") == vh::hash_word("dog"));  // the vocabulary's name for it
}

TEST_CASE("the table size rule: four slots a word, a power of two, at least 16", "[vocabulary]") {
  CHECK(vh::capacity_for(0) == 16);
  CHECK(vh::capacity_for(4) == 16);
  CHECK(vh::capacity_for(5) == 32);
  CHECK(vh::capacity_for(1000) == 4096);
  CHECK(vh::capacity_for(1024) == 4096);
  CHECK(vh::capacity_for(1025) == 8192);
  CHECK_FALSE(vh::must_grow(8, 16));
  CHECK(vh::must_grow(9, 16));
}

TEST_CASE("probing starts at the hash's slot and wraps at the end", "[vocabulary]") {
  vh::Probe probe(0x123456789ULL, 16);
  CHECK(probe.slot() == 9);
  for (size_t expected : {10u, 11u, 12u, 13u, 14u, 15u, 0u, 1u}) {
    probe.next();
    CHECK(probe.slot() == expected);
  }
}

TEST_CASE("a vocabulary lays out its index exactly by the rule", "[vocabulary]") {
  for (size_t words : {1u, 5u, 100u, 5000u}) {
    for (bool reserved : {false, true}) {
      INFO(words << " words, reserved " << reserved);
      Vocabulary v;
      if (reserved) v.reserve(words, words * 8);
      std::vector<uint32_t> expected(reserved ? vh::capacity_for(words) : 16, vh::kEmptySlot);
      for (size_t r = 0; r < words; ++r) {
        const std::string word = fmt::format("w{}", r * 7919);
        REQUIRE(v.add(word));
        if (vh::must_grow(r + 1, expected.size())) {
          // Growing re-inserts every word in row order into the larger table.
          expected.assign(vh::capacity_for(r), vh::kEmptySlot);
          for (uint32_t old = 0; old < r; ++old) {
            vh::Probe p(vh::hash_word(v.word(old)), expected.size());
            while (expected[p.slot()] != vh::kEmptySlot) p.next();
            expected[p.slot()] = old;
          }
        }
        vh::Probe p(vh::hash_word(word), expected.size());
        while (expected[p.slot()] != vh::kEmptySlot) p.next();
        expected[p.slot()] = static_cast<uint32_t>(r);
      }
      const auto slots = v.slots();
      CHECK(std::vector<uint32_t>(slots.begin(), slots.end()) == expected);
    }
  }
}
