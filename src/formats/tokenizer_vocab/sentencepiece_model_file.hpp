// SentencePiece's model file (tokenizer.model: a serialized ModelProto, beside many Llama,
// T5 and Gemma checkpoints), read into the Spec of a tokenizer the SentencePiece library runs.
#pragma once

#include <filesystem>

#include "tokenize/spec.hpp"

namespace embtool::formats {

// Throws Error(io) for a file that cannot be read and Error(bad_data), naming the file, for
// one the SentencePiece library cannot load.
tokenize::Spec read_sentencepiece_model(const std::filesystem::path& file);

}  // namespace embtool::formats
