// An approximate nearest-neighbour index (HNSW, hnswlib's graph) over a model's rows, kept in
// a file beside the model (MODEL.hnsw) and memory-mapped when opened.
//
// The graph holds row numbers and an int8 copy of the rows (one scale a row, 64-byte lines),
// so the index costs ~(2M + 3) x 4 bytes a row plus the dimension rounded up to 64 (M 32,
// 100-d: 388 bytes; the float32 row is 400). A search walks the graph with a candidate list
// of `ef` rows, steered by int8 estimates of the cosines (a quarter of the bytes to fetch per
// distance: the walk is bound by those fetches), then re-scores every candidate with the
// exact scan's own kernel (cosine_of_rows) and ranks them as the exact scan does (score, then
// lower row): the scores printed are the exact cosines of the rows returned; only which rows
// are returned may differ from the exact answer (a nearer row missed).
//
// The file records the model it indexes (rows, dimension and a checksum of the norms and of
// sampled rows); opening it over other vectors is refused, so a stale index is never used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "model/embeddings.hpp"
#include "search/search.hpp"

namespace embtool {

struct HnswBuildOptions {
  // The defaults reach recall@10 0.99 on GloVe 6B 100-d at ef 200 (bench/ann_bench.cpp);
  // M 16 / ef-construction 200 build ~2.4x faster and need ef ~600 for that recall.
  size_t m = 32;                 // links a row keeps (2M on the bottom layer)
  size_t ef_construction = 400;  // candidate list while inserting
  size_t threads = 0;            // 0: one per core
  uint64_t seed = 100;
  QueryProgress progress = nullptr;  // rows inserted so far, out of all; on the caller's thread
};

// The candidate list of a search when none is asked for: recall@10 0.991 on GloVe 6B 100-d
// with the default graph (bench/ann_bench.cpp, 1,000 random words).
inline constexpr size_t kDefaultAnnEf = 200;

// What an index was built for: the same vectors give the same fingerprint.
struct VectorsFingerprint {
  uint64_t rows = 0;
  uint64_t dim = 0;
  uint64_t checksum = 0;
  friend bool operator==(const VectorsFingerprint&, const VectorsFingerprint&) = default;
};
VectorsFingerprint vectors_fingerprint(const Embeddings& embeddings);

// The file an index of `model` is kept in: MODEL.hnsw.
std::filesystem::path index_path_for(const std::filesystem::path& model);

class HnswIndex {
 public:
  // Inserts every row of `embeddings` (rows of norm zero or not finite are left out: the
  // exact scan never returns them either). Needs float32 rows. `embeddings` must outlive the
  // index.
  static HnswIndex build(const Embeddings& embeddings, const HnswBuildOptions& options);

  // Maps the index at `path` for `embeddings`. Throws not_found when there is no file (the
  // message says how to make one), bad_data for a damaged file or one built for other vectors.
  static HnswIndex open(const std::filesystem::path& path, const Embeddings& embeddings);

  // Writes the index to `path` whole or not at all (AtomicFile).
  void save(const std::filesystem::path& path, bool replace_existing) const;

  HnswIndex(HnswIndex&&) noexcept;
  HnswIndex& operator=(HnswIndex&&) noexcept;
  ~HnswIndex();

  // The k best rows by cosine with `unit_query` among the graph's candidates (at least
  // max(ef, k + excluded) of them), skipping `excluded` rows and, with a row_limit, rows past
  // it; exact cosine scores, ranked as top_k_cosine ranks.
  std::vector<Neighbor> search(std::span<const float> unit_query, size_t k, std::span<const uint32_t> excluded,
                               size_t ef, size_t row_limit = 0) const;

  size_t indexed_rows() const;
  size_t m() const;
  size_t ef_construction() const;
  // Bytes the graph takes (in memory or in its file).
  size_t bytes() const;

 private:
  struct Graph;
  explicit HnswIndex(std::unique_ptr<Graph> graph);
  std::unique_ptr<Graph> graph_;
};

}  // namespace embtool
