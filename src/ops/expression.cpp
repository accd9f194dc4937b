#include "ops/expression.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "base/error.hpp"

namespace embtool::ops {
namespace {

[[noreturn]] void bad_expression(std::string_view text, std::string_view problem) {
  throw Error(ErrorKind::invalid_argument, fmt::format("in the expression '{}': {}", text, problem));
}

// "2*king" -> (2, "king"); "king" -> (1, "king"). A word may itself contain '*' ("a*b") when
// what precedes it is not a number.
ExpressionTerm term_of(std::string_view token, float sign, std::string_view text) {
  const size_t star = token.find('*');
  if (star != std::string_view::npos && star > 0) {
    double weight = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + star, weight);
    if (end == token.data() + star && ec == std::errc::result_out_of_range) {
      bad_expression(text, fmt::format("the weight of '{}' is too large", token));
    }
    if (ec == std::errc() && end == token.data() + star) {
      if (star + 1 == token.size()) bad_expression(text, fmt::format("'{}' has no word after '*'", token));
      // NaN, infinity, or a number beyond float's range would make every score NaN: an empty
      // answer that looks like a real one.
      if (!std::isfinite(weight)) bad_expression(text, fmt::format("the weight of '{}' is not a finite number", token));
      if (!std::isfinite(static_cast<float>(weight))) {
        bad_expression(text, fmt::format("the weight of '{}' is too large", token));
      }
      return {std::string(token.substr(star + 1)), sign * static_cast<float>(weight)};
    }
  }
  return {std::string(token), sign};
}

}  // namespace

bool looks_like_expression(std::string_view text) {
  return text.find_first_of(" \t") != std::string_view::npos;
}

bool is_weighted_term(std::string_view text) {
  const size_t star = text.find('*');
  if (star == 0 || star == std::string_view::npos) return false;
  double weight = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + star, weight);
  return end == text.data() + star && (ec == std::errc() || ec == std::errc::result_out_of_range);
}

std::vector<ExpressionTerm> parse_expression(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<ExpressionTerm> terms;
  float sign = 1.0f;
  bool expecting_term = true;
  for (std::string token; in >> token;) {
    if (token == "+" || token == "-") {
      if (!expecting_term || terms.empty()) {
        if (token == "-" && terms.empty() && sign > 0) {  // a leading minus
          sign = -1.0f;
          continue;
        }
        if (!expecting_term) {
          sign = token == "-" ? -1.0f : 1.0f;
          expecting_term = true;
          continue;
        }
      }
      bad_expression(text, fmt::format("'{}' where a word was expected", token));
    }
    if (!expecting_term) bad_expression(text, fmt::format("'{}' follows a word without + or -", token));
    terms.push_back(term_of(token, sign, text));
    sign = 1.0f;
    expecting_term = false;
  }
  if (terms.empty() || expecting_term) bad_expression(text, "it ends where a word was expected");
  for (const ExpressionTerm& t : terms) {
    if (t.weight == 0.0f) bad_expression(text, fmt::format("'{}' has weight 0", t.word));
  }
  return terms;
}

}  // namespace embtool::ops
