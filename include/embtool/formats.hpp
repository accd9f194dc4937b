// Reading vector files: word2vec binary, word2vec/fastText text and GloVe text, plain or
// gzip-compressed, with the format detected from the content.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "embtool/embeddings.hpp"

namespace embtool {

struct LoadOptions {
  Format format = Format::auto_detect;
  std::optional<uint64_t> limit;  // load only the first N records (gensim `limit`)
  bool allow_nonfinite = false;   // keep NaN/Inf values instead of refusing the file
};

Embeddings load(const std::filesystem::path& path, const LoadOptions& options = {});

// Parses a `--format` value: auto, word2vec-binary (bin), word2vec-text (text, vec), glove.
std::optional<Format> parse_format(std::string_view name);

}  // namespace embtool
