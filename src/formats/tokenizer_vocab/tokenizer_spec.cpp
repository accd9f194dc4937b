#include "formats/tokenizer_vocab/tokenizer_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "base/error.hpp"
#include "formats/tokenizer_vocab/collected.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::formats {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using tokenize::NormalizeStep;
using tokenize::Spec;
using tokenize::SplitStep;
using tokenizer_vocab::JsonFile;

std::string string_field(object o, const char* name, std::string fallback = {}) {
  std::string_view value;
  return o[name].get_string().get(value) ? fallback : std::string(value);
}

std::optional<bool> bool_field(object o, const char* name) {
  bool value = false;
  if (o[name].get_bool().get(value)) return std::nullopt;
  return value;
}

void fill_vocab(Spec& spec, TokenVocabulary tokens) {
  spec.vocab.tokens = std::move(tokens.keys);
  spec.vocab.kinds = std::move(tokens.kinds);
}

int32_t id_of(const Spec& spec, std::string_view token) {
  const auto it = std::find(spec.vocab.tokens.begin(), spec.vocab.tokens.end(), token);
  return it == spec.vocab.tokens.end() ? tokenize::kNoToken : static_cast<int32_t>(it - spec.vocab.tokens.begin());
}

// A Split's or Replace's pattern: {"String": s} or {"Regex": r}.
bool read_pattern(const JsonFile& json, object o, std::string& pattern) {
  object p;
  if (o["pattern"].get_object().get(p)) json.refuse("has a pattern that is neither {\"String\": ...} nor {\"Regex\": ...}");
  std::string_view value;
  if (!p["Regex"].get_string().get(value)) {
    pattern = json.text(value);
    return true;
  }
  if (!p["String"].get_string().get(value)) {
    pattern = json.text(value);
    return false;
  }
  json.refuse("has a pattern that is neither {\"String\": ...} nor {\"Regex\": ...}");
}

// ---- normalizer ------------------------------------------------------------------------

void read_normalizer(const JsonFile& json, element e, Spec& spec) {
  object o;
  if (e.get_object().get(o)) return;  // null
  const std::string type = string_field(o, "type");
  NormalizeStep step;
  using K = NormalizeStep::Kind;
  if (type == "Sequence") {
    array parts;
    if (!o["normalizers"].get_array().get(parts)) {
      for (element part : parts) read_normalizer(json, part, spec);
    }
    return;
  } else if (type == "NFC") {
    step.kind = K::nfc;
  } else if (type == "NFD") {
    step.kind = K::nfd;
  } else if (type == "NFKC") {
    step.kind = K::nfkc;
  } else if (type == "NFKD") {
    step.kind = K::nfkd;
  } else if (type == "Lowercase") {
    step.kind = K::lowercase;
  } else if (type == "StripAccents") {
    step.kind = K::strip_accents;
  } else if (type == "Replace") {
    step.kind = K::replace;
    step.pattern_is_regex = read_pattern(json, o, step.pattern);
    step.content = json.text(string_field(o, "content"));
    // A Unigram model's "collapse runs of spaces" is llama.cpp's remove_extra_whitespaces.
    if (spec.model == "t5" && step.pattern == " {2,}") {
      spec.remove_extra_whitespaces = true;
      return;
    }
  } else if (type == "Prepend") {
    step.kind = K::prepend;
    step.content = json.text(string_field(o, "prepend"));
  } else if (type == "Strip") {
    step.kind = K::strip;
    step.left = bool_field(o, "strip_left").value_or(true);
    step.right = bool_field(o, "strip_right").value_or(true);
  } else if (type == "BertNormalizer") {
    step.kind = K::bert;
    step.clean_text = bool_field(o, "clean_text").value_or(true);
    step.handle_chinese_chars = bool_field(o, "handle_chinese_chars").value_or(true);
    step.lowercase = bool_field(o, "lowercase").value_or(true);
    step.strip_accents = bool_field(o, "strip_accents");
    spec.lowercase = step.lowercase;
    spec.strip_accents = step.strip_accents.value_or(step.lowercase);
    if (spec.model == "bert") return;  // the WordPiece tokenizer runs BERT's own basic tokenizer
  } else if (type == "Precompiled") {
    std::string_view charsmap;
    if (!o["precompiled_charsmap"].get_string().get(charsmap)) {
      const std::optional<std::string> bytes = tokenize::base64_decode(charsmap);
      if (!bytes) json.refuse("has a Precompiled normalizer whose charsmap is not base64");
      spec.precompiled_charsmap.assign(bytes->begin(), bytes->end());
    }
    return;
  } else {
    json.refuse(fmt::format("has a normalizer of type '{}', which embtool does not run", type));
  }
  spec.normalizer.push_back(std::move(step));
}

