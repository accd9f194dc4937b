// A tokenizer: text -> tokens -> ids, and ids -> text, exactly as the model's own tokenizer
// does it (llama.cpp's for GGUF files, Hugging Face tokenizers' for tokenizer.json; both
// agree on llama.cpp's test vocabularies). Built once from a Spec, then read-only: encode
// and decode may run on many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/spec.hpp"

namespace embtool::tokenize {

// One token of an encoded text: its id and the bytes of the input it stands for,
// [begin, end). A token the tokenizer adds (BOS, [CLS]) has begin == end, at the place it
// stands. Tokens that share a character (byte fallback of one code point) share its span.
struct Piece {
  int32_t id = kNoToken;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct EncodeOptions {
  bool add_special = false;    // what the model's configuration adds: BOS/EOS, [CLS]/[SEP]
  bool parse_special = false;  // "<|endoftext|>" in the text is that control token
};

struct DecodeOptions {
  bool special = true;  // control tokens give their text ("<|endoftext|>"); false: nothing
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // "byte-level BPE", "BPE", "SentencePiece", "WordPiece", "Unigram", "tiktoken".
  virtual std::string_view algorithm() const = 0;
  const Spec& spec() const { return spec_; }
  const Vocab& vocab() const { return spec_.vocab; }
  size_t size() const { return spec_.vocab.tokens.size(); }

  // Throws Error(invalid_argument) for text that is not UTF-8 (naming the byte offset) or is
  // 4 GiB or more.
  std::vector<Piece> encode(std::string_view text, const EncodeOptions& options = {}) const;
  // Throws Error(not_found) for an id that is not a token.
  std::string decode(std::span<const int32_t> ids, const DecodeOptions& options = {}) const;
  // One token's text as decode gives it alone (no space dropped): " king" for "Ġking".
  std::string token_text(int32_t id) const;

 protected:
  explicit Tokenizer(Spec spec);
  // Encodes one fragment of text between special tokens; `text` is a part of the input
  // starting at byte `offset`, and pieces' spans are in the input's offsets.
  // `after_special`: the fragment starts the text or follows a special token (SentencePiece
  // prefixes a space there).
  virtual void encode_fragment(std::string_view text, uint32_t offset, bool after_special,
                               std::vector<Piece>& out) const = 0;

 private:
  Spec spec_;
  // The tokens split out of a text before encoding, by first byte, longest first: [0] those
  // split out of any text (user-defined), [1] those too that parse_special adds.
  std::array<std::array<std::vector<int32_t>, 256>, 2> special_by_first_byte_;
};

}  // namespace embtool::tokenize
