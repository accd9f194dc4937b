#include "front/http/request_target.hpp"

#include <fmt/format.h>

#include <optional>

#include "base/error.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::http {
namespace {

std::optional<int> hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

Parameter parse_parameter(std::string_view pair) {
  const size_t equals = pair.find('=');
  const std::string_view name = pair.substr(0, equals);
  const std::string_view value = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
  Parameter parameter{percent_decode(name, true, "a parameter's name"), percent_decode(value, true, "a parameter's value")};
  if (parameter.name.empty()) throw Error(ErrorKind::invalid_argument, "a parameter has no name");
  return parameter;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space, std::string_view what) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      decoded += ' ';
    } else if (c != '%') {
      decoded += c;
    } else {
      const auto high = i + 2 < text.size() ? hex_digit(text[i + 1]) : std::nullopt;
      const auto low = i + 2 < text.size() ? hex_digit(text[i + 2]) : std::nullopt;
      if (!high || !low) {
        throw Error(ErrorKind::invalid_argument,
                    fmt::format("{} holds a '%' that is not followed by two hexadecimal digits", what));
      }
      decoded += static_cast<char>(*high * 16 + *low);
      i += 2;
    }
  }
  if (const auto bad = tokenize::first_invalid_utf8(decoded)) {
    throw Error(ErrorKind::invalid_argument, fmt::format("{} is not UTF-8 (byte {} of it, once decoded)", what, *bad + 1));
  }
  return decoded;
}

RequestTarget parse_request_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    throw Error(ErrorKind::invalid_argument, "the request target is not a path starting with '/'");
  }
  const size_t question = target.find('?');
  RequestTarget parsed;
  parsed.path = percent_decode(target.substr(0, question), false, "the path");
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  const size_t fragment = query.find('#');  // never sent by browsers; dropped if a client does
  query = query.substr(0, fragment);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) parsed.parameters.push_back(parse_parameter(pair));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return parsed;
}

}  // namespace embtool::http