// ---- pre-tokenizer -----------------------------------------------------------------------

SplitStep::Behavior behavior_of(const JsonFile& json, const std::string& name) {
  using B = SplitStep::Behavior;
  if (name == "Isolated" || name.empty()) return B::isolated;
  if (name == "Removed") return B::removed;
  if (name == "MergedWithPrevious") return B::merged_with_previous;
  if (name == "MergedWithNext") return B::merged_with_next;
  if (name == "Contiguous") return B::contiguous;
  json.refuse(fmt::format("has a split behavior '{}' that tokenizers does not define", name));
}

void read_pre_tokenizer(const JsonFile& json, element e, Spec& spec) {
  object o;
  if (e.get_object().get(o)) return;
  const std::string type = string_field(o, "type");
  SplitStep step;
  using K = SplitStep::Kind;
  if (type == "Sequence") {
    array parts;
    if (!o["pretokenizers"].get_array().get(parts)) {
      for (element part : parts) read_pre_tokenizer(json, part, spec);
    }
    return;
  } else if (type == "Split") {
    step.kind = read_pattern(json, o, step.pattern) ? K::regex : K::string;
    step.behavior = behavior_of(json, string_field(o, "behavior"));
    step.invert = bool_field(o, "invert").value_or(false);
  } else if (type == "ByteLevel") {
    step.kind = K::byte_level;
    step.add_prefix_space = bool_field(o, "add_prefix_space").value_or(true);
    step.use_regex = bool_field(o, "use_regex").value_or(true);
  } else if (type == "Metaspace") {
    step.kind = K::metaspace;
    step.replacement = json.text(string_field(o, "replacement", "\xE2\x96\x81"));
    const std::string scheme = string_field(o, "prepend_scheme");
    if (scheme == "first") {
      step.prepend_scheme = SplitStep::Prepend::first;
    } else if (scheme == "never") {
      step.prepend_scheme = SplitStep::Prepend::never;
    } else if (scheme.empty() && !bool_field(o, "add_prefix_space").value_or(true)) {
      step.prepend_scheme = SplitStep::Prepend::never;  // files older than prepend_scheme
    }
    step.split = bool_field(o, "split").value_or(true);
  } else if (type == "Digits") {
    step.kind = K::digits;
    step.individual_digits = bool_field(o, "individual_digits").value_or(false);
  } else if (type == "Whitespace") {
    step.kind = K::whitespace;
  } else if (type == "WhitespaceSplit") {
    step.kind = K::whitespace_split;
  } else if (type == "BertPreTokenizer") {
    step.kind = K::bert;
  } else if (type == "Punctuation") {
    step.kind = K::punctuation;
    step.behavior = behavior_of(json, string_field(o, "behavior", "Isolated"));
  } else if (type == "CharDelimiterSplit") {
    step.kind = K::string;
    step.pattern = json.text(string_field(o, "delimiter"));
    step.behavior = SplitStep::Behavior::removed;
  } else {
    json.refuse(fmt::format("has a pre-tokenizer of type '{}', which embtool does not run", type));
  }
  spec.splits.push_back(std::move(step));
}

// ---- post-processor: what --add-special adds ----------------------------------------------

