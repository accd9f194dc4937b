// Normalization and pre-tokenization: a text made ready for a model (Unicode forms, case,
// replacements) with where each of its bytes came from, and the split of a text into words
// by the model's rules (its regexes, through PCRE2 with Unicode properties).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/spec.hpp"

namespace embtool::tokenize {

// The split steps llama.cpp uses for a GGUF tokenizer.ggml.pre name (each regex isolates its
// matches, applied in order: src/llama-vocab.cpp, llm_tokenizer_bpe); empty when the name is
// unknown.
std::vector<SplitStep> bpe_pre_splits(std::string_view pre);

// A normalized text and, for each of its bytes, the input bytes [begin, end) it came from.
// Without normalization the alignment is the identity and no table is kept.
class AlignedText {
 public:
  AlignedText(std::string_view input, uint32_t offset);
  const std::string& text() const { return text_; }
  // The input span of the normalized bytes [b, e), e > b.
  uint32_t input_begin(size_t b) const { return identity_ ? offset_ + static_cast<uint32_t>(b) : begin_[b]; }
  uint32_t input_end(size_t e) const { return identity_ ? offset_ + static_cast<uint32_t>(e) : end_[e - 1]; }

  // Rebuilds the text character by character: `map` gets each code point of the current
  // text and appends what it becomes (possibly nothing) to `out`.
  void transform(const std::function<void(uint32_t code_point, std::string& out)>& map);
  // Replaces the whole text with `normalized`, whose alignment is unknown beyond its ends:
  // each of its characters maps to the span of the input characters it covers, found by
  // matching unchanged prefixes and suffixes (ICU normal forms).
  void replace_all(std::string normalized, const std::vector<int32_t>& source_char_of_char);
  void prepend(std::string_view text);  // aligned to the first character's start
  void append_space_map();

 private:
  void materialize();
  std::string text_;
  uint32_t offset_ = 0;
  bool identity_ = true;
  std::vector<uint32_t> begin_, end_;
};

// Applies the normalization steps in order. Throws Error(bad_data) for a regex PCRE2 refuses.
void normalize(AlignedText& text, const std::vector<NormalizeStep>& steps);

// Cuts texts into words by split steps, each step splitting every word the steps before it
// gave. Compiled once (PCRE2 JIT); split may run on many threads at once.
class Splitter {
 public:
  explicit Splitter(const std::vector<SplitStep>& steps);
  ~Splitter();
  Splitter(Splitter&&) noexcept;
  // Calls `word(begin, end)` for each word of `text`, in order; byte offsets into `text`.
  void split(std::string_view text, const std::function<void(size_t, size_t)>& word) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace embtool::tokenize
