// Case folding for matching words whatever their case ("Paris" finds "paris").
#pragma once

#include <string>
#include <string_view>

namespace embtool::ops {

// Lower-cases ASCII and the cased letters of Latin-1, Latin Extended-A, Greek and Cyrillic
// in UTF-8 text; every other byte, valid UTF-8 or not, is kept as it is.
std::string fold_case(std::string_view word);

// Python's str.upper() on UTF-8 text (full mappings: "straße" -> "STRASSE", "ς" -> "Σ"), the
// form gensim's case-insensitive evaluations key words by. Bytes that are not valid UTF-8 are
// kept as they are.
std::string python_upper(std::string_view word);

}  // namespace embtool::ops
