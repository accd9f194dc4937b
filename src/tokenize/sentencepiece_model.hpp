// SentencePiece's own model file (tokenizer.model, the serialized ModelProto) run by the
// SentencePiece library itself, so that its ids are the library's (python sentencepiece's).
#pragma once

#include <string>

#include "tokenize/spec.hpp"

namespace embtool::tokenize {

// The Spec of a serialized ModelProto: model "sentencepiece", the proto kept in
// spec.sentencepiece_model, the vocabulary (tokens, kinds, scores) and special ids as the
// library reports them. Throws Error(bad_data) for bytes the library cannot load.
Spec sentencepiece_model_spec(std::string serialized_proto);

}  // namespace embtool::tokenize
