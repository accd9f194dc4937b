#include <algorithm>
#include <cmath>
#include <limits>

#include "search/search.hpp"
#include "kernels/simd.hpp"
#include "search/reduced_scan.hpp"

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

void cosine_block(const Embeddings& embeddings, std::span<const float> unit_query, uint32_t begin,
                  uint32_t end, float* scores) {
  const float* pointers[kChunk];
  uint32_t rows[kChunk];
  for (uint32_t chunk = begin; chunk < end;) {
    const uint32_t count = std::min(kChunk, end - chunk);
    embeddings.row_pointers(chunk, chunk + count, pointers);
    kernels::dot_rows(pointers, count, embeddings.dim(), unit_query.data(), scores + (chunk - begin));
    for (uint32_t i = 0; i < count; ++i) rows[i] = chunk + i;
    divide_by_norms(embeddings, rows, count, scores + (chunk - begin));
    chunk += count;
  }
}

void cosine_of_rows(const Embeddings& embeddings, std::span<const float> unit_query,
                    std::span<const uint32_t> rows, float* scores) {
  const float* pointers[kChunk];
  for (size_t done = 0; done < rows.size();) {
    const size_t count = std::min<size_t>(kChunk, rows.size() - done);
    for (size_t i = 0; i < count; ++i) pointers[i] = embeddings.row_data(rows[done + i]);
    kernels::dot_rows(pointers, count, embeddings.dim(), unit_query.data(), scores + done);
    divide_by_norms(embeddings, rows.data() + done, count, scores + done);
    done += count;
  }
}

std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query) {
  std::vector<float> scores(embeddings.rows());
  cosine_block(embeddings, unit_query, 0, static_cast<uint32_t>(embeddings.rows()), scores.data());
  return scores;
}

std::vector<Neighbor> top_k_cosine(const Embeddings& embeddings, std::span<const float> unit_query,
                                   size_t k, std::span<const uint32_t> excluded,
                                   const SearchOptions& options) {
  if (const ReducedRows* copy = search::copy_to_scan(embeddings, options.scan)) {
    return search::reduced_top_k_cosine(embeddings, *copy, unit_query, k, excluded, options);
  }
  const BlockScorer scorer = [&](uint32_t begin, uint32_t end, float* scores) {
    cosine_block(embeddings, unit_query, begin, end, scores);
  };
  return scan_top_k(searched_rows(embeddings, options), scorer, k, excluded, options);
}

}  // namespace embtool
