// The questions about tokens: a text's tokens and ids (tokenize), the text of ids
// (detokenize), a text's rows of the embedding matrix (embed), and diagnostics of the token
// embedding (tokens). Each returns its answer as a value (answers.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "tokenize/tokenizer.hpp"

namespace embtool::app {

// The session's tokenizer (Session::tokenizer) encodes `text`.
TokenizeAnswer tokenize_text(const Session& session, std::string text,
                             const tokenize::EncodeOptions& options, bool ids_only = false);

// Throws Error(not_found) naming an id that is not a token. `skip_special`: control tokens
// give no text.
DetokenizeAnswer detokenize_ids(const Session& session, std::vector<int32_t> ids,
                                bool skip_special = false);

enum class Pool { none, mean, sum, first, last };

struct EmbedOptions {
  tokenize::EncodeOptions encode;
  Pool pool = Pool::none;
  bool check_one_hot = false;
};

// The tokens of `text` and their rows, each exactly as `vector --id` gives it. Throws for a
// model without a matrix and Error(not_found) naming a token id past the matrix's rows. Mean
// and sum are computed in double and rounded once to float32.
EmbedAnswer embed_text(const Session& session, std::string text, const EmbedOptions& options);

// One-hot(id) times the matrix for each id: for each column j, the float32 sum over rows r
// (in order) of onehot[r] * M[r][j], each row decoded from its stored dtype. Rows are decoded
// once for all ids.
std::vector<std::vector<float>> one_hot_products(const Matrix& matrix,
                                                 const std::vector<int32_t>& ids);

// `k`: how many low-norm rows and rows near the mean to list.
TokenDiagnosticsAnswer token_diagnostics(const Session& session, size_t k);

}  // namespace embtool::app
