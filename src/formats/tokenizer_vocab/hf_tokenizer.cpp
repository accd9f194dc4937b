// A Hugging Face model directory's tokenizer: the file that lists the tokens (tokenizer.json,
// else vocab.json, else vocab.txt), with the special tokens its other files name.
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

#include "base/error.hpp"
#include "formats/tokenizer_vocab/collected.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

namespace embtool::formats::tokenizer_vocab {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

Collected collect_listing(const std::filesystem::path& directory, std::filesystem::path& listing) {
  listing = directory / "tokenizer.json";
  if (std::filesystem::is_regular_file(listing)) return collect_tokenizer_json(JsonFile(listing));
  listing = directory / "vocab.json";
  if (std::filesystem::is_regular_file(listing)) {
    Collected collected = collect_vocab_json(JsonFile(listing));
    if (!std::filesystem::is_regular_file(directory / "merges.txt")) {
      // vocab.json alone is a plain {token: id} map (a character-level CTC vocabulary, say).
      collected.spelling = TokenSpelling::raw;
      collected.tokenizer.clear();
    }
    return collected;
  }
  listing = directory / "vocab.txt";
  if (std::filesystem::is_regular_file(listing)) {
    Collected collected = collect_token_lines(listing, read_whole_file(listing));
    collected.spelling = TokenSpelling::wordpiece;
    collected.tokenizer = "bert";
    return collected;
  }
  throw Error(ErrorKind::not_found,
              fmt::format("{}: no tokenizer found in the directory (looked for tokenizer.json, vocab.json and "
                          "vocab.txt)",
                          directory.string()));
}

// tokenizer_config.json's added_tokens_decoder: {"50256": {"content": "<|endoftext|>", "special": true}}.
void collect_added_tokens_decoder(const std::filesystem::path& file, TokenTable& table) {
  const JsonFile json(file);
  object decoder;
  if (json.root()["added_tokens_decoder"].get_object().get(decoder)) return;
  table.from_file(file);
  for (const auto field : decoder) {
    object token;
    std::string_view content;
    if (field.value.get_object().get(token) || token["content"].get_string().get(content)) {
      json.refuse(fmt::format("added token {} has no content", quoted_token(json.text(field.key))));
    }
    uint64_t id = 0;
    const std::string_view digits = field.key;
    if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string_view::npos ||
        (id = std::stoull(std::string(digits))) > max_token_id) {
      json.refuse(fmt::format("token {} has the id {}, which is not a whole number 0..{}",
                              quoted_token(json.text(content)), quoted_token(json.text(digits)), max_token_id));
    }
    bool special = false;
    if (token["special"].get_bool().get(special)) special = false;
    table.add(id, json.text(content), special ? TokenKind::control : TokenKind::user_defined);
  }
}

void mark_special(const JsonFile& json, element value, TokenKind kind, Collected& collected) {
  std::string_view content;
  array list;
  if (!value.get_string().get(content) || !value["content"].get_string().get(content)) {
    collected.marks[json.text(content)] = kind;
  } else if (!value.get_array().get(list)) {
    for (element entry : list) mark_special(json, entry, kind, collected);
  }
}

// special_tokens_map.json: {"unk_token": "<unk>", "bos_token": {"content": "<s>", ...},
// "additional_special_tokens": [...]}.
void collect_special_tokens_map(const std::filesystem::path& file, Collected& collected) {
  const JsonFile json(file);
  object map;
  if (json.root().get_object().get(map)) json.refuse("is not a JSON object of special tokens");
  for (const auto field : map) {
    mark_special(json, field.value, field.key == "unk_token" ? TokenKind::unknown : TokenKind::control, collected);
  }
}

}  // namespace

}  // namespace embtool::formats::tokenizer_vocab

namespace embtool::formats {

TokenVocabulary read_hf_tokenizer(const std::filesystem::path& directory) {
  using namespace tokenizer_vocab;
  if (!std::filesystem::is_directory(directory)) {
    throw Error(ErrorKind::not_found, fmt::format("{}: is not a directory", directory.string()));
  }
  std::filesystem::path listing;
  Collected collected = collect_listing(directory, listing);
  if (std::filesystem::is_regular_file(directory / "tokenizer_config.json")) {
    collect_added_tokens_decoder(directory / "tokenizer_config.json", collected.table);
  }
  if (std::filesystem::is_regular_file(directory / "special_tokens_map.json")) {
    collect_special_tokens_map(directory / "special_tokens_map.json", collected);
  }
  return lay_out(std::move(collected), listing);
}

}  // namespace embtool::formats
