// libFuzzer target: text through the tokenizers. The first byte picks the tokenizer (byte-level
// BPE under one of llama.cpp's pre-tokenizers, raw-UTF-8 BPE with byte fallback, BPE over a
// tokenizer.json-style pipeline with normalizers, WordPiece, SentencePiece) and the options;
// the rest is the text. Spans must lie inside the text and decode must not fail on the ids.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "tokenize/make_tokenizer.hpp"
#include "tokenize/pre_tokenize.hpp"
#include "tokenize/spelling.hpp"

namespace {

using namespace embtool::tokenize;

// A small vocabulary: every byte, a few merges, special tokens.
Spec byte_level_spec(std::string_view pre) {
  Spec spec;
  spec.model = "gpt2";
  spec.pre = std::string(pre);
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    spec.vocab.tokens.push_back(byte_level_spelling(std::string_view(&c, 1)));
  }
  for (const char* merge : {"Ġ t", "h e", "Ġt he", "i n", "e r", "Ġ a", "o n", "1 2", "12 3"}) {
    const std::string m(merge);
    const size_t space = m.find(' ');
    spec.merges.emplace_back(m.substr(0, space), m.substr(space + 1));
    spec.vocab.tokens.push_back(m.substr(0, space) + m.substr(space + 1));
  }
  spec.vocab.tokens.push_back("<|endoftext|>");
  spec.vocab.tokens.push_back("<user>");
  spec.vocab.kinds.assign(spec.vocab.tokens.size(), embtool::TokenKind::normal);
  spec.vocab.kinds[spec.vocab.tokens.size() - 2] = embtool::TokenKind::control;
  spec.vocab.kinds[spec.vocab.tokens.size() - 1] = embtool::TokenKind::user_defined;
  spec.vocab.rstrip.push_back(static_cast<int32_t>(spec.vocab.tokens.size() - 1));
  spec.prefix_ids = {static_cast<int32_t>(spec.vocab.tokens.size() - 2)};
  spec.escape_whitespaces = false;
  return spec;
}

Spec raw_bpe_spec() {
  Spec spec = byte_level_spec("gemma4");
  spec.byte_encode = false;
  spec.escape_whitespaces = true;
  spec.byte_fallback = true;
  spec.decoding = Decoding::sentencepiece;
  spec.vocab.tokens.resize(256);
  spec.merges.clear();
  spec.prefix_ids.clear();  // the byte-level spec's ids are past this vocabulary
  spec.vocab.rstrip.clear();
  for (int b = 0; b < 256; ++b) spec.vocab.tokens[b] = byte_token_key(static_cast<unsigned char>(b));
  for (const char* t : {"a", "b", "\xE2\x96\x81", "\xE2\x96\x81" "a", "\n"}) spec.vocab.tokens.push_back(t);
  spec.vocab.kinds.assign(spec.vocab.tokens.size(), embtool::TokenKind::normal);
  spec.merges.emplace_back("\xE2\x96\x81", "a");
  return spec;
}

Spec pipeline_spec() {
  Spec spec = byte_level_spec("");
  spec.pre.clear();
  NormalizeStep nfkc;
  nfkc.kind = NormalizeStep::Kind::nfkc;
  NormalizeStep lower;
  lower.kind = NormalizeStep::Kind::lowercase;
  NormalizeStep replace;
  replace.kind = NormalizeStep::Kind::replace;
  replace.pattern = "\\s+";
  replace.pattern_is_regex = true;
  replace.content.assign(1, ' ');  // assign: GCC 12 warns wrongly (-Wrestrict) on = " " here
  NormalizeStep bert;
  bert.kind = NormalizeStep::Kind::bert;
  spec.normalizer = {nfkc, lower, replace, bert};
  SplitStep digits;
  digits.kind = SplitStep::Kind::digits;
  digits.individual_digits = true;
  SplitStep contiguous;
  contiguous.kind = SplitStep::Kind::punctuation;
  contiguous.behavior = SplitStep::Behavior::contiguous;
  SplitStep byte_level;
  byte_level.kind = SplitStep::Kind::byte_level;
  byte_level.add_prefix_space = true;
  spec.splits = {digits, contiguous, byte_level};
  return spec;
}

