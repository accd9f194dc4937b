// The layout of the vocabulary's hash index, in one place. It is part of the .emb format
// (the store keeps the index as laid out here and uses it as it lies), and the mapped
// word2vec reader lays out the same index without a Vocabulary: changing the hash, the
// table size rule or the probing needs a new store version.
//
// The index is a power-of-two table of uint32 slots, each a row number or kEmptySlot. A word
// goes into the first empty slot at or after (hash_word(word) & (capacity - 1)), looking one
// slot further each time and wrapping at the end (linear probing).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace embtool::vocabulary_hash {

inline constexpr uint32_t kEmptySlot = UINT32_MAX;

// FNV-1a, finished with a 64-bit mixer so that short words spread over the table.
inline uint64_t hash_word(std::string_view word) noexcept {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : word) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// The table for `words` words: four slots a word (at least 16), rounded up to a power of two.
// A table is never more than half full, so probes stay short.
inline size_t capacity_for(size_t words) { return std::bit_ceil(std::max<size_t>(16, 4 * words)); }

// Whether a table of `capacity` slots must grow (to capacity_for(words - 1)) before it takes
// its `words`-th word.
inline bool must_grow(size_t words, size_t capacity) { return 2 * words > capacity; }

// The slots a word's search visits, in order: its hash's slot, then each next one, wrapping.
class Probe {
 public:
  Probe(uint64_t hash, size_t capacity) : mask_(capacity - 1), slot_(hash & mask_) {}
  size_t slot() const { return slot_; }
  void next() { slot_ = (slot_ + 1) & mask_; }

 private:
  size_t mask_;
  size_t slot_;
};

// The table for rows [0, words), `word_of(row)` being each row's word (all distinct), laid out
// as Vocabulary::reserve(words) and then add() of each word in row order lay it out.
template <class WordOf>
std::vector<uint32_t> lay_out(size_t words, const WordOf& word_of) {
  std::vector<uint32_t> slots(capacity_for(words), kEmptySlot);
  for (size_t row = 0; row < words; ++row) {
    Probe probe(hash_word(word_of(row)), slots.size());
    while (slots[probe.slot()] != kEmptySlot) probe.next();
    slots[probe.slot()] = static_cast<uint32_t>(row);
  }
  return slots;
}

}  // namespace embtool::vocabulary_hash
