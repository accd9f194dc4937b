// Byte-pair encoding: GPT-2-style byte-level BPE over ranked merges (GGUF "gpt2", Hugging Face
// BPE models, vocab.json + merges.txt), the same over raw UTF-8 (Gemma 4, SentencePiece-style
// tokenizer.json BPE with byte fallback), and tiktoken's rank files (a merge's rank is the rank
// of the token it makes). The merge loop is llama.cpp's (llm_tokenizer_bpe_session): the pair
// of lowest rank first, the leftmost among equals; it works on token ids, so every merge's
// parts and result must be tokens (Hugging Face refuses a tokenizer whose merges are not).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <queue>
#include <unordered_map>

#include "base/error.hpp"
#include "tokenize/engines.hpp"
#include "tokenize/pre_tokenize.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::tokenize {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Merge {
  int32_t rank;
  int32_t id;  // the token the pair becomes
};

// A symbol of a word being merged: a token id over bytes [begin, end) of the word.
struct Symbol {
  int32_t id;
  uint32_t begin, end;
  int32_t prev, next;
};

struct Candidate {
  int32_t rank;
  int32_t left;  // symbol index
  int32_t left_id, right_id;
  bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
};

class BpeTokenizer final : public Tokenizer {
 public:
  explicit BpeTokenizer(Spec spec);
  std::string_view algorithm() const override { return byte_encode_ ? "byte-level BPE" : "BPE"; }

 protected:
  void encode_fragment(std::string_view text, uint32_t offset, bool after_special, std::vector<Piece>& out) const override;

 private:
  void index_vocabulary();
  void read_merges();
  void derive_tiktoken_merges();
  void encode_word(std::string_view word, size_t word_begin, const AlignedText& aligned, std::vector<Piece>& out) const;
  void initial_symbols(std::string_view word, std::vector<Symbol>& symbols) const;
  void emit_unknown(std::string_view bytes, uint32_t begin, uint32_t end, std::vector<Piece>& out) const;
  int32_t byte_token(char c) const {
    const auto b = static_cast<unsigned char>(c);
    return byte_encode_ ? byte_id_[b] : fallback_id_[b];
  }
  int32_t find_text(std::string_view text) const {
    const auto it = text_to_id_.find(text);
    return it == text_to_id_.end() ? kNoToken : it->second;
  }

  bool byte_encode_;
  bool ignore_merges_;
  bool newline_words_whole_;  // Gemma 4: a word of newlines that is a token is that token
  Normalizer normalizer_;
  Splitter splitter_;
  const SplitStep* metaspace_ = nullptr;
  bool byte_level_prefix_space_ = false;
  // The vocabulary's spelling -> id, viewing the spec's own strings (kept as long as this).
  std::unordered_map<std::string_view, int32_t> key_to_id_;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // The text (bytes) each token stands for -> id.
  std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>> text_to_id_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::array<int32_t, 256> byte_id_{};         // byte_encode: the token of each single byte
  std::array<int32_t, 256> fallback_id_{};     // byte fallback: <0xNN>
};

std::vector<SplitStep> splits_of(const Spec& spec) {
  if (spec.splits_given || !spec.splits.empty() || spec.model == "tiktoken") return spec.splits;
  std::vector<SplitStep> steps = bpe_pre_splits(spec.pre);
  if (steps.empty()) {
    throw Error(ErrorKind::bad_data,
                fmt::format("the tokenizer's pre-tokenizer '{}' (tokenizer.ggml.pre) is not one embtool knows; "
                            "llama.cpp's names are listed in src/tokenize/llama_cpp_pre_tokenizers.inc", spec.pre));
  }
  return steps;
}

BpeTokenizer::BpeTokenizer(Spec spec)
    : Tokenizer(std::move(spec)),
      byte_encode_(this->spec().byte_encode),
      ignore_merges_(this->spec().ignore_merges),
      newline_words_whole_(this->spec().pre == "gemma4"),
      normalizer_(this->spec().normalizer),
      splitter_(splits_of(this->spec())) {
  for (const SplitStep& step : this->spec().splits) {
    if (step.kind == SplitStep::Kind::metaspace) metaspace_ = &step;
    if (step.kind == SplitStep::Kind::byte_level && step.add_prefix_space) byte_level_prefix_space_ = true;
  }
  index_vocabulary();
  if (this->spec().model == "tiktoken") {
    derive_tiktoken_merges();
  } else {
    read_merges();
  }
}

