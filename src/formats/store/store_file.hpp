// embtool's own store (.emb): one file that is memory-mapped and used as it lies. It holds
// the vocabulary with its hash index already built, the norms, the float32 rows padded to
// 64-byte lines, and optionally float16 / int8 copies that scans can read instead.
// Opening checks a fixed-size header against the file's size and does nothing proportional
// to the number of words, so a 3.6 GB store opens in well under a millisecond.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/embeddings.hpp"
#include "formats/format.hpp"
#include "formats/formats.hpp"

namespace embtool::formats {

// The store as a registered format: name embtool-store (alias emb), extension .emb.
const FormatDescriptor& store_format();

}  // namespace embtool::formats

namespace embtool {

inline constexpr uint32_t kStoreVersion = 1;

struct StoreWriteOptions {
  std::vector<Dtype> reduced;   // reduced-precision copies to add (f16, i8) besides float32
  bool force = false;           // replace an existing output file
  LoadProgress progress;        // told the bytes written so far, out of the total
};

// Writes `embeddings` as a store at `path`: to a temporary file in the same directory,
// flushed to disk, then renamed into place, so a failed or killed write never leaves a
// partial file under `path`. Refuses to overwrite an existing file without `force`.
// `extra_metadata`: key=value lines (each ending in a newline) added to the store's metadata
// after those describing the source (what a cache records of the file it stands for).
void write_store(const Embeddings& embeddings, const std::filesystem::path& path,
                 const StoreWriteOptions& options, std::string_view extra_metadata = {});

// Maps a store file; with a `limit`, only its first words are seen (gensim `limit`).
// Throws a bad_file Error for a file of another version, byte order or a damaged layout,
// naming what is wrong.
// `metadata_out`, when given, receives the store's metadata section (key=value lines).
Embeddings open_store(const std::filesystem::path& path, std::optional<uint64_t> limit = {},
                      std::string* metadata_out = nullptr);

// Every fact a store's metadata recorded of its source (the fact.<type>.<name>=value lines),
// in the order the source's reader recorded them.
std::vector<SourceFact> store_recorded_facts(std::string_view metadata);

// The bytes every store starts with.
inline constexpr std::string_view kStoreMagic = "EMBSTORE";

}  // namespace embtool
