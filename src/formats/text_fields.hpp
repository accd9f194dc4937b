// The fields of text vector files, split and parsed exactly as gensim does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace embtool::formats {

// A decimal or exponent float, "nan" or "inf", rounded first to double and then to float32
// (numpy's route, so that every value equals gensim's bit for bit). nullopt if not a number.
std::optional<float> parse_float(std::string_view text);

// A non-negative decimal integer that fits in 64 bits; nullopt otherwise.
std::optional<uint64_t> parse_count(std::string_view text);

// Text without trailing ASCII white space (Python's bytes.rstrip()).
std::string_view trim_right(std::string_view text);
std::string_view trim(std::string_view text);

// Python's line.split(" "): every single space separates, so "a  b" has an empty field.
// Replaces the contents of `fields`.
void split_spaces(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace embtool::formats