Spec wordpiece_spec(bool gguf_spelling) {
  Spec spec;
  spec.model = "bert";
  spec.decoding = Decoding::wordpiece;
  const std::string word = gguf_spelling ? "\xE2\x96\x81" : "";
  const std::string cont = gguf_spelling ? "" : "##";
  spec.vocab.tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", word + "hello", word + "a", cont + "b", cont + "ing", word + "x", word + ",", word + "\xE4\xB8\xAD"};
  spec.vocab.kinds.assign(spec.vocab.tokens.size(), embtool::TokenKind::normal);
  spec.vocab.kinds[1] = embtool::TokenKind::unknown;
  spec.vocab.kinds[2] = spec.vocab.kinds[3] = embtool::TokenKind::control;
  spec.special.unk = 1;
  spec.special.cls = 2;
  spec.special.sep = 3;
  spec.prefix_ids = {2};
  spec.suffix_ids = {3};
  spec.continuing_subword_prefix = cont;
  return spec;
}

Spec sentencepiece_spec() {
  Spec spec;
  spec.model = "llama";
  spec.decoding = Decoding::sentencepiece;
  spec.add_space_prefix = true;
  spec.vocab.tokens = {"<unk>", "<s>", "</s>"};
  for (int b = 0; b < 256; ++b) spec.vocab.tokens.push_back(byte_token_key(static_cast<unsigned char>(b)));
  for (const char* t : {"\xE2\x96\x81", "a", "b", "\xE2\x96\x81" "a", "ab", "\xE2\x96\x81" "ab"}) spec.vocab.tokens.push_back(t);
  spec.vocab.kinds.assign(spec.vocab.tokens.size(), embtool::TokenKind::normal);
  spec.vocab.kinds[0] = embtool::TokenKind::unknown;
  spec.vocab.kinds[1] = spec.vocab.kinds[2] = embtool::TokenKind::control;
  for (int b = 0; b < 256; ++b) spec.vocab.kinds[3 + b] = embtool::TokenKind::byte;
  spec.vocab.scores.assign(spec.vocab.tokens.size(), 0.0f);
  for (size_t i = 0; i < spec.vocab.scores.size(); ++i) spec.vocab.scores[i] = -static_cast<float>(i);
  spec.special.unk = 0;
  spec.special.bos = 1;
  spec.special.eos = 2;
  spec.prefix_ids = {1};
  return spec;
}

std::vector<std::unique_ptr<const Tokenizer>> build_all() {
  std::vector<std::unique_ptr<const Tokenizer>> all;
  auto add = [&](Spec spec) {
    try {
      all.push_back(make_tokenizer(std::move(spec)));
    } catch (const embtool::Error&) {
      // an engine not built in this version: fuzz the others
    }
  };
  for (const char* pre : {"gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "falcon", "gpt-4o", "tekken", "kimi-k2",
                          "afmoe", "superbpe", "chameleon", "default", "bloom", "exaone-moe"}) {
    add(byte_level_spec(pre));
  }
  add(raw_bpe_spec());
  add(pipeline_spec());
  add(wordpiece_spec(true));
  add(wordpiece_spec(false));
  add(sentencepiece_spec());
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::unique_ptr<const Tokenizer>> tokenizers = build_all();
  if (size == 0 || tokenizers.empty()) return 0;
  const Tokenizer& tokenizer = *tokenizers[(data[0] >> 2) % tokenizers.size()];
  const EncodeOptions options{.add_special = (data[0] & 1) != 0, .parse_special = (data[0] & 2) != 0};
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const std::vector<Piece> pieces = tokenizer.encode(text, options);
    std::vector<int32_t> ids;
    for (const Piece& p : pieces) {
      if (p.begin > p.end || p.end > text.size()) std::abort();  // a span outside the text
      if (p.id < 0 || static_cast<size_t>(p.id) >= tokenizer.size()) std::abort();
      ids.push_back(p.id);
    }
    (void)tokenizer.decode(ids);
  } catch (const embtool::Error&) {
  }
  return 0;
}
