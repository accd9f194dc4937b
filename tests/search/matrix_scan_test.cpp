#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "formats/formats.hpp"
#include "formats/store/store_file.hpp"
#include "model/matrix.hpp"
#include "ops/ops.hpp"
#include "search/search.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

constexpr size_t kRows = 40000;  // enough for two threads' ranges (16384 rows each at least)
constexpr size_t kDim = 37;      // not a whole number of vectors: rows are padded

std::vector<float> flat_values(const std::vector<WordVector>& words) {
  std::vector<float> values;
  for (const WordVector& w : words) values.insert(values.end(), w.values.begin(), w.values.end());
  return values;
}

// A model whose only rows are `dtype` (float16 or bfloat16), as an LLM file stores them.
Embeddings narrow_model(Dtype dtype) {
  const auto words = random_words(kRows, kDim, 77);
  Vocabulary vocabulary;
  for (const WordVector& w : words) vocabulary.add(w.word);
  return Embeddings(std::move(vocabulary), Matrix::encode(flat_values(words), kDim, dtype), SourceInfo{});
}

// Cosines in float64 of every decoded row with the decoded query row.
std::vector<double> reference_cosines(const Embeddings& e, uint32_t query) {
  const std::vector<float> q = e.row_values(query);
  double q_norm = 0;
  for (float x : q) q_norm += double{x} * x;
  q_norm = std::sqrt(q_norm);
  std::vector<double> cosines(e.rows());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    const std::vector<float> row = e.row_values(r);
    double dot = 0, norm = 0;
    for (size_t i = 0; i < kDim; ++i) {
      dot += double{row[i]} * q[i];
      norm += double{row[i]} * row[i];
    }
    cosines[r] = norm > 0 ? dot / std::sqrt(norm) / q_norm : -2;
  }
  return cosines;
}

void require_identical(const std::vector<Neighbor>& a, const std::vector<Neighbor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].row == b[i].row);
    CHECK(std::bit_cast<uint32_t>(a[i].score) == std::bit_cast<uint32_t>(b[i].score));
  }
}

}  // namespace

TEST_CASE("a model with only float16 or bfloat16 rows answers as float64 on its decoded rows",
          "[search][matrix]") {
  for (Dtype dtype : {Dtype::f16, Dtype::bf16}) {
    INFO(dtype_name(dtype));
    const Embeddings e = narrow_model(dtype);
    REQUIRE(e.dtype() == dtype);
    REQUIRE_FALSE(e.has_f32_rows());
    for (uint32_t query : {0u, 1234u, 39999u}) {
      INFO("query " << query);
      constexpr size_t k = 20;
      const auto found = neighbors(e, query, k, {.threads = 1});
      REQUIRE(found.size() == k);
      std::vector<double> cosines = reference_cosines(e, query);
      cosines[query] = -2;  // neighbors leaves out the word itself
      for (const Neighbor& n : found) {
        CHECK(n.row != query);
        CHECK(std::abs(n.score - cosines[n.row]) < 1e-5);  // float32 sums of dim 37
      }
      // No row left out beats the weakest one returned by more than the rounding.
      std::vector<double> sorted = cosines;
      std::nth_element(sorted.begin(), sorted.begin() + (k - 1), sorted.end(), std::greater<>());
      CHECK(cosines[found.back().row] >= sorted[k - 1] - 1e-5);
      CHECK(std::is_sorted(found.begin(), found.end(),
                           [](const Neighbor& a, const Neighbor& b) { return a.score > b.score; }));

      // The same bits whatever the thread count, scan choice or batching.
      for (size_t threads : {2u, 3u}) require_identical(neighbors(e, query, k, {.threads = threads}), found);
      require_identical(neighbors(e, query, k, {.threads = 2, .scan = ScanChoice::i8}), found);
    }
    const std::vector<uint32_t> queries = {0, 1234, 39999, 5, 6, 7};
    const auto batch = neighbors_batch(e, queries, 20, {.threads = 2});
    for (size_t q = 0; q < queries.size(); ++q) {
      require_identical(batch[q], neighbors(e, queries[q], 20, {.threads = 1}));
    }
    // Both ways a batch multiplies decode the rows first and still give the single answers.
    std::vector<std::vector<float>> units;
    for (uint32_t q : queries) {
      std::vector<float> unit = e.row_values(q);
      for (float& x : unit) x /= e.norm(q);
      units.push_back(std::move(unit));
    }
    std::vector<CosineQuery> cosine_queries;
    for (const auto& unit : units) cosine_queries.push_back({unit, 15, {}});
    for (BatchArithmetic arithmetic : {BatchArithmetic::f32, BatchArithmetic::bf16, BatchArithmetic::i8}) {
      const auto answers = top_k_cosine_batch(e, cosine_queries, {.threads = 2}, arithmetic);
      for (size_t q = 0; q < units.size(); ++q) {
        require_identical(answers[q], top_k_cosine(e, units[q], 15, {}, {.threads = 1}));
      }
    }
  }
}

TEST_CASE("a bfloat16 copy in a store gives the float32 answer", "[search][matrix]") {
  const auto words = random_words(kRows, kDim, 78);
  const auto bin = write_file("matrix_bf16.bin", word2vec_binary(words));
  const auto store_path = scratch_dir() / "matrix_bf16.emb";
  write_store(load(bin), store_path, {.reduced = {Dtype::bf16, Dtype::i8}, .force = true, .progress = {}});
  const Embeddings store = open_store(store_path);
  REQUIRE(store.reduced(Dtype::bf16) != nullptr);
  for (uint32_t query : {3u, 20000u}) {
    const auto f32 = neighbors(store, query, 50, {.threads = 2, .scan = ScanChoice::f32});
    require_identical(neighbors(store, query, 50, {.threads = 2, .scan = ScanChoice::bf16}), f32);
    require_identical(neighbors(store, query, 50, {.threads = 1, .scan = ScanChoice::bf16}), f32);
  }
  // A prefix of the store (gensim's limit) sees a prefix of the copy too.
  const Embeddings prefix = open_store(store_path, 1000);
  REQUIRE(prefix.reduced(Dtype::bf16)->rows() == 1000);
  require_identical(neighbors(prefix, 3, 10, {.scan = ScanChoice::bf16}),
                    neighbors(prefix, 3, 10, {.scan = ScanChoice::f32}));
}

// (Issue 12: a store keeps its source's precision, so these rows stay bfloat16, where they
// were float32 before; the values are the same either way.)
TEST_CASE("a model with only bfloat16 rows writes a store that keeps them, bit for bit",
          "[search][matrix]") {
  const Embeddings e = narrow_model(Dtype::bf16);
  const auto path = scratch_dir() / "bf16_only.emb";
  write_store(e, path, {.reduced = {}, .force = true, .progress = {}});
  const Embeddings store = open_store(path);
  REQUIRE(store.dtype() == Dtype::bf16);
  REQUIRE_FALSE(store.has_f32_rows());
  for (uint32_t r : {0u, 17u, 39999u}) CHECK(store.row_values(r) == e.row_values(r));
  for (uint32_t r : {0u, 17u}) CHECK(store.norm(r) == e.norm(r));
}
