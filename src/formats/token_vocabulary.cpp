#include "formats/token_vocabulary.hpp"

#include <fmt/format.h>

#include <utility>

#include "base/error.hpp"

namespace embtool::formats {

TokenVocabulary row_number_vocabulary(size_t rows) {
  TokenVocabulary tokens;
  tokens.keys.reserve(rows);
  for (size_t row = 0; row < rows; ++row) tokens.keys.push_back(std::to_string(row));
  tokens.kinds.assign(rows, TokenKind::normal);
  return tokens;
}

namespace {

void check_shape(const Matrix& matrix, const TokenVocabulary& tokens, const std::string& matrix_name) {
  if (tokens.kinds.size() != tokens.keys.size()) {
    throw Error(ErrorKind::internal, "internal error: token kinds and keys differ in number");
  }
  if (matrix.dim() != 0 && matrix.rows() < tokens.keys.size()) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{} has {} rows but the tokenizer ({}) has {} tokens: every token needs a row",
                            matrix_name, matrix.rows(), tokens.source.empty() ? "its vocabulary" : tokens.source,
                            tokens.keys.size()));
  }
}

}  // namespace

Embeddings embeddings_with_tokens(Matrix matrix, TokenVocabulary tokens, SourceInfo source,
                                  uint64_t nonfinite_values, const std::string& matrix_name,
                                  std::span<const float> norms) {
  check_shape(matrix, tokens, matrix_name);
  const size_t token_count = tokens.keys.size();
  if (matrix.dim() == 0) matrix = Matrix::view(matrix.dtype(), token_count, 0, nullptr, 0, nullptr);
  const size_t rows = matrix.rows();

  Vocabulary vocabulary;
  size_t bytes = 0;
  for (const std::string& key : tokens.keys) bytes += key.size();
  vocabulary.reserve(rows, bytes + (rows - token_count) * 12);
  for (const std::string& key : tokens.keys) vocabulary.append(key);
  std::vector<TokenKind> kinds = std::move(tokens.kinds);
  for (size_t row = token_count; row < rows; ++row) {
    vocabulary.append(fmt::format("<row {}>", row));
    kinds.push_back(TokenKind::unused);
  }

  if (!tokens.tokenizer.empty()) source.facts.push_back({"tokenizer", tokens.tokenizer});
  source.facts.push_back({"tokens", static_cast<int64_t>(token_count)});
  if (rows > token_count) source.facts.push_back({"rows_past_tokens", static_cast<int64_t>(rows - token_count)});
  if (!tokens.source.empty()) source.facts.push_back({"tokens_file", tokens.source});

  if (matrix.dim() == 0) norms = {};
  Embeddings embeddings(std::move(vocabulary), std::move(matrix), std::move(source), norms, {}, nonfinite_values);
  embeddings.set_tokens(Tokens(std::move(kinds), tokens.spelling, std::move(tokens.tokenizer)));
  return embeddings;
}

}  // namespace embtool::formats
