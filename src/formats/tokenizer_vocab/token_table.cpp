#include "formats/tokenizer_vocab/token_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/error.hpp"

namespace embtool::formats::tokenizer_vocab {

namespace {

// Ids with no token that a vocabulary may have before it is taken for a hostile one: many
// more than any real tokenizer leaves (reserved ranges are listed as tokens), few enough that
// their "<unused N>" names cost tens of MB at most.
constexpr size_t max_unused_ids = size_t{1} << 20;

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string quoted_token(std::string_view key) {
  constexpr size_t longest = 60;
  std::string out = "\"";
  for (size_t i = 0; i < key.size() && i < longest; ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (key.size() > longest) out += "...";
  return out + "\"";
}

bool is_byte_token(std::string_view key) {
  return key.size() == 6 && key.substr(0, 3) == "<0x" && is_hex_digit(key[3]) && is_hex_digit(key[4]) &&
         key[5] == '>';
}

void TokenTable::from_file(const std::filesystem::path& file) { files_.push_back(file.string()); }

void TokenTable::add(uint64_t id, std::string key, TokenKind kind, uint64_t line) {
  if (id > max_token_id) throw Error(ErrorKind::internal, "internal error: a token id past 2^31 reached the table");
  if (files_.empty()) throw Error(ErrorKind::internal, "internal error: tokens added before their file was named");
  entries_.push_back({static_cast<uint32_t>(id), static_cast<uint32_t>(files_.size() - 1), line, std::move(key), kind});
}

std::string TokenTable::where(const Entry& entry) const {
  const std::string& file = files_[entry.file];
  return entry.line == 0 ? file : fmt::format("{} line {}", file, entry.line);
}

void TokenTable::refuse_two_tokens(const Entry& first, const Entry& second) const {
  if (first.file == second.file) {
    const std::string lines = first.line == 0 ? "" : fmt::format(" (lines {} and {})", first.line, second.line);
    throw Error(ErrorKind::bad_data, fmt::format("{}: id {} names two tokens, {} and {}{}", files_[first.file],
                                                 first.id, quoted_token(first.key), quoted_token(second.key), lines));
  }
  throw Error(ErrorKind::bad_data,
              fmt::format("{}: id {} is token {}, but {} names it {}", where(second), second.id,
                          quoted_token(second.key), where(first), quoted_token(first.key)));
}

TokenVocabulary TokenTable::finish(TokenSpelling spelling, std::string tokenizer, const std::filesystem::path& source) {
  if (entries_.empty()) throw Error(ErrorKind::bad_data, fmt::format("{}: names no tokens", source.string()));
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });

  size_t distinct = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i > 0 && entries_[i].id == entries_[i - 1].id) {
      if (entries_[i].key != entries_[i - 1].key) refuse_two_tokens(entries_[i - 1], entries_[i]);
      continue;
    }
    ++distinct;
  }
  const size_t rows = size_t{entries_.back().id} + 1;
  const size_t unused = rows - distinct;
  if (unused > std::max(max_unused_ids, distinct)) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: the ids reach {} but only {} tokens are named: {} ids would have no token "
                            "(at most {} are accepted)",
                            source.string(), entries_.back().id, distinct, unused, std::max(max_unused_ids, distinct)));
  }

  TokenVocabulary tokens;
  tokens.spelling = spelling;
  tokens.tokenizer = std::move(tokenizer);
  tokens.source = source.string();
  tokens.keys.reserve(rows);
  tokens.kinds.reserve(rows);
  for (Entry& entry : entries_) {
    while (tokens.keys.size() < entry.id) {
      tokens.keys.push_back(fmt::format("<unused {}>", tokens.keys.size()));
      tokens.kinds.push_back(TokenKind::unused);
    }
    if (tokens.keys.size() == size_t{entry.id} + 1) {  // the same token again: its mark may change
      if (entry.kind != TokenKind::normal) tokens.kinds.back() = entry.kind;
      continue;
    }
    tokens.keys.push_back(std::move(entry.key));
    tokens.kinds.push_back(entry.kind);
  }
  entries_.clear();
  return tokens;
}

void mark_tokens(TokenVocabulary& tokens, const std::unordered_map<std::string, TokenKind>& marks) {
  if (marks.empty()) return;
  for (size_t id = 0; id < tokens.keys.size(); ++id) {
    const auto mark = marks.find(tokens.keys[id]);
    if (mark != marks.end() && tokens.kinds[id] != TokenKind::unused) tokens.kinds[id] = mark->second;
  }
}

}  // namespace embtool::formats::tokenizer_vocab
