// What each tokenizer file gives before its tokens are laid out by id, so that a model
// directory can add what its other files say (tokenizer_config.json's added tokens,
// special_tokens_map.json's marks) to the tokens of the one that lists them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "formats/tokenizer_vocab/json_input.hpp"
#include "formats/tokenizer_vocab/token_table.hpp"

namespace embtool::formats::tokenizer_vocab {

struct Collected {
  TokenTable table;
  TokenSpelling spelling = TokenSpelling::raw;
  std::string tokenizer;
  std::unordered_map<std::string, TokenKind> marks;  // by key, applied once laid out
};

Collected collect_tokenizer_json(const JsonFile& json);
Collected collect_vocab_json(const JsonFile& json);
Collected collect_tiktoken_ranks(const std::filesystem::path& file, std::string_view bytes);
Collected collect_token_lines(const std::filesystem::path& file, std::string_view bytes);

// The tokens by id, marks applied; `source` is the file that listed them.
TokenVocabulary lay_out(Collected collected, const std::filesystem::path& source);

// Whether `bytes` start like a tiktoken rank file ("base64 number" lines).
bool looks_like_tiktoken_ranks(std::string_view bytes);

}  // namespace embtool::formats::tokenizer_vocab
