// A token's kind, in GGUF's numbering (llama.cpp's llama_token_type), so that a GGUF reader
// keeps them as they are and every other reader maps its own onto these. The tokenizers use it
// to know which tokens are split out of a text before anything else (control, user-defined,
// unknown) and the rows above use it to mark special tokens.
#pragma once

#include <cstdint>

namespace embtool {

enum class TokenKind : uint8_t {
  undefined = 0,
  normal = 1,
  unknown = 2,       // <unk>
  control = 3,       // special: <s>, <|endoftext|>, [CLS]
  user_defined = 4,  // added tokens that are not control tokens
  unused = 5,        // rows the tokenizer does not use (and the rows past its tokens)
  byte = 6,          // SentencePiece byte fallback <0xNN>
};

}  // namespace embtool
