// Embeddings: the vocabulary, the rows x dim matrix (model/matrix.hpp) and each row's L2 norm,
// plus any reduced-precision copies of the rows that scans may read first. The rows are
// float32 for every file read today; a model may instead hold only float16 or bfloat16 rows,
// and its answers are then computed on those. Immutable once built; whether a matrix owns its
// memory or views a mapped file is hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/matrix.hpp"
#include "model/vocabulary.hpp"

namespace embtool {

enum class Format { auto_detect, word2vec_binary, word2vec_text, glove, embtool_store };

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
  std::string first_duplicate;      // the first of them, and its record (1-based)
  uint64_t first_duplicate_record = 0;
  bool trailing_data = false;       // bytes after the announced records were ignored
  bool crlf = false;                // text lines ended in "\r\n"
  uint64_t trailing_space_lines = 0;  // text lines with tabs or several blanks after the last value
  uint64_t nonfinite_values = 0;    // NaN/Inf kept because the caller allowed them
  std::string converted_from;       // a store: the file and format it was converted from
};

class Embeddings {
 public:
  // An owned rows x dim float32 matrix; norms are computed here.
  Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim, SourceInfo source);
  // Rows in any matrix (float32, or float16 / bfloat16 when those are all a model has; int8
  // only as a reduced copy); norms are computed here unless given. `reduced` are copies of the
  // same rows in fewer bytes, for scans that re-rank in float32 (float32 rows only).
  Embeddings(Vocabulary vocabulary, Matrix matrix, SourceInfo source, std::span<const float> norms = {},
             std::vector<Matrix> reduced = {});

  // Moves keep the norm and row views valid (they point into heap buffers); copies would not.
  Embeddings(Embeddings&&) noexcept = default;
  Embeddings& operator=(Embeddings&&) noexcept = default;
  Embeddings(const Embeddings&) = delete;
  Embeddings& operator=(const Embeddings&) = delete;

  size_t rows() const { return vocabulary_.size(); }
  size_t dim() const { return dim_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const SourceInfo& source() const { return source_; }

  // The rows, in the dtype the model holds them.
  const Matrix& matrix() const { return rows_; }
  Dtype dtype() const { return rows_.dtype(); }
  bool has_f32_rows() const { return rows_.dtype() == Dtype::f32; }

  // Row r's first float, for float32 rows only; possibly unaligned (see Matrix::row_bytes).
  const float* row_data(uint32_t r) const { return rows_.f32_row(r); }
  // Row r decoded to float32, safe to index.
  std::vector<float> row_values(uint32_t r) const { return rows_.row_values(r); }
  // The distance between consecutive rows in bytes, or 0 when rows sit at irregular offsets.
  size_t row_stride_bytes() const { return rows_.stride_bytes(); }
  uint64_t matrix_bytes() const { return uint64_t{rows()} * dim_ * dtype_bytes(rows_.dtype()); }

  float norm(uint32_t r) const { return norms_[r]; }
  std::span<const float> norms() const { return norms_; }

  // The reduced copy of `dtype` this model holds, if any.
  const Matrix* reduced(Dtype dtype) const;
  std::span<const Matrix> reduced_copies() const { return reduced_; }

 private:
  void compute_norms();

  Vocabulary vocabulary_;
  size_t dim_;
  SourceInfo source_;
  Matrix rows_;
  std::vector<float> owned_norms_;
  std::span<const float> norms_;
  std::vector<Matrix> reduced_;
};

}  // namespace embtool
