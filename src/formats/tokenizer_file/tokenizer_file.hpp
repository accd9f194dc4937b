// A tokenizer file as a model of its own: tokenizer.json, vocab.json (with merges.txt beside
// it), a tiktoken rank file. It opens as the tokens with no matrix (dimension 0): tokenize and
// detokenize answer, `info` describes it, and the vector commands say there is no matrix.
#pragma once

#include <filesystem>

#include "formats/format.hpp"
#include "model/embeddings.hpp"

namespace embtool::formats {

const FormatDescriptor& tokenizer_file_format();

// Gives `model` the tokenizer of `path` (a tokenizer file, a GGUF, or a model directory),
// built on first use; a path holding none makes tokenizer() say so then.
void attach_tokenizer_of(Embeddings& model, const std::filesystem::path& path);

}  // namespace embtool::formats
