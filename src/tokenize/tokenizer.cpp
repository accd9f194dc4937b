#include "tokenize/tokenizer.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>

#include "base/error.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::tokenize {
namespace {

bool is_split_out(TokenKind kind, bool parse_special) {
  // User-defined tokens are split out of every text (Hugging Face and llama.cpp alike);
  // control and unknown tokens only when the text may name them.
  if (kind == TokenKind::user_defined) return true;
  return parse_special && (kind == TokenKind::control || kind == TokenKind::unknown);
}

bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// A stretch of the input: plain text to encode, or one special token found in it.
struct Fragment {
  uint32_t begin = 0, end = 0;
  int32_t token = kNoToken;  // kNoToken: text
};

}  // namespace

Tokenizer::Tokenizer(Spec spec) : spec_(std::move(spec)) {
  const Vocab& vocab = spec_.vocab;
  std::vector<int32_t> by_length;
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    const TokenKind kind = id < vocab.kinds.size() ? vocab.kinds[id] : TokenKind::normal;
    if (is_split_out(kind, true) && !vocab.tokens[id].empty()) by_length.push_back(static_cast<int32_t>(id));
  }
  std::stable_sort(by_length.begin(), by_length.end(), [&](int32_t a, int32_t b) {
    return vocab.tokens[a].size() > vocab.tokens[b].size();
  });
  for (int32_t id : by_length) {
    const auto first = static_cast<unsigned char>(vocab.tokens[id][0]);
    special_by_first_byte_[1][first].push_back(id);
    if (is_split_out(vocab.kinds[id], false)) special_by_first_byte_[0][first].push_back(id);
  }
}

std::vector<Piece> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  if (text.size() >= std::numeric_limits<uint32_t>::max()) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("a text of {} bytes is too long to tokenize (the limit is 4 GiB)", text.size()));
  }
  if (const std::optional<size_t> bad = first_invalid_utf8(text)) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the text is not valid UTF-8: byte {} (0x{:02X}) does not start or continue a "
                            "character", *bad, static_cast<unsigned char>(text[*bad])));
  }
  const Vocab& vocab = spec_.vocab;
  const auto& candidates = special_by_first_byte_[options.parse_special ? 1 : 0];
  auto has = [](const std::vector<int32_t>& ids, int32_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };

  // Special tokens first, leftmost and longest (Hugging Face's added-token matcher), so that
  // no rule of the model splits them.
  std::vector<Fragment> fragments;
  uint32_t text_begin = 0;
  const auto n = static_cast<uint32_t>(text.size());
  for (uint32_t i = 0; i < n;) {
    int32_t found = kNoToken;
    for (int32_t id : candidates[static_cast<unsigned char>(text[i])]) {
      const std::string& t = vocab.tokens[id];
      if (text.compare(i, t.size(), t) == 0) {
        found = id;
        break;
      }
    }
    if (found == kNoToken) {
      ++i;
      continue;
    }
    uint32_t left_end = i;
    if (has(vocab.lstrip, found)) {
      while (left_end > text_begin && is_c_space(text[left_end - 1])) --left_end;
    }
    if (left_end > text_begin) fragments.push_back({text_begin, left_end, kNoToken});
    const auto token_end = static_cast<uint32_t>(i + vocab.tokens[found].size());
    fragments.push_back({i, token_end, found});
    i = token_end;
    if (has(vocab.rstrip, found)) {
      while (i < n && is_c_space(text[i])) ++i;
    }
    text_begin = i;
  }
  if (text_begin < n) fragments.push_back({text_begin, n, kNoToken});

  std::vector<Piece> out;
  out.reserve(text.size() / 3 + 8);
  if (options.add_special) {
    for (int32_t id : spec_.prefix_ids) out.push_back({id, 0, 0});
  }
  bool after_special = true;
  for (const Fragment& f : fragments) {
    if (f.token != kNoToken) {
      out.push_back({f.token, f.begin, f.end});
      after_special = true;
    } else {
      encode_fragment(text.substr(f.begin, f.end - f.begin), f.begin, after_special, out);
      after_special = false;
    }
  }
  if (options.add_special) {
    for (int32_t id : spec_.suffix_ids) out.push_back({id, n, n});
  }
  return out;
}

std::string Tokenizer::token_text(int32_t id) const {
  const Vocab& vocab = spec_.vocab;
  if (id < 0 || static_cast<size_t>(id) >= vocab.tokens.size()) {
    throw Error(ErrorKind::not_found, fmt::format("token id {} is not in the tokenizer's {} tokens", id, vocab.tokens.size()));
  }
  const std::string& key = vocab.tokens[id];
  const TokenKind kind = static_cast<size_t>(id) < vocab.kinds.size() ? vocab.kinds[id] : TokenKind::normal;
  if (kind == TokenKind::control || kind == TokenKind::unknown || kind == TokenKind::unused ||
      kind == TokenKind::user_defined) {
    return key;  // added tokens are spelled as the text they stand for
  }
  switch (spec_.decoding) {
    case Decoding::byte_level: {
      std::optional<std::string> bytes = byte_level_bytes(key);
      return bytes ? *bytes : key;
    }
    case Decoding::sentencepiece: return sentencepiece_text(key);
    case Decoding::wordpiece:
      if (!spec_.continuing_subword_prefix.empty()) {
        const std::string& prefix = spec_.continuing_subword_prefix;
        return key.compare(0, prefix.size(), prefix) == 0 ? key.substr(prefix.size()) : " " + key;
      }
      return sentencepiece_text(key);
    case Decoding::raw: return key;
  }
  return key;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& options) const {
  const Vocab& vocab = spec_.vocab;
  std::string text;
  bool first = true;
  for (int32_t id : ids) {
    std::string piece = token_text(id);
    const TokenKind kind = static_cast<size_t>(id) < vocab.kinds.size() ? vocab.kinds[id] : TokenKind::normal;
    if (!options.special && kind == TokenKind::control) continue;
    // SentencePiece and WordPiece put a space before each word; the text's first has none.
    const bool drops_space = spec_.decoding == Decoding::wordpiece ||
                             (spec_.decoding == Decoding::sentencepiece && spec_.add_space_prefix);
    if (first && drops_space && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    text += piece;
    first = false;
  }
  return text;
}

}  // namespace embtool::tokenize
