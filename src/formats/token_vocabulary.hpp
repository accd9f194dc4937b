// What every tokenizer-vocabulary reader gives (GGUF metadata, tokenizer.json, vocab.json,
// tiktoken rank files, a file of one token a line) and how it names the rows of an LLM's
// embedding matrix: row N is token N; rows past the tokenizer's last token (GPT-2 checkpoints
// padded to 50,304 rows, Qwen's 151,936 rows for 151,665 tokens) are named "<row N>" and
// marked unused; a matrix with fewer rows than tokens is refused.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model/embeddings.hpp"
#include "model/tokens.hpp"

namespace embtool::formats {

struct TokenVocabulary {
  std::vector<std::string> keys;  // by token id: the tokenizer's own spelling ("Ġking")
  std::vector<TokenKind> kinds;   // by token id, as many as keys
  TokenSpelling spelling = TokenSpelling::raw;
  std::string tokenizer;          // "gpt2", "llama", "bert", "tiktoken", ... ("" when unknown)
  std::string source;             // the file the tokens came from, for messages and info
};

// Tokens for a matrix that has no vocabulary: row N is named "N".
TokenVocabulary row_number_vocabulary(size_t rows);

// The model of `matrix`'s rows named by `tokens`, with the tokenizer's facts added to `source`
// ("tokenizer", "tokens", "tokens_file"). `matrix_name` names the matrix in the refusal of a
// matrix with fewer rows than tokens. A matrix of dim 0 (a GGUF with only a vocabulary) takes
// as many rows as there are tokens. `norms`, when the reader computed them (one per row, kept
// alive by the matrix's owner, as Matrix::norm computes them), spare a second pass over it.
Embeddings embeddings_with_tokens(Matrix matrix, TokenVocabulary tokens, SourceInfo source,
                                  uint64_t nonfinite_values, const std::string& matrix_name,
                                  std::span<const float> norms = {});

}  // namespace embtool::formats
