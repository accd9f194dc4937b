// What a vector-file format is to the rest of embtool: one descriptor with its names, the
// file extensions it writes, a sniff of the first bytes, a reader and optionally a writer.
// Each format lives in its own folder and is listed once in registry.cpp; detection, the
// command line's format values and the help text all come from that list.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_source.hpp"
#include "formats/formats.hpp"
#include "model/embeddings.hpp"

namespace embtool {

struct WriteOptions {
  bool force = false;          // replace an existing output file
  std::vector<Dtype> reduced;  // reduced-precision copies to add (formats that hold them)
  std::optional<Dtype> rows_dtype;  // the type the rows are written in (formats with element_dtypes)
  LoadProgress progress;       // told the work done so far, out of all (see progress_items)
};

struct FormatDescriptor {
  std::string name;                     // "word2vec-binary": what info shows and users type
  std::vector<std::string> aliases;     // other accepted spellings ("bin")
  std::vector<std::string> extensions;  // ".bin": outputs so named are written in this format
  std::string description;              // a few words for help text ("word2vec binary")

  // The bytes every file of this format starts with, if it has such a magic number: a file
  // that starts with them is of this format even when the caller named another.
  std::string magic;
  // Whether the first bytes of the file at `path` (decompressed, if compressed; at most a few
  // megabytes, fewer only at end of data) are this format's. May throw a bad_data Error for
  // bytes that claim to be this format and cannot be (a header no file can have).
  bool (*sniff)(std::string_view head, std::string_view path) = nullptr;
  // Reads the file that `in` has open at its first byte.
  Embeddings (*open)(formats::ByteReader& in, const LoadOptions& options) = nullptr;
  // Reads the model a directory holds (a Hugging Face model directory); the one format that
  // sets this is the one a directory given as the model is read by.
  Embeddings (*open_directory)(const std::filesystem::path& directory, const LoadOptions& options) = nullptr;
  // Writes `embeddings` in this format, the file whole or not at all; nullptr: read only.
  void (*write)(const Embeddings& embeddings, const std::filesystem::path& path,
                const WriteOptions& options) = nullptr;
  bool holds_reduced_copies = false;  // WriteOptions::reduced means something to `write`
  std::string progress_items;         // what write progress counts ("words"); empty: bytes
  // The types `write` can write the rows in, the default first (npy: f32, f16); empty: the
  // format's own (WriteOptions::rows_dtype means nothing to it).
  std::vector<Dtype> element_dtypes;

  bool writable() const { return write != nullptr; }
  // The name or one of the aliases.
  bool answers_to(std::string_view spelling) const {
    if (spelling == name) return true;
    for (const std::string& alias : aliases) {
      if (spelling == alias) return true;
    }
    return false;
  }
};

}  // namespace embtool
