#include <algorithm>
#include <cmath>
#include <limits>

#include "search/search.hpp"
#include "base/error.hpp"
#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"
#include "search/index/hnsw_index.hpp"
#include "search/matrix_scan.hpp"

namespace embtool {

namespace {

// The scan's blocks are this long (search/parallel_scan.cpp); longer calls are split so
// that the row pointers stay on the stack.
constexpr uint32_t kChunk = 1024;

void divide_by_norms(const Embeddings& embeddings, const uint32_t* rows, size_t count,
                     float* scores) {
  for (size_t i = 0; i < count; ++i) {
    const float norm = embeddings.norm(rows[i]);
    scores[i] = norm > 0.0f ? scores[i] / norm : std::numeric_limits<float>::quiet_NaN();
  }
}

}  // namespace

namespace search {

RowDots::RowDots(const Matrix& rows, std::span<const float> query) : matrix_(rows), query_(query) {
  if (rows.dtype() != Dtype::f32) {
    padded_.assign(rows.stride(), 0.0f);
    std::copy(query.begin(), query.end(), padded_.begin());
  }
}

void RowDots::range(uint32_t begin, uint32_t end, float* out) const {
  switch (matrix_.dtype()) {
    case Dtype::f32: {
      const float* pointers[kChunk];
      for (uint32_t chunk = begin; chunk < end;) {
        const uint32_t count = std::min(kChunk, end - chunk);
        for (uint32_t i = 0; i < count; ++i) pointers[i] = matrix_.f32_row(chunk + i);
        kernels::dot_rows(pointers, count, matrix_.dim(), query_.data(), out + (chunk - begin));
        chunk += count;
      }
      return;
    }
    case Dtype::f16:
      kernels::dot_rows_f16(matrix_.u16_row(begin), matrix_.stride(), end - begin, padded_.data(), out);
      return;
    case Dtype::bf16:
      kernels::dot_rows_bf16(matrix_.u16_row(begin), matrix_.stride(), end - begin, padded_.data(), out);
      return;
    case Dtype::i8: break;
  }
  throw Error(ErrorKind::internal, "internal error: int8 rows scored as a model's own rows");
}

void RowDots::rows(const uint32_t* rows, size_t count, float* out) const {
  if (matrix_.dtype() != Dtype::f32) {
    for (size_t i = 0; i < count; ++i) range(rows[i], rows[i] + 1, out + i);
    return;
  }
  const float* pointers[kChunk];
  for (size_t done = 0; done < count;) {
    const size_t n = std::min<size_t>(kChunk, count - done);
    for (size_t i = 0; i < n; ++i) pointers[i] = matrix_.f32_row(rows[done + i]);
    kernels::dot_rows(pointers, n, matrix_.dim(), query_.data(), out + done);
    done += n;
  }
}

}  // namespace search

void cosine_block(const Embeddings& embeddings, std::span<const float> unit_query, uint32_t begin,
                  uint32_t end, float* scores) {
  const search::RowDots dots(embeddings.matrix(), unit_query);
  uint32_t rows[kChunk];
  for (uint32_t chunk = begin; chunk < end;) {
    const uint32_t count = std::min(kChunk, end - chunk);
    dots.range(chunk, chunk + count, scores + (chunk - begin));
    for (uint32_t i = 0; i < count; ++i) rows[i] = chunk + i;
    divide_by_norms(embeddings, rows, count, scores + (chunk - begin));
    chunk += count;
  }
}

void cosine_of_rows(const Embeddings& embeddings, std::span<const float> unit_query,
                    std::span<const uint32_t> rows, float* scores) {
  const search::RowDots dots(embeddings.matrix(), unit_query);
  dots.rows(rows.data(), rows.size(), scores);
  divide_by_norms(embeddings, rows.data(), rows.size(), scores);
}

std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query) {
  std::vector<float> scores(embeddings.rows());
  cosine_block(embeddings, unit_query, 0, static_cast<uint32_t>(embeddings.rows()), scores.data());
  return scores;
}

std::vector<Neighbor> top_k_cosine(const Embeddings& embeddings, std::span<const float> unit_query,
                                   size_t k, std::span<const uint32_t> excluded,
                                   const SearchOptions& options) {
  if (options.ann != nullptr) {
    return options.ann->search(unit_query, k, excluded, options.ef > 0 ? options.ef : kDefaultAnnEf, options.row_limit);
  }
  return search::matrix_top_k_cosine(embeddings, search::matrix_to_scan(embeddings, options.scan),
                                     unit_query, k, excluded, options);
}

}  // namespace embtool
