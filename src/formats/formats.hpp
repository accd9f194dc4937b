// Reading vector files: word2vec binary, word2vec/fastText text, GloVe text and the .emb
// store, plain or gzip-compressed, with the format detected from the content (the formats
// themselves are in formats/registry.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/embeddings.hpp"

namespace embtool {

// Told, now and then while a file loads, how many of its bytes (compressed bytes for .gz)
// have been read out of how many.
using LoadProgress = std::function<void(uint64_t bytes_read, uint64_t bytes_total)>;

struct LoadOptions {
  std::string format;             // a format's name or alias; empty or "auto": detected
  std::optional<uint64_t> limit;  // load only the first N records (gensim `limit`)
  bool allow_nonfinite = false;   // keep NaN/Inf values instead of refusing the file
  bool strict = false;            // refuse what is otherwise accepted with a warning
  // A checkpoint's tensor to read (safetensors, GGUF): empty means its token embedding, found
  // among the names real checkpoints give it.
  std::string tensor;
  // A file of one token a line naming the rows of a matrix that has no vocabulary (.npy);
  // empty: rows are named by their id.
  std::filesystem::path vocab_file;
  // The tokenizer to use instead of the model's own (tokenizer.json, vocab.json with
  // merges.txt, vocab.txt, a tiktoken file, a GGUF, a model directory); empty: the model's.
  std::filesystem::path tokenizer_file;
  LoadProgress progress;          // optional
};

Embeddings load(const std::filesystem::path& path, const LoadOptions& options = {});

// What a load accepted but a person should know, one sentence each (duplicates dropped, CR LF
// line ends, blanks after the last value, data after the announced words, NaN/Inf kept).
// LoadOptions::strict turns the first of them (NaN/Inf kept, being asked for, excepted) into
// a bad_data Error.
std::vector<std::string> load_warnings(const SourceInfo& source);

struct VectorWriteOptions {
  bool force = false;     // replace an existing output file
  LoadProgress progress;  // told the words written so far, out of all
};

// Writes `embeddings` as word2vec binary (a newline after each vector, as word2vec.c does),
// word2vec text or GloVe text, every float32 as the shortest decimal that reads back as the
// same bits, so that loading the output gives back every word byte and every float bit. The
// format is named by its name or an alias ("word2vec-binary", "text", "glove"). The file
// appears whole or not at all (a temporary file renamed into place); an existing one is
// refused without `force`, and so is a word the format cannot hold (a space in it; a line
// break, in text).
void write_vectors(const Embeddings& embeddings, const std::filesystem::path& path,
                   std::string_view format, const VectorWriteOptions& options);

// The same bytes to a stream (standard output), `name` naming it in messages; `force` is
// unused. A write the stream refuses (a full device, a closed pipe) is an io Error.
void write_vectors(const Embeddings& embeddings, std::ostream& out, std::string_view name,
                   std::string_view format, const VectorWriteOptions& options);

}  // namespace embtool
