// The tokens a reader finds, collected by id in any order and from several files
// (tokenizer.json's vocabulary, its added tokens, tokenizer_config.json), then laid out by id
// with the checks every tokenizer reader shares: an id named twice with different tokens is
// refused; ids no token has become "<unused N>"; a vocabulary so sparse that the filling
// would dwarf its tokens (a hostile id of 2^31 - 1 in a tiny file) is refused before allocating.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/token_vocabulary.hpp"

namespace embtool::formats::tokenizer_vocab {

// The largest id accepted: ids index rows, which are 32-bit everywhere else.
inline constexpr uint64_t max_token_id = (uint64_t{1} << 31) - 1;

// A token's key for a message: quoted, control characters escaped, cut when long.
std::string quoted_token(std::string_view key);

class TokenTable {
 public:
  // Tokens that follow come from `file` (for messages).
  void from_file(const std::filesystem::path& file);
  void reserve(size_t tokens) { entries_.reserve(entries_.size() + tokens); }
  // `id` must be at most max_token_id (the caller words the refusal of larger ones, as it
  // knows the line). `line` is 0 for JSON files. A later entry's kind wins over an earlier
  // one's for the same token, unless it is normal: a mark is never lost to a plain listing.
  void add(uint64_t id, std::string key, TokenKind kind, uint64_t line = 0);
  bool empty() const { return entries_.empty(); }

  // The tokens by id. `source` names the vocabulary in TokenVocabulary::source.
  TokenVocabulary finish(TokenSpelling spelling, std::string tokenizer, const std::filesystem::path& source);

 private:
  struct Entry {
    uint32_t id;
    uint32_t file;  // index into files_
    uint64_t line;
    std::string key;
    TokenKind kind;
  };
  [[noreturn]] void refuse_two_tokens(const Entry& first, const Entry& second) const;
  std::string where(const Entry& entry) const;

  std::vector<std::string> files_;
  std::vector<Entry> entries_;
};

// Marks the tokens whose keys are given (special_tokens_map.json, a model's unk_token) with
// their kind; keys the vocabulary does not hold are left alone (the maps name tokens by text).
void mark_tokens(TokenVocabulary& tokens, const std::unordered_map<std::string, TokenKind>& marks);

// "<0x0A>": SentencePiece's byte-fallback spelling of one byte.
bool is_byte_token(std::string_view key);

}  // namespace embtool::formats::tokenizer_vocab
