// The approximate index: answers from its graph with exact scores, refused when stale,
// missing or damaged.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "ops/ops.hpp"
#include "search/index/hnsw_index.hpp"
#include "search/search.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

constexpr size_t kRows = 3000;
constexpr size_t kDim = 24;

const Embeddings& model() {
  static const Embeddings e = load(write_file("hnsw_model.bin", word2vec_binary(random_words(kRows, kDim, 5))));
  return e;
}

HnswBuildOptions one_thread() {
  HnswBuildOptions options;
  options.threads = 1;
  return options;
}

std::string message_of(const std::function<void()>& f, ErrorKind kind) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.kind() == kind);
    return e.what();
  }
  FAIL("no error");
  return {};
}

}  // namespace

TEST_CASE("hnsw: with a candidate list as long as the model, the answers are the exact ones", "[ann]") {
  const HnswIndex index = HnswIndex::build(model(), one_thread());
  CHECK(index.indexed_rows() == kRows);
  SearchOptions ann{.threads = 1};
  ann.ann = &index;
  ann.ef = kRows;
  for (uint32_t row = 0; row < kRows; row += 97) {
    const auto exact = neighbors(model(), row, 10, SearchOptions{.threads = 1});
    const auto approximate = neighbors(model(), row, 10, ann);
    REQUIRE(approximate.size() == 10);
    CHECK(approximate == exact);  // same rows, same scores to the bit
  }
}

TEST_CASE("hnsw: a small candidate list still gives exact scores, the query row excluded", "[ann]") {
  const HnswIndex index = HnswIndex::build(model(), one_thread());
  SearchOptions ann{.threads = 1};
  ann.ann = &index;
  ann.ef = 16;
  size_t hits = 0, total = 0;
  for (uint32_t row = 0; row < kRows; row += 31) {
    const auto exact = neighbors(model(), row, 10, SearchOptions{.threads = 1});
    const auto approximate = neighbors(model(), row, 10, ann);
    for (const Neighbor& n : approximate) CHECK(n.row != row);
    for (const Neighbor& n : approximate) {
      for (const Neighbor& m : exact) {
        if (m.row == n.row) {
          CHECK(m.score == n.score);
          ++hits;
        }
      }
    }
    total += exact.size();
  }
  CHECK(static_cast<double>(hits) / static_cast<double>(total) > 0.8);
}

TEST_CASE("hnsw: saved and opened, it answers as built", "[ann]") {
  const HnswIndex built = HnswIndex::build(model(), one_thread());
  const auto path = scratch_dir() / "hnsw_model.bin.hnsw";
  built.save(path, true);
  const HnswIndex opened = HnswIndex::open(path, model());
  CHECK(opened.indexed_rows() == built.indexed_rows());
  CHECK(opened.bytes() == std::filesystem::file_size(path));
  std::vector<float> unit(kDim, 0.0f);
  for (uint32_t row = 5; row < kRows; row += 211) {
    const std::vector<float> v = model().row_values(row);
    for (size_t i = 0; i < kDim; ++i) unit[i] = v[i] / model().norm(row);
    const uint32_t excluded[] = {row};
    CHECK(opened.search(unit, 10, excluded, 50) == built.search(unit, 10, excluded, 50));
  }
}

TEST_CASE("hnsw: an index of other vectors is refused as stale; none, and a damaged one, say so", "[ann]") {
  const auto path = scratch_dir() / "hnsw_stale.hnsw";
  HnswIndex::build(model(), one_thread()).save(path, true);
  const Embeddings other = load(write_file("hnsw_other.bin", word2vec_binary(random_words(kRows, kDim, 6))));
  const std::string stale = message_of([&] { HnswIndex::open(path, other); }, ErrorKind::bad_data);
  CHECK_THAT(stale, Catch::Contains("stale") && Catch::Contains("embtool index"));

  const std::string missing = message_of([&] { HnswIndex::open(scratch_dir() / "none.hnsw", model()); },
                                         ErrorKind::not_found);
  CHECK_THAT(missing, Catch::Contains("embtool index"));

  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
  CHECK_THAT(message_of([&] { HnswIndex::open(path, model()); }, ErrorKind::bad_data), Catch::Contains("damaged"));
}

namespace {

// Overwrites `size` bytes of the file at `offset` (from the end when negative).
void patch(const std::filesystem::path& path, std::streamoff offset, const void* bytes, size_t size) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  if (offset < 0) file.seekp(offset, std::ios::end);
  else file.seekp(offset);
  file.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
}

}  // namespace

TEST_CASE("hnsw: a scale of the walk's int8 rows that is not finite is damage; an older file asks for a rebuild",
          "[ann]") {
  const auto path = scratch_dir() / "hnsw_scales.hnsw";
  HnswIndex::build(model(), one_thread()).save(path, true);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  patch(path, -static_cast<std::streamoff>(sizeof nan), &nan, sizeof nan);  // the last element's factor
  CHECK_THAT(message_of([&] { HnswIndex::open(path, model()); }, ErrorKind::bad_data),
             Catch::Contains("damaged") && Catch::Contains("int8"));

  HnswIndex::build(model(), one_thread()).save(path, true);
  const uint32_t version_one = 1;
  patch(path, 8, &version_one, sizeof version_one);  // the version follows the 8-byte magic
  CHECK_THAT(message_of([&] { HnswIndex::open(path, model()); }, ErrorKind::bad_data),
             Catch::Contains("version 1") && Catch::Contains("embtool index"));
}
