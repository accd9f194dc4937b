// Exact search over all rows: one pass over the matrix, split among threads, each thread
// keeping its own k best; the answer is the same for any number of threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "model/embeddings.hpp"

namespace embtool {

class HnswIndex;  // search/index/hnsw_index.hpp

struct Neighbor {
  uint32_t row;
  float score;
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

// Which copy of the matrix a search scans first. Every choice gives the same answer, the one
// computed on the model's own rows (float32 for every file read today): the reduced copies
// only pick candidates, which are then re-ranked on those rows (see search/matrix_scan.cpp).
// A choice the model does not hold scans its own rows.
enum class ScanChoice { smallest, f32, f16, bf16, i8 };

// Told how many of a long job's queries are answered, out of how many; called on the caller's
// thread.
using QueryProgress = std::function<void(uint64_t done, uint64_t total)>;

struct SearchOptions {
  size_t threads = 0;  // 0: one per core
  ScanChoice scan = ScanChoice::smallest;
  size_t row_limit = 0;  // search only the first rows (gensim's restrict_vocab); 0: all
  QueryProgress progress = nullptr;  // optional; batches and evaluations report through it
  // An approximate index to answer cosine searches from instead of scanning (the scores are
  // still exact cosines; a nearer row may be missed). nullptr: exact.
  const HnswIndex* ann = nullptr;
  size_t ef = 0;  // the index's candidate list; 0: kDefaultAnnEf
};

// How many rows a search with `options` looks at.
inline size_t searched_rows(const Embeddings& embeddings, const SearchOptions& options) {
  return options.row_limit > 0 ? std::min(options.row_limit, embeddings.rows()) : embeddings.rows();
}

// Scores rows [begin, end) into scores[0, end - begin). Called from several threads at once.
using BlockScorer = std::function<void(uint32_t begin, uint32_t end, float* scores)>;

// The k best of `rows` rows by `score_block`, highest first, ties by lower row; NaN scores
// and `excluded` rows are skipped as the scan meets them.
std::vector<Neighbor> scan_top_k(size_t rows, const BlockScorer& score_block, size_t k,
                                 std::span<const uint32_t> excluded, const SearchOptions& options = {});

// Cosine of rows [begin, end) with `unit_query`, as cosine_scores() computes it.
void cosine_block(const Embeddings& embeddings, std::span<const float> unit_query, uint32_t begin,
                  uint32_t end, float* scores);

// Cosine of each of `rows` with `unit_query`, exactly as cosine_block() scores it.
void cosine_of_rows(const Embeddings& embeddings, std::span<const float> unit_query,
                    std::span<const uint32_t> rows, float* scores);

// The k rows most similar by cosine to `unit_query` (which must have length 1); from
// options.ann when set (approximate membership, exact scores). Scores are
// computed on the model's own rows in float32 sums: float32 rows for the files read today,
// the decoded values where float16 / bfloat16 rows are all a model has.
std::vector<Neighbor> top_k_cosine(const Embeddings& embeddings, std::span<const float> unit_query,
                                   size_t k, std::span<const uint32_t> excluded,
                                   const SearchOptions& options = {});

// One of several cosine searches answered together.
struct CosineQuery {
  std::span<const float> unit_query;  // length 1
  size_t k = 10;
  std::span<const uint32_t> excluded;
};

// The answers top_k_cosine() gives for each query, identical to the last bit, computed in one
// pass over the matrix as a blocked matrix product: 1000 queries cost far less than 1000 scans.
// How a batch multiplies: `automatic` uses int8 products with exact integer sums where the
// CPU has them in hardware (AVX512-VNNI or AVX-VNNI), else bfloat16 products (AVX512_BF16),
// else float32. Answers are the same either way: only the number of rows re-scored differs.
enum class BatchArithmetic { automatic, f32, bf16, i8 };

std::vector<std::vector<Neighbor>> top_k_cosine_batch(const Embeddings& embeddings,
                                                      std::span<const CosineQuery> queries,
                                                      const SearchOptions& options = {},
                                                      BatchArithmetic arithmetic = BatchArithmetic::automatic);

// Cosine of every row with `unit_query` (which must have length 1), as gensim computes it:
// dot(row, query) / norm(row). Rows of norm zero score NaN.
std::vector<float> cosine_scores(const Embeddings& embeddings, std::span<const float> unit_query);

// The k best scores, highest first, ties broken by the lower row so answers are deterministic.
// NaN scores and `excluded` rows are never returned.
std::vector<Neighbor> top_k(std::span<const float> scores, size_t k,
                            std::span<const uint32_t> excluded = {});

}  // namespace embtool
