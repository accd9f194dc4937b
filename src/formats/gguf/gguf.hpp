// GGUF (llama.cpp's model file) as a registered format, read only: the token embedding
// (token_embd.weight, or the tensor LoadOptions::tensor names) as the matrix, F32 / F16 / BF16
// rows used in place from the mapping and the quantized types decoded once, at open, to
// float32 bit for bit as ggml decodes them; the vocabulary from tokenizer.ggml.tokens; the
// model's facts (architecture, context length, tokenizer, whether the output embedding is
// tied) from the metadata. A file with no tensors (a vocabulary-only GGUF) opens with a
// matrix of dimension 0.
#pragma once

#include <filesystem>

#include "formats/format.hpp"
#include "formats/formats.hpp"
#include "model/embeddings.hpp"

namespace embtool::formats {

const FormatDescriptor& gguf_format();

// Opens the GGUF file at `path` (mapped; it must not be compressed).
Embeddings open_gguf(const std::filesystem::path& path, const LoadOptions& options);

}  // namespace embtool::formats
