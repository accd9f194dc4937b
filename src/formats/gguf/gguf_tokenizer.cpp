#include "formats/gguf/gguf_tokenizer.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "base/error.hpp"
#include "tokenize/pre_tokenize.hpp"

namespace embtool::formats::gguf {
namespace {

using tokenize::kNoToken;

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", path, problem));
}

std::string string_of(const File& file, std::string_view key) {
  const Value* value = file.find(key);
  if (value == nullptr) return {};
  const auto text = value->as_string();
  return text ? std::string(*text) : std::string();
}

std::optional<bool> bool_of(const File& file, std::string_view key) {
  const Value* value = file.find(key);
  return value != nullptr ? value->as_bool() : std::nullopt;
}

// A special id from the metadata, kept when it names a token (llama.cpp warns and keeps
// its default otherwise).
void read_id(const File& file, std::string_view key, size_t tokens, int32_t& id) {
  if (id >= 0 && static_cast<size_t>(id) >= tokens) id = kNoToken;
  const Value* value = file.find(key);
  if (value == nullptr) return;
  const auto number = value->as_unsigned();
  if (number && *number < tokens) id = static_cast<int32_t>(*number);
}

void read_merges(const File& file, const std::string& path, tokenize::Spec& spec) {
  const Value* merges = file.find("tokenizer.ggml.merges");
  if (merges == nullptr) refuse(path, "the gpt2 tokenizer has no merges (tokenizer.ggml.merges)");
  if (!merges->is_array() || merges->element_type != ValueType::string) {
    refuse(path, "tokenizer.ggml.merges is not an array of strings");
  }
  const std::vector<std::string_view> lines = merges->strings();
  spec.merges.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    // As llama.cpp splits them: at the first space after the first byte.
    const size_t space = lines[i].find(' ', 1);
    if (space == std::string_view::npos) {
      refuse(path, fmt::format("merge {} of tokenizer.ggml.merges ('{}') is not two tokens with a "
                               "space between", i, printable_name(lines[i])));
    }
    spec.merges.emplace_back(std::string(lines[i].substr(0, space)), std::string(lines[i].substr(space + 1)));
  }
}

// The defaults llama.cpp gives each model before the metadata overrides them.
void set_model_defaults(tokenize::Spec& spec, bool& add_bos, bool& add_eos, bool& add_sep) {
  tokenize::SpecialIds& s = spec.special;
  if (spec.model == "llama") {
    s.bos = 1, s.eos = 2, s.unk = 0;
    spec.add_space_prefix = true;
    add_bos = true;
    spec.decoding = tokenize::Decoding::sentencepiece;
  } else if (spec.model == "bert") {
    s.bos = 101, s.unk = 100, s.sep = 102, s.pad = 0, s.mask = 103;
    add_bos = true, add_sep = true;
    spec.decoding = tokenize::Decoding::wordpiece;
  } else if (spec.model == "gpt2") {
    s.bos = 11, s.eos = 11;
    spec.decoding = tokenize::Decoding::byte_level;
  } else if (spec.model == "gemma4") {
    // llama.cpp: a BPE over raw UTF-8 with "▁" for spaces, BOS always added.
    spec.model = "gpt2";
    spec.pre = "gemma4";
    add_bos = true;
    spec.decoding = tokenize::Decoding::sentencepiece;
  } else if (spec.model == "t5") {
    s.eos = 1, s.unk = 2, s.pad = 0;
    add_eos = true;  // add_space_prefix and remove_extra_whitespaces: false unless the file says
    spec.decoding = tokenize::Decoding::sentencepiece;
  }
}

}  // namespace

