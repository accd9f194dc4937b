#include <catch2/catch.hpp>

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "search/search.hpp"
#include "formats/store/store_file.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;
namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

fs::path store_of(const std::vector<WordVector>& words, const std::string& name,
                  std::vector<Dtype> reduced = {}) {
  const auto source = write_file(name + ".bin", word2vec_binary(words));
  const fs::path store = scratch_dir() / (name + ".emb");
  StoreWriteOptions options;
  options.reduced = std::move(reduced);
  options.force = true;
  write_store(load(source), store, options);
  return store;
}

// Rewrites `bytes` bytes at `offset` of a copy of `store` and returns the copy.
fs::path damaged_copy(const fs::path& store, size_t offset, const std::string& bytes,
                      const std::string& name) {
  std::string data = read_all(store);
  data.replace(offset, bytes.size(), bytes);
  return write_file(name, data);
}

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * 4) == 0; }

}  // namespace

TEST_CASE("a store holds every word, row bit and norm of the file it was converted from", "[store]") {
  const auto words = random_words(500, 37, 3);
  const auto original = load(write_file("round.bin", word2vec_binary(words)));
  const Embeddings store = open_store(store_of(words, "round", {Dtype::f16, Dtype::i8}));
  REQUIRE(store.rows() == original.rows());
  REQUIRE(store.dim() == original.dim());
  CHECK(store.source().format == "embtool-store");
  CHECK_THAT(store.source().text("converted_from"), Catch::Contains("round.bin"));
  for (uint32_t r = 0; r < store.rows(); ++r) {
    CHECK(store.vocabulary().word(r) == original.vocabulary().word(r));
    CHECK(store.vocabulary().find(words[r].word) == r);
    CHECK(same_bits(store.row_values(r).data(), original.row_values(r).data(), store.dim()));
    CHECK(std::bit_cast<uint32_t>(store.norm(r)) == std::bit_cast<uint32_t>(original.norm(r)));
    // Rows are padded to whole 64-byte lines, so every row starts aligned for SIMD.
    CHECK(reinterpret_cast<uintptr_t>(store.row_data(r)) % 64 == 0);
  }
  CHECK_FALSE(store.vocabulary().find("not-a-word"));
  CHECK(store.reduced(Dtype::f16) != nullptr);
  CHECK(store.reduced(Dtype::i8) != nullptr);
  CHECK(store.reduced(Dtype::i8)->scales().size() == store.rows());
}

TEST_CASE("load() recognizes a store by its magic number", "[store]") {
  const auto words = toy_words();
  const auto path = store_of(words, "magic");
  const Embeddings e = load(path);
  CHECK(e.source().format == "embtool-store");
  CHECK(e.rows() == words.size());
}

TEST_CASE("a limit shows only the first words of a store", "[store]") {
  const auto words = random_words(300, 8, 4);
  const auto path = store_of(words, "limited");
  LoadOptions options;
  options.limit = 100;
  const Embeddings e = load(path, options);
  CHECK(e.rows() == 100);
  CHECK(e.vocabulary().find("w99") == 99u);
  CHECK_FALSE(e.vocabulary().find("w100"));  // in the index, but past the limit
  CHECK_FALSE(e.vocabulary().find("w299"));
  const auto neighbors = top_k_cosine(e, std::vector<float>(8, 1.0f / std::sqrt(8.0f)), 200, {});
  CHECK(neighbors.size() == 100);
}

