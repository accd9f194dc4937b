// What a tokenizer is made of, as the files that carry one say it: GGUF's tokenizer.ggml.*
// metadata, Hugging Face's tokenizer.json, vocab.json + merges.txt, BERT's vocab.txt, a
// tiktoken rank file. Readers (formats/) fill a Spec; make_tokenizer (tokenizer.hpp) builds
// the tokenizer from it. Nothing here reads a file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tokenize/token_kind.hpp"

namespace embtool::tokenize {

inline constexpr int32_t kNoToken = -1;

// The tokens by id, in the tokenizer's own spelling (GPT-2 "Ġking", SentencePiece "▁king",
// WordPiece "##ing", "<0x0A>"), with their kinds and (SentencePiece, Unigram) scores.
struct Vocab {
  std::vector<std::string> tokens;
  std::vector<TokenKind> kinds;  // one per token
  std::vector<float> scores;     // one per token, or empty
  // Special tokens that strip the white space before or after them when split out of a text
  // (tokenizer.json's lstrip / rstrip; llama.cpp sets some by model name).
  std::vector<int32_t> lstrip, rstrip;
};

// The ids a model's configuration names. kNoToken: none.
struct SpecialIds {
  int32_t bos = kNoToken, eos = kNoToken, unk = kNoToken, sep = kNoToken, pad = kNoToken,
          cls = kNoToken, mask = kNoToken;
};

// One step of a text's normalization before it is split (tokenizer.json's normalizer).
struct NormalizeStep {
  enum class Kind {
    nfc, nfd, nfkc, nfkd,  // Unicode normal forms (ICU)
    lowercase,             // full Unicode lower-casing
    strip_accents,         // drops combining marks (Mn), as after NFD
    replace,               // every match of `pattern` (a string, or a regex) -> `content`
    prepend,               // `content` before a non-empty text
    strip,                 // white space off the left and/or right end
    bert,                  // BertNormalizer: clean_text, handle_chinese_chars, strip_accents, lowercase
  };
  Kind kind = Kind::nfc;
  std::string pattern;
  bool pattern_is_regex = false;
  std::string content;
  bool left = true, right = true;  // strip
  // bert
  bool clean_text = true, handle_chinese_chars = true, lowercase = true;
  std::optional<bool> strip_accents;  // unset: as lowercase says (BERT's rule)
};

// One step of pre-tokenization: how a text is cut into words before the model sees them
// (tokenizer.json's pre_tokenizer; for GGUF, the regexes of tokenizer.ggml.pre).
struct SplitStep {
  enum class Kind {
    regex,             // `pattern` (PCRE2, Unicode properties), with `behavior`
    string,            // `pattern` as a literal string, with `behavior`
    byte_level,        // GPT-2's byte-level step: its regex when use_regex; bytes -> code points
    metaspace,         // ' ' -> `replacement`, prepended as `prepend_scheme` says; split before it
    digits,            // runs of digits isolated (each digit alone when individual_digits)
    whitespace,        // \w+|[^\w\s]+
    whitespace_split,  // on white space, removed
    bert,              // BertPreTokenizer: white space removed, each punctuation char isolated
    punctuation,       // each punctuation char, with `behavior`
  };
  enum class Behavior { isolated, removed, merged_with_previous, merged_with_next, contiguous };
  enum class Prepend { always, first, never };
  Kind kind = Kind::regex;
  std::string pattern;
  Behavior behavior = Behavior::isolated;
  bool invert = false;
  bool add_prefix_space = false;  // byte_level
  bool use_regex = true;          // byte_level
  std::string replacement = "\xE2\x96\x81";  // metaspace: "▁"
  Prepend prepend_scheme = Prepend::always;  // metaspace
  bool split = true;                         // metaspace
  bool individual_digits = false;            // digits
};

// How ids become text again.
enum class Decoding {
  byte_level,     // each code point of a token -> its byte (GPT-2's bytes_to_unicode)
  sentencepiece,  // "▁" -> ' ', <0xNN> -> that byte, the first leading space dropped
  wordpiece,      // "##" joins a piece to the one before; other pieces after a space
  raw,            // tokens are their bytes (tiktoken ranks)
};

struct Spec {
  // The algorithm, in GGUF's naming: "gpt2" (byte-level or plain BPE over merges), "llama"
  // (SentencePiece BPE over scores), "bert" (WordPiece), "t5" (Unigram), "tiktoken" (BPE
  // over ranks: a merge is the pair whose joined bytes have the lowest rank), "sentencepiece"
  // (a SentencePiece model file, through the SentencePiece library).
  std::string model;
  std::string pre;  // GGUF's tokenizer.ggml.pre (BPE): names the split regexes when `splits` is empty
  Vocab vocab;
  SpecialIds special;

  std::vector<NormalizeStep> normalizer;
  std::vector<SplitStep> splits;  // empty for GGUF: the regexes of `pre` (bpe_pre_splits)
  bool splits_given = false;      // `splits` is the whole rule, even when empty (tokenizer.json)
  // BPE
  std::vector<std::pair<std::string, std::string>> merges;  // by rank, in the vocabulary's spelling
  bool byte_encode = true;     // GPT-2 byte-level spelling; false: raw UTF-8 (Gemma 4, SPM-style BPE)
  bool ignore_merges = false;  // a word that is a token is that token (Llama 3)
  bool byte_fallback = false;  // unknown characters -> <0xNN> tokens
  std::string continuing_subword_prefix;  // BPE/WordPiece: "##" for BERT's vocab.txt
  std::string end_of_word_suffix;
  // SentencePiece / Unigram (llama.cpp's vocab options)
  bool add_space_prefix = false;          // a space before the text ("▁Hello")
  bool remove_extra_whitespaces = false;  // runs of spaces -> one
  bool escape_whitespaces = true;         // ' ' -> "▁"
  bool treat_whitespace_as_suffix = false;
  std::vector<char> precompiled_charsmap;  // Unigram's normalization table, as GGUF holds it
  // "sentencepiece": a tokenizer.model (SentencePiece's serialized ModelProto), run by the
  // SentencePiece library itself.
  std::string sentencepiece_model;
  // WordPiece (GGUF "bert": tokens spelled "▁word" / "ing"; vocab.txt: "word" / "##ing")
  bool lowercase = true;
  bool strip_accents = true;
  size_t max_input_chars_per_word = 100;  // longer words -> [UNK] (HF's rule)

  // What --add-special puts around the tokens (BOS/EOS, [CLS] ... [SEP]).
  std::vector<int32_t> prefix_ids, suffix_ids;
  Decoding decoding = Decoding::byte_level;
  bool clean_up_spaces = false;  // decode: " ." -> "." etc. (clean_up_tokenization_spaces)
};

}  // namespace embtool::tokenize