int32_t special_id(const JsonFile& json, object o, const Spec& spec, const char* field) {
  array pair;  // ["[CLS]", 101]
  if (o[field].get_array().get(pair) || pair.size() != 2) return tokenize::kNoToken;
  int64_t id = -1;
  if (pair.at(1).get_int64().get(id) || id < 0 || static_cast<size_t>(id) >= spec.vocab.tokens.size()) {
    json.refuse(fmt::format("names a {} token id that is not in the vocabulary", field));
  }
  return static_cast<int32_t>(id);
}

void read_template(const JsonFile& json, object o, Spec& spec) {
  array single;
  if (o["single"].get_array().get(single)) return;
  object specials;
  const bool has_specials = !o["special_tokens"].get_object().get(specials);
  bool after_sequence = false;
  for (element piece : single) {
    object p;
    if (piece.get_object().get(p)) continue;
    object special;
    if (!p["Sequence"].get_object().get(special)) {
      after_sequence = true;
      continue;
    }
    if (p["SpecialToken"].get_object().get(special)) continue;
    const std::string name = json.text(string_field(special, "id"));
    std::vector<int32_t> ids;
    object entry;
    array listed;
    if (has_specials && !specials[name].get_object().get(entry) && !entry["ids"].get_array().get(listed)) {
      for (element id : listed) {
        int64_t v = -1;
        if (!id.get_int64().get(v) && v >= 0 && static_cast<size_t>(v) < spec.vocab.tokens.size()) ids.push_back(static_cast<int32_t>(v));
      }
    } else if (const int32_t id = id_of(spec, name); id != tokenize::kNoToken) {
      ids.push_back(id);
    }
    auto& side = after_sequence ? spec.suffix_ids : spec.prefix_ids;
    side.insert(side.end(), ids.begin(), ids.end());
  }
}

void read_post_processor(const JsonFile& json, element e, Spec& spec) {
  object o;
  if (e.get_object().get(o)) return;
  const std::string type = string_field(o, "type");
  if (type == "Sequence") {
    array parts;
    if (!o["processors"].get_array().get(parts)) {
      for (element part : parts) read_post_processor(json, part, spec);
    }
  } else if (type == "TemplateProcessing") {
    read_template(json, o, spec);
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    if (const int32_t cls = special_id(json, o, spec, "cls"); cls != tokenize::kNoToken) spec.prefix_ids.push_back(cls);
    if (const int32_t sep = special_id(json, o, spec, "sep"); sep != tokenize::kNoToken) spec.suffix_ids.push_back(sep);
  }
}

// ---- decoder ---------------------------------------------------------------------------------

void read_decoder(element e, Spec& spec) {
  object o;
  if (e.get_object().get(o)) return;
  const std::string type = string_field(o, "type");
  if (type == "Sequence") {
    array parts;
    if (!o["decoders"].get_array().get(parts)) {
      for (element part : parts) read_decoder(part, spec);
    }
  } else if (type == "ByteLevel") {
    spec.decoding = tokenize::Decoding::byte_level;
  } else if (type == "Metaspace" || type == "ByteFallback") {
    spec.decoding = tokenize::Decoding::sentencepiece;
    if (type == "Metaspace") spec.add_space_prefix = true;
  } else if (type == "Strip") {
    int64_t start = 0;
    if (!o["start"].get_int64().get(start) && start > 0) spec.add_space_prefix = true;
  } else if (type == "WordPiece") {
    spec.decoding = tokenize::Decoding::wordpiece;
  }
}

