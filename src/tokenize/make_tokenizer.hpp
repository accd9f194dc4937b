// Builds the tokenizer a Spec describes, choosing the algorithm by the spec's model.
#pragma once

#include <memory>

#include "tokenize/spec.hpp"
#include "tokenize/tokenizer.hpp"

namespace embtool::tokenize {

// Throws Error(bad_data) naming the problem for a spec that cannot work (a merge of unknown
// tokens, an unknown GGUF pre-tokenizer name, a regex PCRE2 refuses) and
// Error(invalid_argument) for a model it does not know.
std::unique_ptr<const Tokenizer> make_tokenizer(Spec spec);

}  // namespace embtool::tokenize
