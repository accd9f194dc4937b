// SentencePiece BPE as llama.cpp runs it for GGUF tokenizer.ggml.model = "llama"
// (src/llama-vocab.cpp: llm_tokenizer_spm_session, and the LLAMA_VOCAB_TYPE_SPM branch of
// llama_vocab::impl::tokenize; MIT). The text's characters are merged pairwise, the pair whose
// joined text is the token of highest score first (the leftmost among equal scores); what is
// left that is no token falls back to its bytes' <0xNN> tokens.
//
// Spans: every character of the escaped text ("▁" for ' ') comes from one input character,
// and a piece spans its characters' input bytes. The space llama.cpp adds before a fragment
// that starts the text or follows a special token comes from no input byte: it has the empty
// span at the fragment's start, so a piece that merged it ("▁Hello") spans "Hello" and a "▁"
// left alone is an empty span there.
#include <fmt/format.h>

#include <array>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "tokenize/engines.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::tokenize {
namespace {

// One character, or a run of merged characters, of the escaped text.
struct Symbol {
  int prev = -1, next = -1;
  uint32_t begin = 0, size = 0;  // in the escaped text; size 0: merged into the one before
};

// A candidate merge of two neighbouring symbols (llama.cpp's llm_bigram_spm).
struct Bigram {
  int left = 0, right = 0;
  float score = 0;
  uint32_t size = 0;  // the joined size when queued: a symbol that changed since makes it stale
};

// llama.cpp's comparator: the highest score on top; among equal scores, the leftmost.
struct BigramOrder {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

class SentencePieceTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(Spec spec) : Tokenizer(std::move(spec)) {
    const Vocab& v = vocab();
    token_of_text_.reserve(v.tokens.size());
    // As llama.cpp's token_to_id: every token, the last of equal texts winning.
    for (size_t id = 0; id < v.tokens.size(); ++id) token_of_text_[v.tokens[id]] = static_cast<int32_t>(id);
    for (int byte = 0; byte < 256; ++byte) byte_token_[byte] = find_byte_token(static_cast<unsigned char>(byte));
  }

  std::string_view algorithm() const override { return "SentencePiece"; }

 protected:
  void encode_fragment(std::string_view text, uint32_t offset, bool after_special,
                       std::vector<Piece>& out) const override {
    // The escaped text and, for each of its bytes, the input span of its character.
    std::string escaped;
    std::vector<uint32_t> span_begin, span_end;
    escaped.reserve(text.size() + 8);
    auto add = [&](std::string_view bytes, uint32_t begin, uint32_t end) {
      escaped += bytes;
      span_begin.insert(span_begin.end(), bytes.size(), begin);
      span_end.insert(span_end.end(), bytes.size(), end);
    };
    if (spec().add_space_prefix && after_special) add(kMetaspace, offset, offset);
    for (size_t i = 0; i < text.size();) {
      const size_t start = i;
      i += std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
      const auto begin = static_cast<uint32_t>(offset + start), end = static_cast<uint32_t>(offset + i);
      // llama_escape_whitespace: only ' ' itself becomes "▁".
      if (i - start == 1 && text[start] == ' ') add(kMetaspace, begin, end);
      else add(text.substr(start, i - start), begin, end);
    }
    if (escaped.empty()) return;

    std::vector<Symbol> symbols;
    for (uint32_t i = 0; i < escaped.size();) {
      const auto n = static_cast<uint32_t>(
          std::min<size_t>(utf8_length(static_cast<unsigned char>(escaped[i])), escaped.size() - i));
      Symbol s;
      s.begin = i, s.size = n;
      s.prev = static_cast<int>(symbols.size()) - 1;
      i += n;
      s.next = i == escaped.size() ? -1 : static_cast<int>(symbols.size()) + 1;
      symbols.push_back(s);
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    auto try_add = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      const uint32_t size = symbols[left].size + symbols[right].size;
      const int32_t id = token_of(std::string_view(escaped).substr(symbols[left].begin, size));
      if (id == kNoToken) return;
      const float score = vocab().scores.empty() ? 0.0f : vocab().scores[id];
      queue.push({left, right, score, size});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& left = symbols[b.left];
      Symbol& right = symbols[b.right];
      if (left.size == 0 || right.size == 0 || left.size + right.size != b.size) continue;
      left.size += right.size;
      right.size = 0;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next].prev = b.left;
      try_add(left.prev, b.left);
      try_add(b.left, left.next);
    }

    // llama.cpp's resegment: a symbol that is a token is that token, else its bytes. Its
    // rev_merge path never runs: only pairs whose text is a token are merged, so every
    // merged symbol is a token and only single characters fall back to bytes.
    for (int i = 0; i != -1; i = symbols[i].next) {
      const Symbol& s = symbols[i];
      const std::string_view piece = std::string_view(escaped).substr(s.begin, s.size);
      const uint32_t begin = span_begin[s.begin], end = span_end[s.begin + s.size - 1];
      if (const int32_t id = token_of(piece); id != kNoToken) {
        out.push_back({id, begin, end});
        continue;
      }
      for (unsigned char byte : piece) out.push_back({byte_token(byte), begin, end});
    }
  }

 private:
  int32_t token_of(std::string_view text) const {
    const auto it = token_of_text_.find(std::string(text));
    return it == token_of_text_.end() ? kNoToken : it->second;
  }

  // llama.cpp's byte_to_token: "<0xNN>", else the byte itself as a token.
  int32_t find_byte_token(unsigned char byte) const {
    if (const int32_t id = token_of(byte_token_key(byte)); id != kNoToken) return id;
    return token_of(std::string(1, static_cast<char>(byte)));
  }

  int32_t byte_token(unsigned char byte) const {
    if (byte_token_[byte] == kNoToken) {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("the text has a character the tokenizer cannot spell: it has no token "
                              "<0x{:02X}> for its byte 0x{:02X}", byte, byte));
    }
    return byte_token_[byte];
  }

  std::unordered_map<std::string, int32_t> token_of_text_;
  std::array<int32_t, 256> byte_token_{};
};

}  // namespace

std::unique_ptr<const Tokenizer> make_sentencepiece(Spec spec) {
  return std::make_unique<SentencePieceTokenizer>(std::move(spec));
}

}  // namespace embtool::tokenize
