#include "formats/tokenizer_vocab/json_input.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

#include "base/error.hpp"
#include "formats/tokenizer_vocab/token_table.hpp"

namespace embtool::formats::tokenizer_vocab {

namespace {

// A stray byte b travels as U+10FF00 + b (plane 16, private use): UTF-8 F4 8F BC..BF xx.
constexpr unsigned char mark_lead[2] = {0xF4, 0x8F};

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence at `at`, or 0 when the byte there starts none.
size_t utf8_sequence_length(std::string_view bytes, size_t at) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
  const size_t left = bytes.size() - at;
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (left < length || b(1) < low || b(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!is_continuation(b(i))) return 0;
  }
  return length;
}

bool holds_marks(std::string_view bytes) {
  for (size_t i = 0; i + 2 < bytes.size(); ++i) {
    if (static_cast<unsigned char>(bytes[i]) == mark_lead[0] && static_cast<unsigned char>(bytes[i + 1]) == mark_lead[1] &&
        static_cast<unsigned char>(bytes[i + 2]) >= 0xBC) {
      return true;
    }
  }
  return false;
}

std::string with_stray_bytes_marked(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (size_t at = 0; at < bytes.size();) {
    const size_t length = utf8_sequence_length(bytes, at);
    if (length > 0) {
      out.append(bytes.substr(at, length));
      at += length;
      continue;
    }
    const auto stray = static_cast<unsigned char>(bytes[at++]);
    out += static_cast<char>(mark_lead[0]);
    out += static_cast<char>(mark_lead[1]);
    out += static_cast<char>(0xBC | (stray >> 6));
    out += static_cast<char>(0x80 | (stray & 0x3F));
  }
  return out;
}

// simdjson 3.0 refuses a whole document for one integer past 64 bits, and Hugging Face configs hold
// one ("model_max_length": 1000000000000000019884624838656): such integers, outside strings,
// get a ".0" so that they parse as the floating-point numbers they stand for.
std::string with_big_integers_as_fractions(std::string_view bytes) {
  constexpr size_t longest_64_bit_integer = 19;
  std::string out;
  out.reserve(bytes.size() + 64);
  bool in_string = false;
  for (size_t at = 0; at < bytes.size();) {
    const char c = bytes[at];
    if (in_string) {
      out += c;
      if (c == '\\' && at + 1 < bytes.size()) out += bytes[++at];
      else if (c == '"') in_string = false;
      ++at;
      continue;
    }
    if (c == '"') in_string = true;
    if (c < '0' || c > '9') {
      out += c;
      ++at;
      continue;
    }
    const size_t end = std::min(bytes.find_first_not_of("0123456789", at), bytes.size());
    out.append(bytes.substr(at, end - at));
    const bool fraction_follows = end < bytes.size() && (bytes[end] == '.' || bytes[end] == 'e' || bytes[end] == 'E');
    if (end - at > longest_64_bit_integer && !fraction_follows) out += ".0";
    at = end;
  }
  return out;
}

}  // namespace

std::string read_whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot be opened: {}", file.string(), std::strerror(errno)));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorKind::io, fmt::format("{}: cannot be read: {}", file.string(), std::strerror(errno)));
  return bytes;
}

JsonFile::JsonFile(const std::filesystem::path& file) : JsonFile(file, read_whole_file(file)) {}

JsonFile::JsonFile(const std::filesystem::path& file, std::string bytes) : path_(file) { parse(std::move(bytes)); }

void JsonFile::refuse(const std::string& problem) const {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", path_.string(), problem));
}

void JsonFile::parse(std::string bytes) {
  if (!simdjson::validate_utf8(bytes.data(), bytes.size())) {
    // A file that already holds the marks' code points cannot carry stray bytes this way.
    if (holds_marks(bytes)) refuse("holds bytes that are not UTF-8 beside characters U+10FF00..U+10FFFF");
    bytes = with_stray_bytes_marked(bytes);
    marked_bytes_ = true;
  }
  simdjson::error_code error = parser_.parse(simdjson::padded_string(bytes)).get(root_);
  if (error == simdjson::NUMBER_ERROR) {
    error = parser_.parse(simdjson::padded_string(with_big_integers_as_fractions(bytes))).get(root_);
  }
  if (error) refuse(fmt::format("is not JSON ({})", simdjson::error_message(error)));
}

std::string JsonFile::text(std::string_view parsed) const {
  if (!marked_bytes_ || parsed.find(static_cast<char>(mark_lead[0])) == std::string_view::npos) {
    return std::string(parsed);
  }
  std::string out;
  out.reserve(parsed.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    const auto c = static_cast<unsigned char>(parsed[i]);
    if (c == mark_lead[0] && i + 3 < parsed.size() && static_cast<unsigned char>(parsed[i + 1]) == mark_lead[1] &&
        static_cast<unsigned char>(parsed[i + 2]) >= 0xBC) {
      const auto high = static_cast<unsigned char>(parsed[i + 2]);
      const auto low = static_cast<unsigned char>(parsed[i + 3]);
      out += static_cast<char>(((high & 0x03) << 6) | (low & 0x3F));
      i += 3;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

uint64_t JsonFile::token_id(simdjson::dom::element value, std::string_view token) const {
  switch (value.type()) {
    case simdjson::dom::element_type::INT64: {
      const int64_t id = int64_t(value);
      if (id < 0) refuse(fmt::format("token {} has the negative id {}", quoted_token(text(token)), id));
      if (static_cast<uint64_t>(id) > max_token_id) {
        refuse(fmt::format("token {} has the id {}, beyond the largest accepted ({})", quoted_token(text(token)), id,
                           max_token_id));
      }
      return static_cast<uint64_t>(id);
    }
    case simdjson::dom::element_type::UINT64:
      refuse(fmt::format("token {} has the id {}, beyond the largest accepted ({})", quoted_token(text(token)),
                         uint64_t(value), max_token_id));
    case simdjson::dom::element_type::DOUBLE: {
      const double id = double(value);
      if (id > static_cast<double>(max_token_id)) {
        refuse(fmt::format("token {} has the id {}, beyond the largest accepted ({})", quoted_token(text(token)), id,
                           max_token_id));
      }
      refuse(fmt::format("token {} has the id {}, which is not a whole number", quoted_token(text(token)), id));
    }
    default:
      refuse(fmt::format("token {} has an id that is not a number", quoted_token(text(token))));
  }
}

}  // namespace embtool::formats::tokenizer_vocab
