// Vocabulary: word <-> row, in file order, all words in one byte arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace embtool {

class Vocabulary {
 public:
  // Appends `word` as the next row unless it is already present (the first occurrence wins,
  // as in gensim). Returns whether it was added.
  bool add(std::string_view word);

  // O(1) exact (byte-for-byte) lookup.
  std::optional<uint32_t> find(std::string_view word) const;
  bool contains(std::string_view word) const { return find(word).has_value(); }

  std::string_view word(uint32_t row) const;
  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }
  size_t arena_bytes() const { return arena_.size(); }

  void reserve(size_t words, size_t bytes);

 private:
  static constexpr uint32_t kEmptySlot = UINT32_MAX;

  size_t slot_for(std::string_view word, uint64_t hash) const;
  void grow_index();
  void rebuild_index(size_t capacity);

  std::string arena_;                   // every word's bytes, back to back
  std::vector<uint64_t> offsets_{0};    // row r spans [offsets_[r], offsets_[r + 1])
  std::vector<uint32_t> slots_;         // open-addressing hash index: row or kEmptySlot
};

uint64_t hash_word(std::string_view word) noexcept;

}  // namespace embtool