void read_model(const JsonFile& json, object model, Spec& spec) {
  std::string type = string_field(model, "type");
  if (type.empty()) {
    if (model["vocab"].is_array()) type = "Unigram";
    else if (model["merges"].error() == simdjson::SUCCESS) type = "BPE";
    else if (model["continuing_subword_prefix"].error() == simdjson::SUCCESS) type = "WordPiece";
  }
  const std::string unk = json.text(string_field(model, "unk_token"));
  if (type == "BPE") {
    spec.model = "gpt2";
    spec.byte_fallback = bool_field(model, "byte_fallback").value_or(false);
    spec.ignore_merges = bool_field(model, "ignore_merges").value_or(false);
    spec.continuing_subword_prefix = json.text(string_field(model, "continuing_subword_prefix"));
    spec.end_of_word_suffix = json.text(string_field(model, "end_of_word_suffix"));
    array merges;
    if (model["merges"].get_array().get(merges)) json.refuse("has a BPE model without merges");
    spec.merges.reserve(merges.size());
    size_t rank = 0;
    for (element m : merges) {
      ++rank;
      std::string_view line;
      array pair;
      if (!m.get_string().get(line)) {  // "a b"
        const std::string text = json.text(line);
        const size_t space = text.find(' ', 1);
        if (space == std::string::npos) json.refuse(fmt::format("has merge {} ('{}') that is not two tokens", rank, text));
        spec.merges.emplace_back(text.substr(0, space), text.substr(space + 1));
      } else if (!m.get_array().get(pair) && pair.size() == 2) {  // ["a", "b"]
        std::string_view a, b;
        if (pair.at(0).get_string().get(a) || pair.at(1).get_string().get(b)) {
          json.refuse(fmt::format("has merge {} that is not two strings", rank));
        }
        spec.merges.emplace_back(json.text(a), json.text(b));
      } else {
        json.refuse(fmt::format("has merge {} that is neither \"a b\" nor [\"a\", \"b\"]", rank));
      }
    }
  } else if (type == "WordPiece") {
    spec.model = "bert";
    spec.continuing_subword_prefix = json.text(string_field(model, "continuing_subword_prefix", "##"));
    int64_t max_chars = 100;
    if (!model["max_input_chars_per_word"].get_int64().get(max_chars) && max_chars > 0) {
      spec.max_input_chars_per_word = static_cast<size_t>(max_chars);
    }
    spec.decoding = tokenize::Decoding::wordpiece;
  } else if (type == "Unigram") {
    spec.model = "t5";
    spec.byte_fallback = bool_field(model, "byte_fallback").value_or(false);
    array vocab;
    if (!model["vocab"].get_array().get(vocab)) {
      spec.vocab.scores.assign(spec.vocab.tokens.size(), 0.0f);
      size_t i = 0;
      for (element entry : vocab) {
        array pair;
        double score = 0;
        if (!entry.get_array().get(pair) && pair.size() == 2 && !pair.at(1).get_double().get(score) && i < spec.vocab.scores.size()) {
          spec.vocab.scores[i] = static_cast<float>(score);
        }
        ++i;
      }
    }
    int64_t unk_id = -1;
    if (!model["unk_id"].get_int64().get(unk_id) && unk_id >= 0 && static_cast<size_t>(unk_id) < spec.vocab.tokens.size()) {
      spec.special.unk = static_cast<int32_t>(unk_id);
    }
    spec.decoding = tokenize::Decoding::sentencepiece;
  } else {
    json.refuse(fmt::format("has a model of type '{}', which embtool does not run (it runs BPE, WordPiece, Unigram)", type));
  }
  if (!unk.empty() && spec.special.unk == tokenize::kNoToken) spec.special.unk = id_of(spec, unk);
}

void read_added_token_options(const JsonFile& json, Spec& spec) {
  array added;
  if (json.root()["added_tokens"].get_array().get(added)) return;
  for (element entry : added) {
    object o;
    int64_t id = -1;
    if (entry.get_object().get(o) || o["id"].get_int64().get(id) || id < 0) continue;
    if (bool_field(o, "lstrip").value_or(false)) spec.vocab.lstrip.push_back(static_cast<int32_t>(id));
    if (bool_field(o, "rstrip").value_or(false)) spec.vocab.rstrip.push_back(static_cast<int32_t>(id));
  }
}

bool has_byte_level(const Spec& spec) {
  return std::any_of(spec.splits.begin(), spec.splits.end(), [](const SplitStep& s) { return s.kind == SplitStep::Kind::byte_level; });
}

Spec gpt2_byte_level_spec() {
  Spec spec;
  spec.model = "gpt2";
  SplitStep byte_level;
  byte_level.kind = SplitStep::Kind::byte_level;
  byte_level.add_prefix_space = false;
  spec.splits.push_back(byte_level);
  spec.byte_encode = true;
  spec.escape_whitespaces = false;
  spec.decoding = tokenize::Decoding::byte_level;
  return spec;
}