void BpeTokenizer::index_vocabulary() {
  const Vocab& vocab = this->vocab();
  key_to_id_.reserve(vocab.tokens.size());
  text_to_id_.reserve(vocab.tokens.size());
  for (size_t i = 0; i < vocab.tokens.size(); ++i) {
    const auto id = static_cast<int32_t>(i);
    const std::string& key = vocab.tokens[i];
    key_to_id_.emplace(key, id);  // the first id of a key wins, as in a Python dict built in order
    std::string text = key;
    if (byte_encode_ && vocab.kinds[i] != TokenKind::user_defined && vocab.kinds[i] != TokenKind::control) {
      if (std::optional<std::string> bytes = byte_level_bytes(key)) text = std::move(*bytes);
    }
    auto [it, inserted] = text_to_id_.emplace(std::move(text), id);
    // A normal token over the same bytes as an added one is the one merges make.
    if (!inserted && vocab.kinds[it->second] != TokenKind::normal && vocab.kinds[i] == TokenKind::normal) it->second = id;
  }
  byte_id_.fill(kNoToken);
  fallback_id_.fill(kNoToken);
  for (int b = 0; b < 256; ++b) {
    const char byte = static_cast<char>(b);
    if (byte_encode_) {
      const auto it = key_to_id_.find(byte_level_spelling(std::string_view(&byte, 1)));
      if (it != key_to_id_.end()) byte_id_[b] = it->second;
    }
    const auto it = key_to_id_.find(byte_token_key(static_cast<unsigned char>(b)));
    if (it != key_to_id_.end()) fallback_id_[b] = it->second;
  }
}

void BpeTokenizer::read_merges() {
  const Spec& s = spec();
  const std::string& prefix = s.continuing_subword_prefix;
  merges_.reserve(s.merges.size());
  for (size_t rank = 0; rank < s.merges.size(); ++rank) {
    const std::string& left = s.merges[rank].first;
    const std::string& right = s.merges[rank].second;
    auto id_of = [&](const std::string& key, const char* side) {
      const auto it = key_to_id_.find(key);
      if (it == key_to_id_.end()) {
        throw Error(ErrorKind::bad_data, fmt::format("merge {} ('{} {}') of the tokenizer joins a {} token '{}' that is "
                                                     "not in its vocabulary", rank + 1, left, right, side, key));
      }
      return it->second;
    };
    const int32_t a = id_of(left, "first"), b = id_of(right, "second");
    const bool continued = !prefix.empty() && right.compare(0, prefix.size(), prefix) == 0;
    const std::string joined = left + (continued ? right.substr(prefix.size()) : right);
    const auto it = key_to_id_.find(joined);
    if (it == key_to_id_.end()) {
      throw Error(ErrorKind::bad_data, fmt::format("merge {} ('{} {}') of the tokenizer makes '{}', which is not in its "
                                                   "vocabulary", rank + 1, left, right, joined));
    }
    // The first rank of a pair wins (a later duplicate never applies).
    merges_.emplace(pair_key(a, b), Merge{static_cast<int32_t>(rank), it->second});
  }
}

// tiktoken merges the adjacent pair whose joined bytes have the lowest rank, the rank being the
// token's id: every split of a token into two tokens is a merge of that rank.
void BpeTokenizer::derive_tiktoken_merges() {
  const Vocab& vocab = this->vocab();
  for (size_t i = 0; i < vocab.tokens.size(); ++i) {
    if (vocab.kinds[i] != TokenKind::normal) continue;
    const std::optional<std::string> bytes = byte_level_bytes(vocab.tokens[i]);
    if (!bytes || bytes->size() < 2) continue;
    for (size_t k = 1; k < bytes->size(); ++k) {
      const int32_t a = find_text(std::string_view(*bytes).substr(0, k));
      const int32_t b = find_text(std::string_view(*bytes).substr(k));
      if (a != kNoToken && b != kNoToken) {
        merges_.emplace(pair_key(a, b), Merge{static_cast<int32_t>(i), static_cast<int32_t>(i)});
      }
    }
  }
}

void BpeTokenizer::encode_fragment(std::string_view text, uint32_t offset, bool /*after_special*/,
                                   std::vector<Piece>& out) const {
  AlignedText aligned(text, offset);
  normalizer_.apply(aligned);
  if (metaspace_ != nullptr) {
    const std::string& r = metaspace_->replacement;
    aligned.transform([&](uint32_t cp, std::string& o) {
      if (cp == ' ') o += r; else append_utf8(o, cp);
    });
    const bool prepend = metaspace_->prepend_scheme == SplitStep::Prepend::always ||
                         (metaspace_->prepend_scheme == SplitStep::Prepend::first && offset == 0);
    if (prepend && aligned.text().compare(0, r.size(), r) != 0) aligned.prepend(r);
  }
  if (spec().escape_whitespaces && !byte_encode_) {
    // llama.cpp's SentencePiece-style BPE (Gemma 4): spaces are "▁" in its tokens.
    aligned.transform([](uint32_t cp, std::string& o) {
      if (cp == ' ') o += kMetaspace; else append_utf8(o, cp);
    });
  }
  if (byte_level_prefix_space_ && !aligned.text().empty() && aligned.text()[0] != ' ') aligned.prepend(" ");
  const std::string& normalized = aligned.text();
  splitter_.split(normalized, [&](size_t b, size_t e) {
    encode_word(std::string_view(normalized).substr(b, e - b), b, aligned, out);
  });
}