tokenize::Spec tokenizer_spec(const File& file, const std::string& path) {
  tokenize::Spec spec;
  spec.model = string_of(file, "tokenizer.ggml.model");
  spec.pre = string_of(file, "tokenizer.ggml.pre");
  if (spec.model.empty()) refuse(path, "the file names no tokenizer (tokenizer.ggml.model)");
  if (spec.model == "no_vocab" || spec.model == "none") {
    throw Error(ErrorKind::not_found, fmt::format("{}: the model has no tokenizer (tokenizer.ggml.model = {})", path, spec.model));
  }
  if (spec.model != "llama" && spec.model != "bert" && spec.model != "gpt2" && spec.model != "gemma4" &&
      spec.model != "t5") {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{}: embtool cannot tokenize with the '{}' tokenizer (it knows gpt2, gemma4, llama, bert, t5)",
                            path, spec.model));
  }
  const Value* tokens = file.find("tokenizer.ggml.tokens");
  if (tokens == nullptr || !tokens->is_array() || tokens->element_type != ValueType::string) {
    refuse(path, "tokenizer.ggml.tokens is missing or not an array of strings");
  }
  for (std::string_view t : tokens->strings()) spec.vocab.tokens.emplace_back(t);
  const size_t n = spec.vocab.tokens.size();
  for (size_t i = 0; i < n; ++i) {
    // llama.cpp's name for an empty token, so that it never matches text.
    if (spec.vocab.tokens[i].empty()) spec.vocab.tokens[i] = fmt::format("[EMPTY_{}]", i);
  }
  spec.vocab.kinds.assign(n, TokenKind::normal);
  if (const Value* types = file.find("tokenizer.ggml.token_type")) {
    const std::vector<int64_t> values = types->integers();
    if (values.size() < n) refuse(path, fmt::format("tokenizer.ggml.token_type has {} entries for {} tokens", values.size(), n));
    for (size_t i = 0; i < n; ++i) {
      spec.vocab.kinds[i] = values[i] >= 0 && values[i] <= 6 ? static_cast<TokenKind>(values[i]) : TokenKind::undefined;
    }
  }
  if (const Value* scores = file.find("tokenizer.ggml.scores")) {
    std::vector<float> values = scores->floats();
    if (values.size() < n) refuse(path, fmt::format("tokenizer.ggml.scores has {} entries for {} tokens", values.size(), n));
    values.resize(n);
    spec.vocab.scores = std::move(values);
  }

  bool add_bos = false, add_eos = false, add_sep = false;
  set_model_defaults(spec, add_bos, add_eos, add_sep);
  if (spec.model == "gpt2") {
    read_merges(file, path, spec);
    // llama.cpp's options by pre-tokenizer name: raw UTF-8 instead of GPT-2's byte spelling
    // (and then "▁" for spaces, SentencePiece style) and Llama 3's ignore_merges.
    spec.byte_encode = tokenize::bpe_pre_byte_encode(spec.pre);
    spec.escape_whitespaces = spec.pre == "gemma4" || spec.pre == "granite-embed-multi-311m" || spec.pre == "sarvam-moe";
    spec.ignore_merges = tokenize::bpe_pre_ignore_merges(spec.pre);
    spec.byte_fallback = true;  // llama.cpp: text no token covers goes out byte by byte
  }
  if (const Value* charsmap = file.find("tokenizer.ggml.precompiled_charsmap")) {
    if (charsmap->is_array() && (charsmap->element_type == ValueType::u8 || charsmap->element_type == ValueType::i8)) {
      const auto* p = reinterpret_cast<const char*>(charsmap->bytes.data());
      spec.precompiled_charsmap.assign(p, p + charsmap->count);
    }
  }

  tokenize::SpecialIds& s = spec.special;
  read_id(file, "tokenizer.ggml.bos_token_id", n, s.bos);
  read_id(file, "tokenizer.ggml.eos_token_id", n, s.eos);
  read_id(file, "tokenizer.ggml.unknown_token_id", n, s.unk);
  read_id(file, "tokenizer.ggml.seperator_token_id", n, s.sep);  // sic: GGUF's spelling
  read_id(file, "tokenizer.ggml.padding_token_id", n, s.pad);
  read_id(file, "tokenizer.ggml.cls_token_id", n, s.cls);
  read_id(file, "tokenizer.ggml.mask_token_id", n, s.mask);
  add_bos = bool_of(file, "tokenizer.ggml.add_bos_token").value_or(add_bos);
  add_eos = bool_of(file, "tokenizer.ggml.add_eos_token").value_or(add_eos);
  add_sep = bool_of(file, "tokenizer.ggml.add_sep_token").value_or(add_sep);
  if (spec.pre == "gemma4") add_bos = true;
  spec.add_space_prefix = bool_of(file, "tokenizer.ggml.add_space_prefix").value_or(spec.add_space_prefix);
  spec.remove_extra_whitespaces =
      bool_of(file, "tokenizer.ggml.remove_extra_whitespaces").value_or(spec.remove_extra_whitespaces);
  spec.lowercase = bool_of(file, "tokenizer.ggml.normalizer.lowercase").value_or(true);
  spec.strip_accents = bool_of(file, "tokenizer.ggml.normalizer.strip_accents").value_or(spec.lowercase);

  // BERT's [CLS] is its BOS in llama.cpp's reading.
  if (add_bos && s.bos != kNoToken) spec.prefix_ids.push_back(s.bos);
  if (add_eos && s.eos != kNoToken) spec.suffix_ids.push_back(s.eos);
  if (add_sep && s.sep != kNoToken) spec.suffix_ids.push_back(s.sep);

  // Attributes llama.cpp sets by model name (the GGUF file has no field for them).
  std::string name = string_of(file, "general.name");
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string architecture = string_of(file, "general.architecture");
  auto id_of = [&](std::string_view text) -> int32_t {
    const auto it = std::find(spec.vocab.tokens.begin(), spec.vocab.tokens.end(), text);
    return it == spec.vocab.tokens.end() ? kNoToken : static_cast<int32_t>(it - spec.vocab.tokens.begin());
  };
  auto contains = [](const std::string& haystack, std::initializer_list<std::string_view> parts) {
    return std::any_of(parts.begin(), parts.end(), [&](std::string_view p) { return haystack.find(p) != std::string::npos; });
  };
  if (contains(spec.pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) ||
      contains(architecture, {"nomic-bert-moe", "jina-bert-v3"})) {
    if (const int32_t mask = id_of("<mask>"); mask != kNoToken) spec.vocab.lstrip.push_back(mask);
  } else if (contains(name, {"phi-3", "phi3"})) {
    for (size_t i = 0; i < n; ++i) {
      const TokenKind k = spec.vocab.kinds[i];
      if (k == TokenKind::control || k == TokenKind::user_defined || k == TokenKind::unknown) {
        spec.vocab.rstrip.push_back(static_cast<int32_t>(i));
      }
    }
    if (const int32_t eos = id_of("</s>"); eos != kNoToken) spec.vocab.rstrip.push_back(eos);
    for (std::string_view t : {"<unk>", "<s>", "<|endoftext|>"}) {
      const int32_t id = id_of(t);
      std::erase(spec.vocab.rstrip, id);
    }
  } else if (contains(name, {"modern-bert"})) {
    if (const int32_t mask = id_of("[MASK]"); mask != kNoToken) spec.vocab.lstrip.push_back(mask);
  }
  return spec;
}

}  // namespace embtool::formats::gguf
