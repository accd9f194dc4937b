// The tokenizers make_tokenizer chooses among, one file each. Internal to tokenize/.
#pragma once

#include <memory>

#include "tokenize/tokenizer.hpp"

namespace embtool::tokenize {

std::unique_ptr<const Tokenizer> make_bpe(Spec spec);            // bpe.cpp: "gpt2", "tiktoken"
std::unique_ptr<const Tokenizer> make_sentencepiece(Spec spec);  // sentencepiece.cpp: "llama"
std::unique_ptr<const Tokenizer> make_wordpiece(Spec spec);      // wordpiece.cpp: "bert"
std::unique_ptr<const Tokenizer> make_unigram(Spec spec);        // unigram.cpp: "t5"
// sentencepiece_model.cpp: "sentencepiece" (a tokenizer.model run by the SentencePiece library)
std::unique_ptr<const Tokenizer> make_sentencepiece_model(Spec spec);

}  // namespace embtool::tokenize