void BpeTokenizer::initial_symbols(std::string_view word, std::vector<Symbol>& symbols) const {
  symbols.clear();
  const std::string& prefix = spec().continuing_subword_prefix;
  const std::string& suffix = spec().end_of_word_suffix;
  if (byte_encode_) {
    for (size_t i = 0; i < word.size(); ++i) {
      symbols.push_back({byte_id_[static_cast<unsigned char>(word[i])], static_cast<uint32_t>(i),
                         static_cast<uint32_t>(i + 1), static_cast<int32_t>(i) - 1, static_cast<int32_t>(i) + 1});
    }
  } else {
    std::string key;
    for (size_t i = 0; i < word.size();) {
      const size_t len = std::min(utf8_length(static_cast<unsigned char>(word[i])), word.size() - i);
      key.clear();
      if (i > 0) key += prefix;
      key += word.substr(i, len);
      if (i + len == word.size()) key += suffix;
      const auto it = key_to_id_.find(key);
      const int32_t index = static_cast<int32_t>(symbols.size());
      symbols.push_back({it == key_to_id_.end() ? kNoToken : it->second, static_cast<uint32_t>(i),
                         static_cast<uint32_t>(i + len), index - 1, index + 1});
      i += len;
    }
  }
  if (!symbols.empty()) symbols.back().next = -1;
}

void BpeTokenizer::emit_unknown(std::string_view bytes, uint32_t begin, uint32_t end, std::vector<Piece>& out) const {
  if (spec().byte_fallback) {
    // Each byte as its token (<0xNN>, or the byte-level character): llama.cpp drops a byte
    // that has none; Hugging Face's byte fallback gives the unknown token then.
    const bool all_bytes = std::all_of(bytes.begin(), bytes.end(), [&](char c) { return byte_token(c) != kNoToken; });
    if (all_bytes || spec().special.unk == kNoToken) {
      for (char c : bytes) {
        if (const int32_t id = byte_token(c); id != kNoToken) out.push_back({id, begin, end});
      }
      return;
    }
  }
  if (spec().special.unk != kNoToken) out.push_back({spec().special.unk, begin, end});
}

void BpeTokenizer::encode_word(std::string_view word, size_t word_begin, const AlignedText& aligned,
                               std::vector<Piece>& out) const {
  auto span_of = [&](uint32_t b, uint32_t e) {
    return std::pair{aligned.input_begin(word_begin + b), aligned.input_end(word_begin + e)};
  };
  if (ignore_merges_ || (newline_words_whole_ && word.find_first_not_of('\n') == std::string_view::npos)) {
    if (const int32_t id = find_text(word); id != kNoToken) {
      const auto [b, e] = span_of(0, static_cast<uint32_t>(word.size()));
      out.push_back({id, b, e});
      return;
    }
  }
  thread_local std::vector<Symbol> symbols;
  initial_symbols(word, symbols);
  thread_local std::vector<Candidate> heap;
  heap.clear();
  auto consider = [&](int32_t left) {
    if (left < 0) return;
    const int32_t right = symbols[left].next;
    if (right < 0 || symbols[left].id == kNoToken || symbols[right].id == kNoToken) return;
    const auto it = merges_.find(pair_key(symbols[left].id, symbols[right].id));
    if (it == merges_.end()) return;
    heap.push_back({it->second.rank, left, symbols[left].id, symbols[right].id});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) consider(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& left = symbols[c.left];
    if (left.end == left.begin || left.id != c.left_id || left.next < 0) continue;  // merged away or changed
    Symbol& right = symbols[left.next];
    if (right.id != c.right_id) continue;
    left.id = merges_.find(pair_key(c.left_id, c.right_id))->second.id;
    left.end = right.end;
    right.end = right.begin;  // dead
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    consider(left.prev);
    consider(c.left);
  }
  for (int32_t i = 0; i >= 0 && i < static_cast<int32_t>(symbols.size()); i = symbols[i].next) {
    const Symbol& s = symbols[i];
    const auto [b, e] = span_of(s.begin, s.end);
    if (s.id != kNoToken) {
      out.push_back({s.id, b, e});
    } else {
      emit_unknown(word.substr(s.begin, s.end - s.begin), b, e, out);
    }
  }
}

}  // namespace

std::unique_ptr<const Tokenizer> make_bpe(Spec spec) { return std::make_unique<BpeTokenizer>(std::move(spec)); }

}  // namespace embtool::tokenize
