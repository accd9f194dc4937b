// Embeddings: the vocabulary, the rows x dim matrix (model/matrix.hpp) and each row's L2 norm,
// plus any reduced-precision copies of the rows that scans may read first. The rows are
// float32 for every file read today; a model may instead hold only float16 or bfloat16 rows,
// and its answers are then computed on those. Immutable once built; whether a matrix owns its
// memory or views a mapped file is hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <utility>
#include <vector>

#include "model/matrix.hpp"
#include "model/tokens.hpp"
#include "model/vocabulary.hpp"
#include "tokenize/tokenizer.hpp"

namespace embtool {

// One thing a reader noticed about the file, by name ("header_count", "compression"): what
// each format records is its own business; `info` shows every fact as it is.
struct SourceFact {
  std::string name;
  std::variant<int64_t, double, std::string, bool> value;
};

// Something a load accepted but a person should know, in one sentence that names the file.
struct LoadWarning {
  std::string message;
  bool refused_when_strict = true;  // strict reading refuses the file for it instead
};

// Where the vectors came from and what loading them noticed, in terms any format can fill.
// One tensor of a checkpoint (safetensors, GGUF), for `info --tensors`.
struct TensorEntry {
  std::string name;
  std::string dtype;            // as the file names it ("BF16", "Q4_K")
  std::vector<uint64_t> shape;  // as the file lists it (GGUF: ne, fastest-varying first)
  uint64_t bytes = 0;
  std::string file;             // the shard holding it, for sharded checkpoints; else empty
};

struct SourceInfo {
  std::string path;
  std::string format;                 // the name of the format read ("word2vec-binary")
  uint64_t file_bytes = 0;            // on disk (the compressed size of a compressed file)
  std::vector<SourceFact> facts;            // in the order the reader recorded them
  std::vector<LoadWarning> warnings;  // in the order a person should read them
  std::vector<TensorEntry> tensors;   // every tensor of a checkpoint, in file order

  // The fact of this name, or nullptr.
  const SourceFact* fact(std::string_view name) const;
  // The fact's whole number or text, or 0 / "" when the reader recorded no such fact.
  int64_t number(std::string_view name) const;
  std::string text(std::string_view name) const;
};

// Each row's L2 norm and how many NaN/Inf values the rows hold, as one pass over them finds
// them. The pass may throw (a NaN/Inf value its reader must refuse).
struct RowStats {
  std::vector<float> norms;
  uint64_t nonfinite_values = 0;
};
using RowStatsPass = std::function<RowStats(const Matrix& rows)>;

class Embeddings {
 public:
  // An owned rows x dim float32 matrix; norms are computed here. `nonfinite_values`: the
  // NaN/Inf values its builder kept (see nonfinite_values()).
  Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim, SourceInfo source,
             uint64_t nonfinite_values);
  // Rows in any matrix (float32, or float16 / bfloat16 when those are all a model has; int8
  // only as a reduced copy); norms are computed here unless given. `reduced` are copies of the
  // same rows in fewer bytes, for scans that re-rank in float32 (float32 rows only).
  Embeddings(Vocabulary vocabulary, Matrix matrix, SourceInfo source, std::span<const float> norms = {},
             std::vector<Matrix> reduced = {}, uint64_t nonfinite_values = 0);
  // Rows used where they lie (a mapped checkpoint): their norms and NaN/Inf count come from
  // `pass`, run on first need (a search, info's norms) rather than at open, so that opening a
  // multi-gigabyte file reads none of its rows. An error the pass throws is thrown by each
  // call that needs them.
  Embeddings(Vocabulary vocabulary, Matrix matrix, SourceInfo source, RowStatsPass pass);

  // Moves keep the norm and row views valid (they point into heap buffers); copies would not.
  Embeddings(Embeddings&&) noexcept = default;
  Embeddings& operator=(Embeddings&&) noexcept = default;
  Embeddings(const Embeddings&) = delete;
  Embeddings& operator=(const Embeddings&) = delete;

  size_t rows() const { return vocabulary_.size(); }
  size_t dim() const { return dim_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const SourceInfo& source() const { return source_; }
  // Replaces what is known of the file the rows came from (a cached copy tells of the file it
  // stands for); the rows and words are unchanged.
  void set_source(SourceInfo source) { source_ = std::move(source); }

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

  // How many NaN/Inf values the builder kept (a reader only when allowed to; those of rows
  // it dropped as duplicates included): scans whose bounds assume finite values take
  // another path when there are any.
  uint64_t nonfinite_values() const { return deferred_ ? stats().nonfinite_values : nonfinite_values_; }
  bool has_nonfinite_values() const { return nonfinite_values() > 0; }

  float norm(uint32_t r) const { return norms()[r]; }
  std::span<const float> norms() const { return deferred_ ? std::span<const float>(stats().norms) : norms_; }

  // What the tokenizer says of each row, for LLM token embeddings; nullptr for word vectors.
  const Tokens* tokens() const { return tokens_.get(); }
  // Set by a reader before it hands the model over (its texts are indexed here); `tokens`
  // has one entry per row.
  void set_tokens(Tokens tokens);

  // The model's tokenizer (text -> ids), built on first use because building one (a hash of
  // every merge) costs more than opening the matrix; thread-safe. `build` throws what a
  // tokenizer that cannot be built says.
  using TokenizerBuilder = std::function<std::shared_ptr<const tokenize::Tokenizer>()>;
  void set_tokenizer(TokenizerBuilder build);
  bool has_tokenizer() const { return tokenizer_ != nullptr; }
  // Throws Error(not_found) when the model has none, or what building it threw.
  const tokenize::Tokenizer& tokenizer() const;

  // The reduced copy of `dtype` this model holds, if any.
  const Matrix* reduced(Dtype dtype) const;
  std::span<const Matrix> reduced_copies() const { return reduced_; }

 private:
  void compute_norms();
  struct DeferredStats;
  const RowStats& stats() const;

  Vocabulary vocabulary_;
  size_t dim_;
  SourceInfo source_;
  Matrix rows_;
  std::vector<float> owned_norms_;
  std::span<const float> norms_;
  std::vector<Matrix> reduced_;
  uint64_t nonfinite_values_ = 0;
  std::shared_ptr<const Tokens> tokens_;
  std::shared_ptr<DeferredStats> deferred_;
  struct LazyTokenizer;
  std::shared_ptr<LazyTokenizer> tokenizer_;  // set when the row stats come from a pass on first need
};

}  // namespace embtool
