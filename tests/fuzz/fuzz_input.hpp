// What the fuzz targets share: the readers take paths, so each input is written to a file of
// this process first; a loaded model is then used (its words read, one search run), so that
// what a reader lets through is exercised too. embtool::Error is the expected answer to a bad
// input; anything else escaping, a crash or a sanitizer report is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "formats/formats.hpp"

namespace embtool::fuzz {

// The input as a file (one per process and suffix, rewritten on every call).
std::filesystem::path write_input(std::string_view bytes, const char* suffix);

// A six-word model (king, queen, man, woman, cat, "-") for the targets that answer queries.
const Embeddings& query_model();

// load(path, options), then every word and a neighbors search; Errors are swallowed.
void load_and_use(const std::filesystem::path& path, const LoadOptions& options);

// Options picked by the input's first byte (forced format or not, NaN allowed, a limit,
// --strict), so that one target reaches every path of its reader.
LoadOptions options_from(uint8_t selector, std::string_view format);

}  // namespace embtool::fuzz
