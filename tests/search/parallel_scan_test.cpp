#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>

#include "formats/formats.hpp"
#include "ops/ops.hpp"
#include "search/search.hpp"
#include "formats/store/store_file.hpp"
#include "fixtures.hpp"
#include "kernels/scalar.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

const Embeddings& big_model() {
  // Enough rows that the scan really splits among threads (16384 rows a thread at least).
  static const Embeddings model = load(write_file("search_big.bin", word2vec_binary(random_words(70000, 12, 41))));
  return model;
}

void require_identical(const std::vector<Neighbor>& a, const std::vector<Neighbor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].row == b[i].row);
    CHECK(std::bit_cast<uint32_t>(a[i].score) == std::bit_cast<uint32_t>(b[i].score));
  }
}

}  // namespace

TEST_CASE("the parallel scan gives the same answer for any thread count", "[search]") {
  const Embeddings& e = big_model();
  for (uint32_t query : {0u, 12345u, 69999u}) {
    const auto one = neighbors(e, query, 25, {.threads = 1});
    const auto add_one = analogy(e, query, 7, 8, AnalogyMethod::add, 10, {.threads = 1});
    const auto mul_one = analogy(e, query, 7, 8, AnalogyMethod::mul, 10, {.threads = 1});
    for (size_t threads : {2u, 3u, 4u, 7u}) {
      INFO("query " << query << ", " << threads << " threads");
      const SearchOptions options{.threads = threads};
      require_identical(neighbors(e, query, 25, options), one);
      require_identical(analogy(e, query, 7, 8, AnalogyMethod::add, 10, options), add_one);
      require_identical(analogy(e, query, 7, 8, AnalogyMethod::mul, 10, options), mul_one);
    }
  }
}

TEST_CASE("the parallel scan finds what the scalar reference finds", "[search]") {
  const Embeddings& e = big_model();
  const uint32_t query = 4242;
  std::vector<float> unit = e.row_values(query);
  for (float& x : unit) x /= e.norm(query);
  // The reference: scalar dot products over all rows, then a plain top-k.
  std::vector<float> reference(e.rows());
  for (uint32_t r = 0; r < e.rows(); ++r) reference[r] = kernels::scalar::dot(e.row_values(r), unit) / e.norm(r);
  const uint32_t excluded[] = {query};
  const auto expected = top_k(reference, 50, excluded);
  const auto found = top_k_cosine(e, unit, 50, excluded, {.threads = 2});
  REQUIRE(found.size() == 50);
  // Scoring every row (gensim's topn=None) and then selecting gives the same answer.
  CHECK(top_k(cosine_scores(e, unit), 50, excluded) == found);
  for (size_t i = 0; i < 50; ++i) {
    CHECK(found[i].row == expected[i].row);
    CHECK(found[i].score == Approx(expected[i].score).margin(1e-6));
  }
}

TEST_CASE("scan_top_k skips NaN and excluded rows wherever they fall, and handles small k and n", "[search]") {
  std::vector<float> values(50000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<float>(i));
  values[33] = std::numeric_limits<float>::quiet_NaN();
  const BlockScorer scorer = [&](uint32_t begin, uint32_t end, float* out) {
    std::copy(values.begin() + begin, values.begin() + end, out);
  };
  const uint32_t excluded[] = {11, 49999};
  for (size_t threads : {1u, 2u, 3u}) {
    const auto all = scan_top_k(values.size(), scorer, values.size(), excluded, {.threads = threads});
    CHECK(all.size() == values.size() - 3);
    CHECK(all == top_k(values, values.size(), excluded));
    CHECK(scan_top_k(values.size(), scorer, 0, excluded, {.threads = threads}).empty());
    CHECK(scan_top_k(3, scorer, 10, {}, {.threads = threads}).size() == 3);
  }
}

namespace {

// `model` written as a store with float16 and int8 copies, and opened from it.
Embeddings as_store(const std::vector<WordVector>& words, const std::string& name) {
  const auto path = scratch_dir() / (name + ".emb");
  StoreWriteOptions options;
  options.reduced = {Dtype::f16, Dtype::i8};
  options.force = true;
  write_store(load(write_file(name + ".bin", word2vec_binary(words))), path, options);
  return open_store(path);
}

// Rows that tie exactly (copies of a few vectors) and rows of very different lengths: the
// cases where a bound that is slightly off would let a reduced scan change the answer.
std::vector<WordVector> tricky_words() {
  auto words = random_words(40000, 24, 77);
  for (size_t i = 0; i < words.size(); ++i) {
    if (i % 7 == 0) words[i].values = words[i / 100].values;               // exact ties
    if (i % 11 == 0) for (float& x : words[i].values) x *= 1e-3f;           // short rows
    if (i % 13 == 0) for (float& x : words[i].values) x *= 30.0f;           // long rows
    if (i % 17 == 0) words[i].values[i % 24] = 40.0f;                        // one outlier value
  }
  words[5].values.assign(24, 0.0f);  // a zero row scores NaN and is never returned
  return words;
}

}  // namespace

