#include "model/vocabulary.hpp"

#include <algorithm>
#include <bit>

#include "base/error.hpp"

namespace embtool {
namespace {

// A damaged layout in a viewed file: found as it is read, so named with the file it came from.
[[noreturn]] void corrupt_index(const std::shared_ptr<const std::string>& source, std::string_view what) {
  const std::string file = source && !source->empty() ? *source : std::string("the store file");
  throw Error(ErrorKind::bad_data, file + ": corrupt vocabulary: " + std::string(what));
}

}  // namespace

Vocabulary::Vocabulary(const Vocabulary& other)
    : arena_(other.arena_),
      offsets_(other.offsets_),
      slots_(other.slots_),
      view_(other.view_),
      index_rows_(other.index_rows_),
      source_(other.source_),
      owner_(other.owner_) {
  if (owns_memory()) refresh_view();
}

Vocabulary& Vocabulary::operator=(const Vocabulary& other) {
  if (this != &other) *this = Vocabulary(other);
  return *this;
}

Vocabulary Vocabulary::view(std::span<const char> arena, std::span<const uint64_t> offsets,
                            std::span<const uint32_t> slots, std::shared_ptr<const void> owner,
                            size_t index_rows, std::string source) {
  auto source_name = std::make_shared<const std::string>(std::move(source));
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != arena.size()) {
    corrupt_index(source_name, "word offsets do not cover the word bytes");
  }
  index_rows = std::max(index_rows, offsets.size() - 1);
  if (slots.empty() || !std::has_single_bit(slots.size()) || slots.size() <= index_rows) {
    corrupt_index(source_name, "hash index size");
  }
  Vocabulary vocabulary;
  vocabulary.offsets_.clear();
  vocabulary.view_ = View{arena, offsets, slots};
  vocabulary.owner_ = owner ? std::move(owner) : std::make_shared<int>(0);
  vocabulary.index_rows_ = index_rows;
  vocabulary.source_ = std::move(source_name);
  return vocabulary;
}

void Vocabulary::refresh_view() { view_ = View{arena_, offsets_, slots_}; }

void Vocabulary::reserve(size_t words, size_t bytes) {
  if (!owns_memory()) throw Error(ErrorKind::internal, "internal error: reserve on a mapped vocabulary");
  arena_.reserve(bytes);
  offsets_.reserve(words + 1);
  // Sizing the index once avoids rehashing every word each time the table doubles.
  const size_t capacity = vocabulary_hash::capacity_for(words);
  if (capacity > slots_.size()) rebuild_index(capacity);
  refresh_view();
}

std::string_view Vocabulary::word(uint32_t row) const {
  const uint64_t begin = view_.offsets[row];
  const uint64_t end = view_.offsets[row + 1];
  if (begin > end || end > view_.arena.size()) corrupt_index(source_, "word offsets out of order");
  return std::string_view(view_.arena.data() + begin, end - begin);
}

// The slot holding `word`, or the empty one where it would go. A table read from a file may
// be damaged: a full one, or one naming rows that do not exist, is an error, not a hang.
size_t Vocabulary::slot_for(std::string_view word, uint64_t hash) const {
  const std::span<const uint32_t> slots = view_.slots;
  vocabulary_hash::Probe probe(hash, slots.size());
  for (size_t probes = 0; probes < slots.size(); ++probes, probe.next()) {
    const size_t slot = probe.slot();
    const uint32_t row = slots[slot];
    if (row == kEmptySlot) return slot;
    if (row < size()) {
      if (this->word(row) == word) return slot;
    } else if (owns_memory() || row >= index_rows_) {
      corrupt_index(source_, "hash index names a row past the end");
    }
  }
  corrupt_index(source_, "hash index has no empty slot");
}

std::optional<uint32_t> Vocabulary::find(std::string_view word) const {
  if (view_.slots.empty()) return std::nullopt;
  const uint32_t row = view_.slots[slot_for(word, hash_word(word))];
  if (row == kEmptySlot || row >= size()) return std::nullopt;
  return row;
}

std::vector<uint32_t> Vocabulary::index_of_words_in_view() const {
  return vocabulary_hash::lay_out(size(), [this](size_t row) { return word(static_cast<uint32_t>(row)); });
}

void Vocabulary::grow_index() { rebuild_index(vocabulary_hash::capacity_for(size())); }

void Vocabulary::rebuild_index(size_t capacity) {
  slots_.assign(capacity, kEmptySlot);
  refresh_view();
  for (uint32_t row = 0; row < size(); ++row) {
    uint32_t& slot = slots_[slot_for(word(row), hash_word(word(row)))];
    if (slot == kEmptySlot) slot = row;  // a word spelled twice (append) keeps its first row
  }
}

bool Vocabulary::add(std::string_view word) {
  if (!owns_memory()) throw Error(ErrorKind::internal, "internal error: add to a mapped vocabulary");
  if (vocabulary_hash::must_grow(size() + 1, slots_.size())) grow_index();
  const size_t slot = slot_for(word, hash_word(word));
  if (slots_[slot] != kEmptySlot) return false;
  slots_[slot] = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), word.begin(), word.end());
  offsets_.push_back(arena_.size());
  refresh_view();
  return true;
}

void Vocabulary::append(std::string_view word) {
  if (!owns_memory()) throw Error(ErrorKind::internal, "internal error: append to a mapped vocabulary");
  if (vocabulary_hash::must_grow(size() + 1, slots_.size())) grow_index();
  const size_t slot = slot_for(word, hash_word(word));
  if (slots_[slot] == kEmptySlot) slots_[slot] = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), word.begin(), word.end());
  offsets_.push_back(arena_.size());
  refresh_view();
}

}  // namespace embtool
