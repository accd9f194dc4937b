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
bool bpe_pre_byte_encode(std::string_view pre);    // false: raw UTF-8 (gemma4, whitespace)
bool bpe_pre_ignore_merges(std::string_view pre);  // Llama 3's ignore_merges

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
  // text and appends what it becomes (possibly nothing) to `out`, aligned to that character.
  void transform(const std::function<void(uint32_t code_point, std::string& out)>& map);
  void prepend(std::string_view text);  // aligned to the first character
  // Replaces the text; begin/end hold each new byte's input span.
  void assign(std::string text, std::vector<uint32_t> begin, std::vector<uint32_t> end);

 private:
  void materialize();
  std::string text_;
  uint32_t offset_ = 0;
  bool identity_ = true;
  std::vector<uint32_t> begin_, end_;
};

// Applies normalization steps in order; compiled once (regexes of Replace steps).
class Normalizer {
 public:
  explicit Normalizer(std::vector<NormalizeStep> steps);  // Error(bad_data): a regex PCRE2 refuses
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;
  bool empty() const;
  void apply(AlignedText& text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Unicode classes (ICU) as Hugging Face's normalizers and pre-tokenizers use them.
bool is_unicode_whitespace(uint32_t code_point);  // White_Space
bool is_bert_control(uint32_t code_point);        // Cc, Cf, Co, Cn, Cs but tab, LF, CR
bool is_bert_punctuation(uint32_t code_point);    // ASCII punctuation or a P* category
bool is_cjk_ideograph(uint32_t code_point);       // BERT's _is_chinese_char ranges

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
