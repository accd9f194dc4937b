// tokenizer.json (Hugging Face tokenizers' one-file form) and GPT-2's vocab.json.
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

#include "formats/tokenizer_vocab/collected.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

namespace embtool::formats::tokenizer_vocab {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// What the pipeline around the model says of its tokens' spelling.
struct Pipeline {
  bool byte_level = false;  // GPT-2's bytes_to_unicode
  bool metaspace = false;   // SentencePiece's "▁" for a space
};

bool spells_metaspace(object component) {
  std::string_view piece;
  if (!component["pattern"]["String"].get_string().get(piece) && piece == "▁") return true;
  return !component["content"].get_string().get(piece) && piece == "▁";
}

// Walks a normalizer, pre-tokenizer or decoder, and the sequences it holds.
void scan_pipeline(element component, Pipeline& pipeline) {
  object fields;
  if (component.get_object().get(fields)) return;
  std::string_view type;
  if (!fields["type"].get_string().get(type)) {
    if (type == "ByteLevel") pipeline.byte_level = true;
    if (type == "Metaspace") pipeline.metaspace = true;
    if (type == "Replace" && spells_metaspace(fields)) pipeline.metaspace = true;
  }
  for (const char* nested : {"pretokenizers", "decoders", "normalizers"}) {
    array parts;
    if (fields[nested].get_array().get(parts)) continue;
    for (element part : parts) scan_pipeline(part, pipeline);
  }
}

bool flag(object fields, const char* name) {
  bool value = false;
  return !fields[name].get_bool().get(value) && value;
}

void collect_object_vocab(const JsonFile& json, object vocab, bool byte_fallback, TokenTable& table) {
  table.reserve(vocab.size());
  for (const auto field : vocab) {
    const uint64_t id = json.token_id(field.value, field.key);
    std::string key = json.text(field.key);
    const TokenKind kind = byte_fallback && is_byte_token(key) ? TokenKind::byte : TokenKind::normal;
    table.add(id, std::move(key), kind);
  }
}

// Unigram: [[piece, score], ...], a piece's id being its position.
void collect_unigram_vocab(const JsonFile& json, array vocab, object model, TokenTable& table) {
  int64_t unk_id = -1;
  if (model["unk_id"].get_int64().get(unk_id)) unk_id = -1;
  const bool byte_fallback = flag(model, "byte_fallback");
  table.reserve(vocab.size());
  uint64_t id = 0;
  for (element entry : vocab) {
    array pair;
    std::string_view piece;
    if (entry.get_array().get(pair) || pair.size() < 1 || pair.at(0).get_string().get(piece)) {
      json.refuse(fmt::format("the Unigram vocabulary's entry {} is not [piece, score]", id));
    }
    if (id > max_token_id) json.refuse(fmt::format("the Unigram vocabulary has more than {} pieces", max_token_id + 1));
    std::string key = json.text(piece);
    TokenKind kind = byte_fallback && is_byte_token(key) ? TokenKind::byte : TokenKind::normal;
    if (static_cast<int64_t>(id) == unk_id) kind = TokenKind::unknown;
    table.add(id++, std::move(key), kind);
  }
}

void collect_added_tokens(const JsonFile& json, element root, TokenTable& table) {
  array added;
  if (root["added_tokens"].get_array().get(added)) return;
  size_t position = 0;
  for (element entry : added) {
    object fields;
    std::string_view content;
    element id;
    if (entry.get_object().get(fields) || fields["content"].get_string().get(content) || fields["id"].get(id)) {
      json.refuse(fmt::format("added token {} has no id or no content", position));
    }
    table.add(json.token_id(id, content), json.text(content),
              flag(fields, "special") ? TokenKind::control : TokenKind::user_defined);
    ++position;
  }
}

// The model's type; tokenizer.json files of old versions of the library leave it out.
std::string_view model_type(object model) {
  std::string_view type;
  if (!model["type"].get_string().get(type)) return type;
  if (model["vocab"].is_array()) return "Unigram";
  if (model["merges"].error() == simdjson::SUCCESS) return "BPE";
  if (model["continuing_subword_prefix"].error() == simdjson::SUCCESS) return "WordPiece";
  return "WordLevel";
}

void choose_spelling(std::string_view type, const Pipeline& pipeline, bool byte_fallback, Collected& collected) {
  if (type == "WordPiece") {
    collected.spelling = TokenSpelling::wordpiece;
    collected.tokenizer = "bert";
  } else if (type == "Unigram") {
    collected.spelling = TokenSpelling::sentencepiece;
    collected.tokenizer = "t5";  // llama.cpp's name for SentencePiece Unigram models
  } else if (type == "BPE" && pipeline.byte_level) {
    collected.spelling = TokenSpelling::byte_level;
    collected.tokenizer = "gpt2";
  } else if (type == "BPE" && (pipeline.metaspace || byte_fallback)) {
    collected.spelling = TokenSpelling::sentencepiece;
    collected.tokenizer = "llama";
  } else {
    collected.spelling = TokenSpelling::raw;
  }
}

}  // namespace

Collected collect_tokenizer_json(const JsonFile& json) {
  Collected collected;
  collected.table.from_file(json.path());
  object model;
  if (json.root()["model"].get_object().get(model)) json.refuse("has no tokenizer model (no \"model\" object)");
  const std::string_view type = model_type(model);
  const bool byte_fallback = flag(model, "byte_fallback");

  object object_vocab;
  array unigram_vocab;
  if (type == "Unigram" && !model["vocab"].get_array().get(unigram_vocab)) {
    collect_unigram_vocab(json, unigram_vocab, model, collected.table);
  } else if (!model["vocab"].get_object().get(object_vocab)) {
    collect_object_vocab(json, object_vocab, byte_fallback, collected.table);
  } else {
    json.refuse(fmt::format("the {} model has no vocabulary of the form its type uses", type));
  }
  collect_added_tokens(json, json.root(), collected.table);

  std::string_view unk;
  if (type != "Unigram" && !model["unk_token"].get_string().get(unk)) collected.marks[json.text(unk)] = TokenKind::unknown;

  Pipeline pipeline;
  for (const char* stage : {"normalizer", "pre_tokenizer", "decoder"}) {
    element component;
    if (!json.root()[stage].get(component)) scan_pipeline(component, pipeline);
  }
  choose_spelling(type, pipeline, byte_fallback, collected);
  return collected;
}

Collected collect_vocab_json(const JsonFile& json) {
  Collected collected;
  collected.table.from_file(json.path());
  object vocab;
  if (json.root().get_object().get(vocab)) json.refuse("is not a JSON object of tokens and their ids");
  collect_object_vocab(json, vocab, false, collected.table);
  collected.spelling = TokenSpelling::byte_level;
  collected.tokenizer = "gpt2";
  return collected;
}

TokenVocabulary lay_out(Collected collected, const std::filesystem::path& source) {
  TokenVocabulary tokens = collected.table.finish(collected.spelling, std::move(collected.tokenizer), source);
  mark_tokens(tokens, collected.marks);
  return tokens;
}

}  // namespace embtool::formats::tokenizer_vocab

namespace embtool::formats {

TokenVocabulary read_tokenizer_json(const std::filesystem::path& file) {
  const tokenizer_vocab::JsonFile json(file);
  return tokenizer_vocab::lay_out(tokenizer_vocab::collect_tokenizer_json(json), file);
}

TokenVocabulary read_vocab_json(const std::filesystem::path& file) {
  const tokenizer_vocab::JsonFile json(file);
  return tokenizer_vocab::lay_out(tokenizer_vocab::collect_vocab_json(json), file);
}

}  // namespace embtool::formats
