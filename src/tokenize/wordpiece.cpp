// WordPiece, in two spellings of the same algorithm:
// - GGUF "bert" as llama.cpp runs it (src/llama-vocab.cpp: llm_tokenizer_wpm_session; MIT):
//   every word is matched as "▁" + word, greedily longest first, over tokens spelled "▁word"
//   and "ing"; a word with a part no token matches is [UNK].
// - Hugging Face's WordPiece (BERT's vocab.txt, tokenizer.json), continuing_subword_prefix
//   "##": a word's first piece has no prefix, the others start with "##"; a word of more than
//   max_input_chars_per_word characters is [UNK].
// Both split words as BERT does (BertNormalizer + BertPreTokenizer, which llama.cpp's
// preprocess copies): white space separates words, control characters, NUL and U+FFFD are
// dropped, accents stripped after decomposition, lower-cased, and each punctuation
// character, ASCII symbol and CJK ideograph is a word of its own.
//
// Spans: a piece spans the input characters its normalized characters came from; [UNK]
// spans its word; the "▁" llama.cpp prefixes comes from no input byte.
#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "tokenize/engines.hpp"
#include "tokenize/spelling.hpp"
#include "tokenize/unicode.hpp"

namespace embtool::tokenize {
namespace {

// llama.cpp's is_chinese_char (itself a copy of Hugging Face's _is_chinese_char, with HF's
// 0x2B920 where the CJK Extension D/E block really starts at 0x2B820): the code points BERT
// treats as one word each. Kept as their explicit list, as both implementations define it.
bool is_chinese_char(uint32_t cpt) {
  return (cpt >= 0x04E00 && cpt <= 0x09FFF) || (cpt >= 0x03400 && cpt <= 0x04DBF) ||
         (cpt >= 0x20000 && cpt <= 0x2A6DF) || (cpt >= 0x2A700 && cpt <= 0x2B73F) ||
         (cpt >= 0x2B740 && cpt <= 0x2B81F) || (cpt >= 0x2B920 && cpt <= 0x2CEAF) ||
         (cpt >= 0x0F900 && cpt <= 0x0FAFF) || (cpt >= 0x2F800 && cpt <= 0x2FA1F);
}

// A normalized word: its UTF-8 text and, per byte, the input span of the character it came from.
struct Word {
  std::string text;
  std::vector<uint32_t> begin, end;
  size_t characters = 0;
  void add(std::string_view bytes, uint32_t b, uint32_t e) {
    text += bytes;
    begin.insert(begin.end(), bytes.size(), b);
    end.insert(end.end(), bytes.size(), e);
    ++characters;
  }
  bool empty() const { return text.empty(); }
};

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class WordPieceTokenizer final : public Tokenizer {
 public:
  explicit WordPieceTokenizer(Spec spec) : Tokenizer(std::move(spec)) {
    const Vocab& v = vocab();
    hf_ = !this->spec().continuing_subword_prefix.empty();
    for (size_t id = 0; id < v.tokens.size(); ++id) {
      // As llama.cpp's token_to_id: the last of equal texts wins.
      token_of_text_[v.tokens[id]] = static_cast<int32_t>(id);
      max_token_size_ = std::max(max_token_size_, v.tokens[id].size());
    }
    unk_ = this->spec().special.unk;
  }

  std::string_view algorithm() const override { return "WordPiece"; }

 protected:
  void encode_fragment(std::string_view text, uint32_t offset, bool /*after_special*/,
                       std::vector<Piece>& out) const override {
    for (const Word& word : split_words(text, offset)) {
      if (hf_) encode_hf_word(word, out);
      else encode_llama_word(word, out);
    }
  }

 private:
  // llama.cpp's llm_tokenizer_wpm_session::preprocess, character by character. Its NFD keeps
  // only a character's first decomposed code point (é -> e); Hugging Face's keeps the whole
  // decomposition and then drops the nonspacing marks (Mn) of it.
  std::vector<Word> split_words(std::string_view text, uint32_t offset) const {
    std::vector<Word> words(1);
    const bool strip = spec().strip_accents, lower = spec().lowercase;
    std::string decomposed, piece;
    for (size_t i = 0; i < text.size();) {
      const auto begin = static_cast<uint32_t>(offset + i);
      const uint32_t original = next_code_point(text, i);
      const auto end = static_cast<uint32_t>(offset + i);
      decomposed.clear();
      if (!strip) append_utf8(decomposed, original);
      else if (hf_) unicode::append_nfd(decomposed, original);
      else append_utf8(decomposed, unicode::nfd_first(original));
      for (size_t j = 0; j < decomposed.size();) {
        const uint32_t cpt = next_code_point(decomposed, j);
        const unicode::Flags f = unicode::flags(cpt);
        if (f.is_whitespace) {
          if (!words.back().empty()) words.emplace_back();
          continue;
        }
        if (cpt == 0 || cpt == 0xFFFD || f.is_control) continue;
        if (strip && (hf_ ? f.is_nonspacing_mark : f.is_accent_mark)) continue;
        piece.clear();
        append_utf8(piece, lower ? unicode::tolower(cpt) : cpt);
        if (f.is_punctuation || (cpt < 0x7F && f.is_symbol) || is_chinese_char(cpt)) {
          if (!words.back().empty()) words.emplace_back();
          words.back().add(piece, begin, end);
          words.emplace_back();
        } else {
          words.back().add(piece, begin, end);
        }
      }
    }
    if (words.back().empty()) words.pop_back();
    return words;
  }

  int32_t token_of(std::string_view text) const {
    const auto it = token_of_text_.find(text);
    return it == token_of_text_.end() ? kNoToken : it->second;
  }

  int32_t unknown() const {
    if (unk_ == kNoToken) {
      throw Error(ErrorKind::invalid_argument,
                  "the text has a word the WordPiece vocabulary cannot spell, and it has no unknown token");
    }
    return unk_;
  }

  // llama.cpp: greedy longest match over "▁" + word, any token of the vocabulary.
  void encode_llama_word(const Word& word, std::vector<Piece>& out) const {
    const std::string text = std::string(kMetaspace) + word.text;
    const size_t prefix = kMetaspace.size();
    const size_t n = text.size(), first = out.size();
    auto input_begin = [&](size_t i) { return i < prefix ? word.begin[0] : word.begin[i - prefix]; };
    auto input_end = [&](size_t j) { return j <= prefix ? word.begin[0] : word.end[j - 1 - prefix]; };
    for (size_t i = 0; i < n;) {
      size_t matched = 0;
      for (size_t j = std::min(n, i + max_token_size_ + 1); j > i; --j) {
        if (const int32_t id = token_of(std::string_view(text).substr(i, j - i)); id != kNoToken) {
          out.push_back({id, input_begin(i), input_end(j)});
          matched = j;
          break;
        }
      }
      if (matched == 0) {
        out.resize(first);
        break;
      }
      i = matched;
    }
    if (out.size() == first) out.push_back({unknown(), word.begin.front(), word.end.back()});
  }

  // Hugging Face's WordPiece::tokenize: the first piece bare, then "##" pieces.
  void encode_hf_word(const Word& word, std::vector<Piece>& out) const {
    if (word.characters > spec().max_input_chars_per_word) {
      out.push_back({unknown(), word.begin.front(), word.end.back()});
      return;
    }
    const std::string& prefix = spec().continuing_subword_prefix;
    const size_t first = out.size(), n = word.text.size();
    std::string candidate;
    for (size_t start = 0; start < n;) {
      size_t matched = 0;
      for (size_t end = n; end > start; --end) {
        // Only whole characters: a piece never ends inside one.
        if (end < n && (static_cast<unsigned char>(word.text[end]) & 0xC0) == 0x80) continue;
        candidate.assign(start > 0 ? prefix : std::string());
        candidate.append(word.text, start, end - start);
        if (const int32_t id = token_of(candidate); id != kNoToken) {
          out.push_back({id, word.begin[start], word.end[end - 1]});
          matched = end;
          break;
        }
      }
      if (matched == 0) {
        out.resize(first);
        out.push_back({unknown(), word.begin.front(), word.end.back()});
        return;
      }
      start = matched;
    }
  }

  bool hf_ = false;
  std::unordered_map<std::string, int32_t, TransparentHash, std::equal_to<>> token_of_text_;
  size_t max_token_size_ = 0;
  int32_t unk_ = kNoToken;
};

}  // namespace

std::unique_ptr<const Tokenizer> make_wordpiece(Spec spec) {
  return std::make_unique<WordPieceTokenizer>(std::move(spec));
}

}  // namespace embtool::tokenize
