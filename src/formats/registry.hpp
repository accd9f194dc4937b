// Every format embtool reads or writes, in one list (registry.cpp): a format registered there
// is detected, accepted by name and extension, listed in help and shown by info.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_source.hpp"
#include "formats/format.hpp"

namespace embtool {

// The registered formats, in registration order.
std::span<const FormatDescriptor* const> registered_formats();

// The format of this name or alias, or nullptr.
const FormatDescriptor* find_format(std::string_view name_or_alias);

// The format written to files ending in `extension` (".bin", with its dot), or nullptr.
const FormatDescriptor* find_format_by_extension(std::string_view extension);

// What the caller may name: every name and alias, of the formats that can be written when
// `writable_only`. Names come before aliases, each in registration order.
std::vector<std::string> format_spellings(bool writable_only = false);

// One line per use for help text: "word2vec-binary (bin, binary)", joined by `separator`.
std::string describe_formats(bool writable_only, std::string_view separator);

// The formats' descriptions, joined by `separator`: "word2vec binary, ... , embtool store".
std::string format_descriptions(std::string_view separator);

// What an output's extension chooses: ".bin (word2vec binary), .txt/.vec (word2vec or ...)".
std::string describe_output_extensions();

// Every extension that names an output format, in registration order (".bin", ".txt", ...).
std::vector<std::string> output_extensions();

namespace formats {

// The format of the file `in` has open at its first byte, from its content: a magic number
// first, then the first format, in registration order, whose sniff says yes. Throws a
// bad_data Error when the file is empty, UTF-16, or fits no format.
const FormatDescriptor& detect_format(ByteReader& in);

// The format that opens the file: a magic number wins over any name; else the one named in
// `options` (empty or "auto": detected). Throws invalid_argument for an unknown name.
const FormatDescriptor& format_to_open(ByteReader& in, const LoadOptions& options);

}  // namespace formats
}  // namespace embtool
