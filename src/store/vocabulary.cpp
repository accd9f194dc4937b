#include "embtool/vocabulary.hpp"

#include <algorithm>
#include <bit>

namespace embtool {

// FNV-1a, finished with a 64-bit mixer so that short words spread over the table.
uint64_t hash_word(std::string_view word) noexcept {
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

void Vocabulary::reserve(size_t words, size_t bytes) {
  arena_.reserve(bytes);
  offsets_.reserve(words + 1);
  // Sizing the index once avoids rehashing every word each time the table doubles.
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, 4 * words));
  if (capacity > slots_.size()) rebuild_index(capacity);
}

std::string_view Vocabulary::word(uint32_t row) const {
  return std::string_view(arena_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
}

// Linear probing; the table is kept at most half full, so probes stay short.
size_t Vocabulary::slot_for(std::string_view word, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const uint32_t row = slots_[slot];
    if (row == kEmptySlot || this->word(row) == word) return slot;
  }
}

std::optional<uint32_t> Vocabulary::find(std::string_view word) const {
  if (slots_.empty()) return std::nullopt;
  const uint32_t row = slots_[slot_for(word, hash_word(word))];
  if (row == kEmptySlot) return std::nullopt;
  return row;
}

void Vocabulary::grow_index() { rebuild_index(std::bit_ceil(std::max<size_t>(16, 4 * size()))); }

void Vocabulary::rebuild_index(size_t capacity) {
  slots_.assign(capacity, kEmptySlot);
  for (uint32_t row = 0; row < size(); ++row) {
    slots_[slot_for(word(row), hash_word(word(row)))] = row;
  }
}

bool Vocabulary::add(std::string_view word) {
  if (2 * (size() + 1) > slots_.size()) grow_index();
  const size_t slot = slot_for(word, hash_word(word));
  if (slots_[slot] != kEmptySlot) return false;
  slots_[slot] = static_cast<uint32_t>(size());
  arena_.append(word);
  offsets_.push_back(arena_.size());
  return true;
}

}  // namespace embtool
