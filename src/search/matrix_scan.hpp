// Exact top-k by cosine over whichever matrix a search scans (see matrix_scan.cpp), and the
// dot products of a model's own rows, with the kernel their dtype needs.
#pragma once

#include <span>
#include <vector>

#include "search/search.hpp"

namespace embtool::search {

// The matrix a search with `choice` should scan: a reduced copy the model holds, or its own
// rows (for float32, for a copy it lacks, and for models whose rows are all they have).
const Matrix& matrix_to_scan(const Embeddings& e, ScanChoice choice);

// The k best rows by the float32 cosine of the model's own rows: `scanned` (its own rows, or a
// reduced copy) gives each block estimates within a bound, and the rows that may be in the
// answer are re-scored on the model's own rows.
std::vector<Neighbor> matrix_top_k_cosine(const Embeddings& e, const Matrix& scanned,
                                          std::span<const float> unit_query, size_t k,
                                          std::span<const uint32_t> excluded,
                                          const SearchOptions& options);

// dot(row, query) for rows of a model's own matrix, with its dtype's kernel: kernels::dot_rows
// for float32, the float16 / bfloat16 scans (float32 sums of the decoded values) otherwise.
// Every way in gives a row the same bits.
class RowDots {
 public:
  RowDots(const Matrix& rows, std::span<const float> query);
  // out[i] = dot(row begin + i, query), i < end - begin.
  void range(uint32_t begin, uint32_t end, float* out) const;
  // out[i] = dot(row rows[i], query).
  void rows(const uint32_t* rows, size_t count, float* out) const;

 private:
  const Matrix& matrix_;
  std::span<const float> query_;
  std::vector<float> padded_;  // the query padded with zeros to the stride (reduced dtypes)
};

}  // namespace embtool::search