TEST_CASE("the first words of a store, written as a store, have an index of their own", "[store]") {
  // The limited view's index names all 300 rows; written as it is, a lookup of a word past
  // the limit would meet a row the new store does not have and call the store damaged.
  const auto words = random_words(300, 8, 4);
  LoadOptions options;
  options.limit = 100;
  const Embeddings first = load(store_of(words, "limited-source"), options);
  const fs::path again = scratch_dir() / "limited-again.emb";
  StoreWriteOptions write_options;
  write_options.force = true;
  write_store(first, again, write_options);
  const Embeddings e = open_store(again);
  REQUIRE(e.rows() == 100);
  for (uint32_t r = 0; r < 100; ++r) CHECK(e.vocabulary().find(words[r].word) == r);
  for (size_t r = 100; r < words.size(); ++r) CHECK_FALSE(e.vocabulary().find(words[r].word));
  // Laid out as a store converted from those 100 words alone.
  std::vector<WordVector> hundred(words.begin(), words.begin() + 100);
  const Embeddings direct = open_store(store_of(hundred, "limited-direct"));
  const auto a = e.vocabulary().slots(), b = direct.vocabulary().slots();
  CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

TEST_CASE("a damaged, foreign or newer store is refused with a reason", "[store]") {
  const auto path = store_of(random_words(50, 4, 5), "damaged");
  auto refusal = [](const fs::path& p) -> std::string {
    try {
      open_store(p);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::bad_data);
      return e.what();
    }
    return "accepted";
  };
  CHECK_THAT(refusal(damaged_copy(path, 0, "XMBSTORE", "magic.emb")), Catch::Contains("not an embtool store"));
  CHECK_THAT(refusal(damaged_copy(path, 8, std::string("\x02\0\0\0", 4), "v2.emb")),
             Catch::Contains("version 2"));
  CHECK_THAT(refusal(damaged_copy(path, 12, std::string("\x01\x02\x03\x04", 4), "be.emb")),
             Catch::Contains("byte order"));
  const std::string whole = read_all(path);
  CHECK_THAT(refusal(write_file("cut.emb", whole.substr(0, whole.size() - 4096))),
             Catch::Contains("truncated"));
  CHECK_THAT(refusal(write_file("tiny.emb", whole.substr(0, 20))), Catch::Contains("too short"));
}

TEST_CASE("writing a store never leaves a partial file", "[store]") {
  const auto words = random_words(200, 16, 6);
  const Embeddings e = load(write_file("atomic.bin", word2vec_binary(words)));
  const fs::path target = scratch_dir() / "atomic.emb";
  write_file("atomic.emb", "old contents");

  StoreWriteOptions options;
  CHECK_THROWS_AS(write_store(e, target, options), Error);  // exists, no --force
  CHECK(read_all(target) == "old contents");

  options.force = true;
  options.progress = [](uint64_t, uint64_t) { throw Error(ErrorKind::io, "disk full"); };
  CHECK_THROWS_AS(write_store(e, target, options), Error);  // fails midway
  CHECK(read_all(target) == "old contents");
  for (const auto& entry : fs::directory_iterator(scratch_dir())) {
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }

  options.progress = nullptr;
  write_store(e, target, options);
  CHECK(open_store(target).rows() == 200);
}

TEST_CASE("embtool convert writes a store that answers as the original file does", "[store][cli]") {
  const auto source = write_file("cli-convert.bin", word2vec_binary(toy_words()));
  const auto store = (scratch_dir() / "cli-convert.emb").string();
  const auto converted = run_cli({"convert", source.string(), store, "--dtype", "f16,i8"});
  REQUIRE(converted.code == 0);
  CHECK(converted.out.empty());

  for (const char* scan : {"auto", "f32", "f16", "i8"}) {
    INFO("scan " << scan);
    const auto from_file = run_cli({"-m", source.string(), "neighbors", "king", "--k", "5"});
    const auto from_store = run_cli({"-m", store, "--scan-dtype", scan, "neighbors", "king", "--k", "5"});
    CHECK(from_store.code == 0);
    CHECK(from_store.out == from_file.out);
  }
  const auto again = run_cli({"convert", source.string(), store});
  CHECK(again.code == 2);
  CHECK_THAT(again.err, Catch::Contains("--force"));
  const auto onto_input = run_cli({"convert", source.string(), source.string(), "--force"});
  CHECK(onto_input.code == 2);
  CHECK_THAT(onto_input.err, Catch::Contains("is the input file"));
}