TEST_CASE("scans of the float16 and int8 copies return exactly the float32 answer", "[search][store]") {
  for (const auto& [name, words] : {std::pair{"reduced-random", random_words(50000, 40, 9)},
                                    std::pair{"reduced-tricky", tricky_words()}}) {
    const Embeddings e = as_store(words, name);
    for (uint32_t query : {0u, 1u, 7u, 700u, 12345u, 33333u, 49999u % 40000u}) {
      for (size_t k : {1u, 10u, 100u}) {
        for (size_t threads : {1u, 2u, 3u}) {
          INFO(name << ": query " << query << ", k " << k << ", " << threads << " threads");
          const auto f32 = neighbors(e, query, k, {.threads = threads, .scan = ScanChoice::f32});
          require_identical(neighbors(e, query, k, {.threads = threads, .scan = ScanChoice::f16}), f32);
          require_identical(neighbors(e, query, k, {.threads = threads, .scan = ScanChoice::i8}), f32);
          const auto add = analogy(e, query, 3, 4, AnalogyMethod::add, k, {.threads = threads, .scan = ScanChoice::f32});
          require_identical(analogy(e, query, 3, 4, AnalogyMethod::add, k, {.threads = threads}), add);
        }
      }
    }
  }
}

TEST_CASE("a reduced scan asked for more rows than exist returns them all", "[search][store]") {
  const Embeddings e = as_store(random_words(30, 5, 10), "reduced-small");
  const auto f32 = neighbors(e, 0, 100, {.scan = ScanChoice::f32});
  CHECK(f32.size() == 29);
  require_identical(neighbors(e, 0, 100, {.scan = ScanChoice::i8}), f32);
  require_identical(neighbors(e, 0, 100, {.scan = ScanChoice::f16}), f32);
}

namespace {

// Unit queries: a few model rows, normalized, plus their excluded rows.
struct QuerySet {
  std::vector<std::vector<float>> vectors;
  std::vector<std::vector<uint32_t>> excluded;
  std::vector<CosineQuery> queries;
};

QuerySet queries_for(const Embeddings& e, size_t count) {
  QuerySet set;
  for (size_t i = 0; i < count; ++i) {
    const auto row = static_cast<uint32_t>((i * 7919) % e.rows());
    std::vector<float> v = e.row_values(row);
    const float norm = kernels::scalar::norm(v);
    if (norm == 0.0f) continue;
    for (float& x : v) x /= norm;
    set.vectors.push_back(std::move(v));
    set.excluded.push_back({row});
  }
  for (size_t i = 0; i < set.vectors.size(); ++i) {
    set.queries.push_back({set.vectors[i], 1 + (i % 4) * 9, set.excluded[i]});
  }
  return set;
}

}  // namespace

TEST_CASE("a batch of queries gets exactly the answers of one scan per query", "[search]") {
  const Embeddings owned = load(write_file("batch.bin", word2vec_binary(tricky_words())));
  const Embeddings store = as_store(tricky_words(), "batch-store");
  for (const Embeddings* e : {&big_model(), &owned, &store}) {
    const QuerySet set = queries_for(*e, 37);
    for (size_t threads : {1u, 2u, 3u}) {
      INFO(e->source().path << ", " << threads << " threads");
      const SearchOptions options{.threads = threads, .scan = ScanChoice::f32};
      for (auto arithmetic : {BatchArithmetic::f32, BatchArithmetic::bf16, BatchArithmetic::i8}) {
        const auto batch = top_k_cosine_batch(*e, set.queries, options, arithmetic);
        REQUIRE(batch.size() == set.queries.size());
        for (size_t q = 0; q < set.queries.size(); ++q) {
          const auto& query = set.queries[q];
          require_identical(batch[q], top_k_cosine(*e, query.unit_query, query.k, query.excluded, options));
        }
      }
    }
  }
}

TEST_CASE("a row limit searches only the first rows, in every scan", "[search]") {
  const auto words = random_words(40000, 12, 31);
  const Embeddings store = as_store(words, "row-limit");
  LoadOptions first_rows;
  first_rows.limit = 20000;
  const Embeddings prefix = load(write_file("row-limit-prefix.bin", word2vec_binary(words)), first_rows);
  const QuerySet set = queries_for(prefix, 9);
  for (ScanChoice scan : {ScanChoice::f32, ScanChoice::f16, ScanChoice::i8}) {
    const SearchOptions limited{.threads = 2, .scan = scan, .row_limit = 20000};
    const auto batch = top_k_cosine_batch(store, set.queries, limited);
    for (size_t q = 0; q < set.queries.size(); ++q) {
      const auto& query = set.queries[q];
      const auto want = top_k_cosine(prefix, query.unit_query, query.k, query.excluded, {.threads = 1});
      require_identical(top_k_cosine(store, query.unit_query, query.k, query.excluded, limited), want);
      require_identical(batch[q], want);
      for (const Neighbor& n : want) CHECK(n.row < 20000);
    }
  }
}
