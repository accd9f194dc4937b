// Embeddings: the vocabulary, the rows x dim float32 matrix and each row's L2 norm.
// Immutable once built; whether it owns its memory or views a mapped file is hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/vocabulary.hpp"

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
struct SourceInfo {
  std::string path;
  std::string format;                 // the name of the format read ("word2vec-binary")
  uint64_t file_bytes = 0;            // on disk (the compressed size of a compressed file)
  std::vector<SourceFact> facts;            // in the order the reader recorded them
  std::vector<LoadWarning> warnings;  // in the order a person should read them

  // The fact of this name, or nullptr.
  const SourceFact* fact(std::string_view name) const;
  // The fact's whole number or text, or 0 / "" when the reader recorded no such fact.
  int64_t number(std::string_view name) const;
  std::string text(std::string_view name) const;
};

// Where the float32 rows lie: at a fixed stride from `base` (an owned matrix, a .emb store),
// or at a byte offset each (rows read in place from a mapped word2vec binary, where words
// of every length sit between them). Row pointers may be unaligned: read them through the
// kernels or copy them, never dereference them as float.
struct RowStore {
  std::shared_ptr<const void> owner;   // keeps the memory behind `base` alive
  const std::byte* base = nullptr;
  size_t stride_bytes = 0;             // when `offsets` is empty
  std::span<const uint64_t> offsets;   // byte offset of each row from `base`, else empty
  uint64_t nonfinite_values = 0;       // NaN/Inf values kept, counted by whoever found the rows
};

// A reduced-precision copy of the matrix kept in a .emb store (see kernels/quantized.hpp):
// rows of `stride` elements, zero past dim; for int8, one scale per row.
enum class Dtype { f32, f16, i8 };
std::string_view dtype_name(Dtype dtype);

struct ReducedRows {
  Dtype dtype = Dtype::f32;
  const std::byte* base = nullptr;
  size_t stride = 0;                   // elements per row, padded
  std::span<const float> scales;       // int8 only
};

class Embeddings {
 public:
  // An owned rows x dim matrix; norms are computed here. `nonfinite_values`: the NaN/Inf
  // values its builder kept (see nonfinite_values()).
  Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim, SourceInfo source,
             uint64_t nonfinite_values);
  // Rows that live elsewhere (a mapped file); norms are computed here unless given.
  Embeddings(Vocabulary vocabulary, RowStore row_store, size_t dim, SourceInfo source,
             std::span<const float> norms = {}, std::vector<ReducedRows> reduced = {});

  // Moves keep the norm and row views valid (they point into heap buffers); copies would not.
  Embeddings(Embeddings&&) noexcept = default;
  Embeddings& operator=(Embeddings&&) noexcept = default;
  Embeddings(const Embeddings&) = delete;
  Embeddings& operator=(const Embeddings&) = delete;

  size_t rows() const { return vocabulary_.size(); }
  size_t dim() const { return dim_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const SourceInfo& source() const { return source_; }

  // Row r's first float; possibly unaligned (see RowStore).
  const float* row_data(uint32_t r) const {
    const size_t offset = store_.offsets.empty() ? r * store_.stride_bytes : store_.offsets[r];
    return reinterpret_cast<const float*>(store_.base + offset);
  }
  // Pointers to rows [begin, end), for the kernels.
  void row_pointers(uint32_t begin, uint32_t end, const float** out) const;
  // A copy of row r, safe to index.
  std::vector<float> row_values(uint32_t r) const;
  // The distance between consecutive rows in bytes, or 0 when rows sit at irregular offsets.
  size_t row_stride_bytes() const { return store_.offsets.empty() ? store_.stride_bytes : 0; }
  uint64_t matrix_bytes() const { return uint64_t{rows()} * dim_ * sizeof(float); }

  // How many NaN/Inf values the builder kept (a reader only when allowed to; those of rows
  // it dropped as duplicates included): scans whose bounds assume finite values take
  // another path when there are any.
  uint64_t nonfinite_values() const { return nonfinite_values_; }
  bool has_nonfinite_values() const { return nonfinite_values_ > 0; }

  float norm(uint32_t r) const { return norms_[r]; }
  std::span<const float> norms() const { return norms_; }

  // The reduced copy of `dtype` this store holds, if any.
  const ReducedRows* reduced(Dtype dtype) const;
  std::span<const ReducedRows> reduced_copies() const { return reduced_; }

 private:
  void compute_norms();

  Vocabulary vocabulary_;
  size_t dim_;
  SourceInfo source_;
  RowStore store_;
  std::vector<float> owned_norms_;
  std::span<const float> norms_;
  std::vector<ReducedRows> reduced_;
  uint64_t nonfinite_values_ = 0;
};

}  // namespace embtool
