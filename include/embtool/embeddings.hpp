// Embeddings: the vocabulary, the rows x dim float32 matrix and each row's L2 norm.
// Immutable once built; whether it owns its memory or views a mapped file is hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "embtool/vocabulary.hpp"

namespace embtool {

enum class Format { auto_detect, word2vec_binary, word2vec_text, glove };

std::string_view format_name(Format format);

// Where the vectors came from and what loading them noticed.
struct SourceInfo {
  std::string path;
  Format format = Format::auto_detect;
  bool gzip = false;
  uint64_t file_bytes = 0;          // on disk (compressed size for .gz)
  uint64_t header_count = 0;        // words the header announced (0 without a header)
  uint64_t records_read = 0;        // records parsed, duplicates included
  uint64_t duplicates_dropped = 0;  // later occurrences of a word already seen
  bool trailing_data = false;       // bytes after the announced records were ignored
  bool crlf = false;                // text lines ended in "\r\n"
  uint64_t nonfinite_values = 0;    // NaN/Inf kept because the caller allowed them
};

class Embeddings {
 public:
  Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim, SourceInfo source);

  size_t rows() const { return vocabulary_.size(); }
  size_t dim() const { return dim_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const SourceInfo& source() const { return source_; }

  std::span<const float> row(uint32_t r) const { return matrix_.subspan(size_t{r} * dim_, dim_); }
  std::span<const float> matrix() const { return matrix_; }
  float norm(uint32_t r) const { return norms_[r]; }
  std::span<const float> norms() const { return norms_; }

 private:
  void compute_norms();

  Vocabulary vocabulary_;
  size_t dim_;
  SourceInfo source_;
  std::shared_ptr<const void> storage_;  // keeps the memory behind matrix_ alive
  std::span<const float> matrix_;
  std::vector<float> norms_;
};

}  // namespace embtool
