// An HTTP request target ("/api/neighbors?word=dog&k=10") read into its path and its
// parameters, strictly: a bad percent-escape or bytes that are not UTF-8 are refused, never
// guessed at, so that what a query means does not depend on how a client got it wrong.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace embtool::http {

struct Parameter {
  std::string name;
  std::string value;
};

struct RequestTarget {
  std::string path;  // decoded; always starts with '/'
  std::vector<Parameter> parameters;  // in the order given; a name may repeat
};

// The target as the request line holds it: origin form ("/path?query"); "+" in the query is
// a space (an HTML form's encoding). Throws Error(invalid_argument) saying what is wrong.
RequestTarget parse_request_target(std::string_view target);

// `text` with its %XX escapes decoded ("+" a space when `plus_is_space`); throws
// Error(invalid_argument) for a broken escape or a result that is not UTF-8.
std::string percent_decode(std::string_view text, bool plus_is_space, std::string_view what);

}  // namespace embtool::http
