// Vector expressions for searches: "king - man + woman", "2*king - queen", as gensim's
// most_similar takes them (positive and negative keys, or (key, weight) pairs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace embtool::ops {

struct ExpressionTerm {
  std::string word;
  float weight;  // the sign included: "- man" is weight -1
};

// Whether `text` is an expression rather than one word: it holds blanks between terms.
bool looks_like_expression(std::string_view text);

// Whether `text` is one weighted term, NUMBER*WORD ("2*king", "nan*king"): an expression when
// the vocabulary does not hold `text` itself as a word.
bool is_weighted_term(std::string_view text);

// Terms separated by blank-delimited '+' or '-'; each term is WORD or NUMBER*WORD. Throws a
// usage Error that points at what is wrong.
std::vector<ExpressionTerm> parse_expression(std::string_view text);

}  // namespace embtool::ops
