// Vocabulary: word <-> row, in file order, all words in one byte arena with a hash index.
// It either owns that memory (built word by word by a reader) or views it in a mapped
// .emb file, where the index was built once by `convert` and is used as it lies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/vocabulary_hash.hpp"

namespace embtool {

class Vocabulary {
 public:
  static constexpr uint32_t kEmptySlot = vocabulary_hash::kEmptySlot;

  Vocabulary() { refresh_view(); }
  Vocabulary(const Vocabulary& other);
  Vocabulary& operator=(const Vocabulary& other);
  Vocabulary(Vocabulary&&) noexcept = default;  // vector buffers move, so the view stays valid
  Vocabulary& operator=(Vocabulary&&) noexcept = default;

  // Views memory owned by `owner` (a mapped file). `offsets` has one entry per word plus one;
  // `slots` is a hash index laid out as model/vocabulary_hash.hpp says. The
  // layout is checked as it is read, so a corrupt file fails with an error, not a crash.
  // `index_rows` is how many rows the index names (more than `offsets` holds when only the
  // first words are in view: the others are then treated as absent); 0 means all of them.
  // `source` names the file in the errors a damaged layout gives.
  static Vocabulary view(std::span<const char> arena, std::span<const uint64_t> offsets,
                         std::span<const uint32_t> slots, std::shared_ptr<const void> owner,
                         size_t index_rows = 0, std::string source = {});

  // Appends `word` as the next row unless it is already present (the first occurrence wins,
  // as in gensim). Returns whether it was added. Only for a vocabulary that owns its memory.
  bool add(std::string_view word);
  // Appends `word` as the next row even when it is already present: a tokenizer's rows are
  // its token IDs, and a vocabulary may spell two IDs alike. find() names the first such row.
  void append(std::string_view word);
  void reserve(size_t words, size_t bytes);

  // O(1) exact (byte-for-byte) lookup.
  std::optional<uint32_t> find(std::string_view word) const;
  bool contains(std::string_view word) const { return find(word).has_value(); }

  std::string_view word(uint32_t row) const;
  size_t size() const { return view_.offsets.size() - 1; }
  bool empty() const { return size() == 0; }
  size_t arena_bytes() const { return view_.arena.size(); }

  // The raw layout, for writing it to a store file.
  std::span<const char> arena() const { return view_.arena; }
  std::span<const uint64_t> offsets() const { return view_.offsets; }
  std::span<const uint32_t> slots() const { return view_.slots; }
  // Whether slots() also names rows past the words in view (a store opened with a limit):
  // written with only these words, such an index would be damaged.
  bool index_names_rows_out_of_view() const { return index_rows_ > size(); }
  // An index of just the words in view, as reserve(size()) and add() of each would lay it out.
  std::vector<uint32_t> index_of_words_in_view() const;

 private:
  struct View {
    std::span<const char> arena;
    std::span<const uint64_t> offsets;
    std::span<const uint32_t> slots;
  };

  bool owns_memory() const { return owner_ == nullptr; }
  void refresh_view();
  size_t slot_for(std::string_view word, uint64_t hash) const;
  void grow_index();
  void rebuild_index(size_t capacity);

  // Owned storage (empty for a view).
  std::vector<char> arena_;             // every word's bytes, back to back
  std::vector<uint64_t> offsets_{0};    // row r spans [offsets_[r], offsets_[r + 1])
  std::vector<uint32_t> slots_;         // open-addressing hash index: row or kEmptySlot

  View view_;                           // what every lookup reads: the vectors or the file
  size_t index_rows_ = 0;               // rows the index may name (>= size() for a view)
  std::shared_ptr<const std::string> source_;  // the viewed file, for error messages
  std::shared_ptr<const void> owner_;   // keeps a viewed file mapped
};

// The hash behind the index (model/vocabulary_hash.hpp: part of the .emb format).
using vocabulary_hash::hash_word;

}  // namespace embtool