std::vector<std::pair<std::string, std::string>> read_merges_txt(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot be read", file.string()));
  std::vector<std::pair<std::string, std::string>> merges;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (number == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t space = line.find(' ', 1);
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
      throw Error(ErrorKind::bad_data, fmt::format("{}: line {} is not two tokens with one space between", file.string(), number));
    }
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return merges;
}

// tiktoken's encodings (tiktoken_ext/openai_public.py): split pattern and special tokens.
struct TiktokenEncoding {
  const char* name;
  size_t ranks;  // how many mergeable ranks its file has
  const char* pattern;
  std::vector<std::pair<const char*, int32_t>> specials;
};

constexpr const char* kR50kPattern = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
constexpr const char* kCl100kPattern =
    "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|"
    "\\s+(?!\\S)|\\s";
constexpr const char* kO200kPattern =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const std::vector<TiktokenEncoding>& tiktoken_encodings() {
  static const std::vector<TiktokenEncoding> encodings = {
      {"gpt2", 50256, kR50kPattern, {{"<|endoftext|>", 50256}}},
      {"r50k_base", 50256, kR50kPattern, {{"<|endoftext|>", 50256}}},
      {"p50k_base", 50280, kR50kPattern, {{"<|endoftext|>", 50256}}},
      {"cl100k_base", 100256, kCl100kPattern,
       {{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259}, {"<|fim_suffix|>", 100260},
        {"<|endofprompt|>", 100276}}},
      {"o200k_base", 199998, kO200kPattern, {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}},
  };
  return encodings;
}

}  // namespace

Spec read_tokenizer_json_spec(const std::filesystem::path& file) {
  const JsonFile json(file);
  Spec spec;
  fill_vocab(spec, tokenizer_vocab::lay_out(tokenizer_vocab::collect_tokenizer_json(json), file));
  object model;
  if (json.root()["model"].get_object().get(model)) json.refuse("has no tokenizer model (no \"model\" object)");
  spec.escape_whitespaces = false;
  spec.splits_given = true;  // no pre_tokenizer: the whole text is one word
  read_model(json, model, spec);
  element part;
  if (!json.root()["normalizer"].get(part)) read_normalizer(json, part, spec);
  if (!json.root()["pre_tokenizer"].get(part)) read_pre_tokenizer(json, part, spec);
  if (!json.root()["post_processor"].get(part)) read_post_processor(json, part, spec);
  if (spec.model == "gpt2") spec.decoding = tokenize::Decoding::byte_level;
  if (!json.root()["decoder"].get(part)) read_decoder(part, spec);
  read_added_token_options(json, spec);
  if (spec.model == "gpt2") {
    spec.byte_encode = has_byte_level(spec);
    if (!spec.byte_encode && spec.decoding == tokenize::Decoding::byte_level) spec.decoding = tokenize::Decoding::raw;
    // A pre-tokenizer-less BPE (Llama 2's tokenizer.json) sees the whole text as one word.
  }
  if (spec.model == "t5") {
    for (const SplitStep& s : spec.splits) {
      if (s.kind == SplitStep::Kind::metaspace) spec.add_space_prefix = s.prepend_scheme != SplitStep::Prepend::never;
    }
    spec.splits.clear();
  }
  return spec;
}

Spec read_vocab_merges_spec(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt) {
  Spec spec = gpt2_byte_level_spec();
  const std::filesystem::path dir = vocab_json.parent_path();
  // A model directory also says which tokens are special (tokenizer_config.json).
  fill_vocab(spec, std::filesystem::exists(dir / "tokenizer_config.json") && vocab_json.filename() == "vocab.json"
                       ? read_hf_tokenizer(dir)
                       : read_vocab_json(vocab_json));
  spec.merges = read_merges_txt(merges_txt);
  return spec;
}

