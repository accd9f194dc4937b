// Vocabularies in text: tiktoken rank files, one token a line, and the reader that tells the
// kinds of token file apart by their content.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "formats/tokenizer_vocab/collected.hpp"
#include "tokenize/spelling.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"
#include "model/tokens.hpp"

namespace embtool::formats::tokenizer_vocab {

namespace {

// Splits text into lines, numbered from 1, with a final line that has no newline.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (at_ >= text_.size()) return false;
    const size_t end = std::min(text_.find('\n', at_), text_.size());
    line = text_.substr(at_, end - at_);
    at_ = end + 1;
    ++number_;
    return true;
  }
  uint64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t at_ = 0;
  uint64_t number_ = 0;
};

size_t count_lines(std::string_view text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

std::string_view without_cr(std::string_view line) {
  return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}


std::optional<uint64_t> whole_number(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_rank_line(std::string_view line) {
  const size_t space = line.find(' ');
  return space != std::string_view::npos && space > 0 &&
         std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(space),
                     [](char c) { return base64_value(c) >= 0 || c == '='; }) &&
         whole_number(line.substr(space + 1)).has_value();
}

[[noreturn]] void refuse_line(const std::filesystem::path& file, uint64_t line, const std::string& problem) {
  throw Error(ErrorKind::bad_data, fmt::format("{} line {}: {}", file.string(), line, problem));
}

bool starts_like_json(std::string_view bytes) {
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

}  // namespace

bool looks_like_tiktoken_ranks(std::string_view bytes) {
  constexpr int lines_looked_at = 8;
  Lines lines(bytes);
  std::string_view line;
  int seen = 0;
  while (seen < lines_looked_at && lines.next(line)) {
    line = without_cr(line);
    if (line.empty()) continue;
    if (!is_rank_line(line)) return false;
    ++seen;
  }
  return seen > 0;
}

Collected collect_tiktoken_ranks(const std::filesystem::path& file, std::string_view bytes) {
  Collected collected;
  collected.table.from_file(file);
  collected.table.reserve(count_lines(bytes));
  Lines lines(bytes);
  std::string_view line;
  while (lines.next(line)) {
    line = without_cr(line);
    if (line.empty()) continue;  // as tiktoken's own loader skips them
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) refuse_line(file, lines.number(), "is not \"base64-token rank\"");
    const std::optional<std::string> token = tokenize::base64_decode(line.substr(0, space));
    if (!token) refuse_line(file, lines.number(), "the token is not base64");
    const std::optional<uint64_t> rank = whole_number(line.substr(space + 1));
    if (!rank) refuse_line(file, lines.number(), "the rank is not a whole number");
    if (*rank > max_token_id) {
      refuse_line(file, lines.number(), fmt::format("the rank {} is beyond the largest accepted ({})", *rank, max_token_id));
    }
    collected.table.add(*rank, byte_level_spelling(*token), TokenKind::normal, lines.number());
  }
  collected.spelling = TokenSpelling::byte_level;
  collected.tokenizer = "tiktoken";
  return collected;
}

Collected collect_token_lines(const std::filesystem::path& file, std::string_view bytes) {
  Collected collected;
  collected.table.from_file(file);
  if (!bytes.empty() && bytes.back() == '\n') bytes.remove_suffix(1);  // the last line's end, not a line
  const size_t first_end = bytes.find('\n');
  const bool crlf = first_end != std::string_view::npos ? first_end > 0 && bytes[first_end - 1] == '\r'
                                                        : !bytes.empty() && bytes.back() == '\r';
  if (crlf && !bytes.empty() && bytes.back() == '\r') bytes.remove_suffix(1);
  const size_t line_count = count_lines(bytes);
  if (line_count - 1 > max_token_id) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: has more lines than the {} tokens accepted", file.string(), max_token_id + 1));
  }
  collected.table.reserve(line_count);
  Lines lines(bytes);
  std::string_view line;
  while (lines.next(line)) {
    if (crlf) line = without_cr(line);
    if (line.empty()) refuse_line(file, lines.number(), "is empty, and every line names the token of its row");
    collected.table.add(lines.number() - 1, std::string(line), TokenKind::normal, lines.number());
  }
  if (collected.table.empty()) throw Error(ErrorKind::bad_data, fmt::format("{}: names no tokens", file.string()));
  return collected;
}

}  // namespace embtool::formats::tokenizer_vocab

namespace embtool::formats {

TokenVocabulary read_tiktoken_ranks(const std::filesystem::path& file) {
  const std::string bytes = tokenizer_vocab::read_whole_file(file);
  return tokenizer_vocab::lay_out(tokenizer_vocab::collect_tiktoken_ranks(file, bytes), file);
}

TokenVocabulary read_token_lines(const std::filesystem::path& file) {
  const std::string bytes = tokenizer_vocab::read_whole_file(file);
  return tokenizer_vocab::lay_out(tokenizer_vocab::collect_token_lines(file, bytes), file);
}

TokenVocabulary read_token_file(const std::filesystem::path& file) {
  using namespace tokenizer_vocab;
  const std::string bytes = read_whole_file(file);
  std::optional<JsonFile> json;
  if (file.extension() == ".json") {
    json.emplace(file, bytes);
  } else if (starts_like_json(bytes)) {
    // A list of tokens may begin with the token "{": it is JSON only if it parses as JSON.
    try {
      json.emplace(file, bytes);
    } catch (const Error&) {
      return lay_out(collect_token_lines(file, bytes), file);
    }
  }
  if (json) {
    // "model" is also a token of GPT-2's vocab.json: only tokenizer.json's is an object.
    if (json->root()["model"].is_object()) {
      return lay_out(collect_tokenizer_json(*json), file);
    }
    return lay_out(collect_vocab_json(*json), file);
  }
  if (looks_like_tiktoken_ranks(bytes)) return lay_out(collect_tiktoken_ranks(file, bytes), file);
  return lay_out(collect_token_lines(file, bytes), file);
}

}  // namespace embtool::formats
