// The tokenizer a GGUF file describes in its tokenizer.ggml.* metadata, as llama.cpp reads it
// (src/llama-vocab.cpp, llama_vocab::impl::load): model, pre-tokenizer, tokens, types, scores,
// merges, special ids and what --add-special adds.
#pragma once

#include <string>

#include "formats/gguf/gguf_file.hpp"
#include "tokenize/spec.hpp"

namespace embtool::formats::gguf {

// Throws Error(bad_data) naming `path` for metadata of the wrong type or out of range, and
// Error(invalid_argument) for a tokenizer model embtool does not know.
tokenize::Spec tokenizer_spec(const File& file, const std::string& path);

}  // namespace embtool::formats::gguf