Spec read_tiktoken_spec(const std::filesystem::path& file) {
  Spec spec = gpt2_byte_level_spec();
  spec.model = "tiktoken";
  spec.ignore_merges = true;  // tiktoken takes a piece that is a token as that token
  TokenVocabulary tokens = read_tiktoken_ranks(file);
  const std::string name = file.filename().string();
  const std::vector<TiktokenEncoding>& encodings = tiktoken_encodings();
  const TiktokenEncoding* encoding = nullptr;
  for (const TiktokenEncoding& e : encodings) {
    if (name.find(e.name) != std::string::npos) encoding = &e;
  }
  for (const TiktokenEncoding& e : encodings) {
    if (encoding == nullptr && tokens.keys.size() == e.ranks) encoding = &e;
  }
  if (encoding == nullptr) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: a tiktoken file of {} ranks is none of the encodings embtool knows "
                                                 "(gpt2, r50k_base, p50k_base, cl100k_base, o200k_base: name the file after one)",
                                                 file.string(), tokens.keys.size()));
  }
  fill_vocab(spec, std::move(tokens));
  spec.splits.clear();
  SplitStep split;
  split.kind = SplitStep::Kind::regex;
  split.pattern = encoding->pattern;
  spec.splits.push_back(split);
  for (const auto& [text, id] : encoding->specials) {
    if (spec.vocab.tokens.size() <= static_cast<size_t>(id)) {
      spec.vocab.tokens.resize(id + 1, "");
      spec.vocab.kinds.resize(id + 1, TokenKind::unused);
    }
    spec.vocab.tokens[id] = text;
    spec.vocab.kinds[id] = TokenKind::control;
  }
  for (size_t i = 0; i < spec.vocab.tokens.size(); ++i) {
    if (spec.vocab.tokens[i].empty()) spec.vocab.tokens[i] = fmt::format("<unused {}>", i);
  }
  return spec;
}

Spec read_vocab_txt_spec(const std::filesystem::path& file, bool cased) {
  Spec spec;
  spec.model = "bert";
  TokenVocabulary tokens = read_token_lines(file);
  fill_vocab(spec, std::move(tokens));
  spec.continuing_subword_prefix = "##";
  spec.lowercase = !cased;
  spec.strip_accents = !cased;
  spec.decoding = tokenize::Decoding::wordpiece;
  for (const char* special : {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"}) {
    const int32_t id = id_of(spec, special);
    if (id != tokenize::kNoToken) spec.vocab.kinds[id] = special == std::string_view("[UNK]") ? TokenKind::unknown : TokenKind::control;
  }
  spec.special.unk = id_of(spec, "[UNK]");
  spec.special.cls = id_of(spec, "[CLS]");
  spec.special.sep = id_of(spec, "[SEP]");
  if (spec.special.cls != tokenize::kNoToken) spec.prefix_ids.push_back(spec.special.cls);
  if (spec.special.sep != tokenize::kNoToken) spec.suffix_ids.push_back(spec.special.sep);
  return spec;
}

std::optional<Spec> find_tokenizer_spec(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) {
    if (fs::is_regular_file(path / "tokenizer.json")) return read_tokenizer_json_spec(path / "tokenizer.json");
    if (fs::is_regular_file(path / "vocab.json") && fs::is_regular_file(path / "merges.txt")) {
      return read_vocab_merges_spec(path / "vocab.json", path / "merges.txt");
    }
    if (fs::is_regular_file(path / "vocab.txt")) return read_vocab_txt_spec(path / "vocab.txt", false);
    return std::nullopt;
  }
  const std::string name = path.filename().string();
  if (path.extension() == ".tiktoken") return read_tiktoken_spec(path);
  if (name == "vocab.txt") return read_vocab_txt_spec(path, false);
  if (path.extension() == ".json") {
    const JsonFile json(path);
    if (json.root()["model"].is_object()) return read_tokenizer_json_spec(path);
    const fs::path merges = path.parent_path() / "merges.txt";
    if (fs::is_regular_file(merges)) return read_vocab_merges_spec(path, merges);
    return std::nullopt;
  }
  const std::string head = tokenizer_vocab::read_whole_file(path).substr(0, 4096);
  if (tokenizer_vocab::looks_like_tiktoken_ranks(head)) return read_tiktoken_spec(path);
  return std::nullopt;
}

}  // namespace embtool::formats
