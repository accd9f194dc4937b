// A tokenizer file as a model of its own: tokenizer.json, vocab.json (with merges.txt beside
// it), a tiktoken rank file. It opens as the tokens with no matrix (dimension 0): tokenize and
// detokenize answer, `info` describes it, and the vector commands say there is no matrix.
#pragma once

#include <filesystem>
#include <memory>

#include "formats/format.hpp"
#include "model/embeddings.hpp"
#include "tokenize/spec.hpp"
#include "tokenize/tokenizer.hpp"

namespace embtool::formats {

const FormatDescriptor& tokenizer_file_format();

// The tokenizer of `path`: a tokenizer file (tokenizer.json, vocab.json with merges.txt beside
// it, vocab.txt, a tiktoken file), a GGUF's metadata, or a model directory's tokenizer. Throws
// Error(not_found) for a path that holds none, and what the file's reader throws for a
// damaged one.
tokenize::Spec read_tokenizer_spec(const std::filesystem::path& path);

// The tokenizer of `path` built; its errors name the file.
std::shared_ptr<const tokenize::Tokenizer> build_tokenizer(const std::filesystem::path& path);

// Gives `model` the tokenizer of `path` (a tokenizer file, a GGUF, or a model directory),
// built on first use; a path holding none makes tokenizer() say so then.
void attach_tokenizer_of(Embeddings& model, const std::filesystem::path& path);

}  // namespace embtool::formats
