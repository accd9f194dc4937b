#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "search/search.hpp"
#include "formats/store/store_file.hpp"
#include "formats/token_vocabulary.hpp"
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

namespace {

// The word offsets section of a store written by store_of (header, then metadata, vocabulary
// and word offsets each on its own 4 KiB page: both small enough for one page here).
constexpr size_t kWordOffsetsAt = 3 * 4096;

std::string as_bytes(uint64_t value) { return std::string(reinterpret_cast<const char*>(&value), 8); }

// A store found by fuzzing: 3 words whose third offset is 2^64 - 1, the last one right.
fs::path fuzzed_store() {
  return fs::path(EMBTOOL_SOURCE_DIR) / "tests/fuzz/regressions/store/limit-offsets-past-vocabulary.emb";
}

}  // namespace

TEST_CASE("a limit never slices the vocabulary past its section: a damaged offset is refused",
          "[store]") {
  const auto path = store_of(random_words(50, 4, 7), "offsets");
  // Row 9 ("w9") ends where offset 10 says: after "w0" .. "w9", 20 bytes.
  const size_t end_of_row_9 = kWordOffsetsAt + 10 * 8;
  REQUIRE(read_all(path).substr(end_of_row_9, 8) == as_bytes(20));
  for (const uint64_t bad : {uint64_t{UINT64_MAX}, uint64_t{1} << 40, uint64_t{4096}}) {
    INFO("row 9's end offset " << bad);
    const auto damaged = damaged_copy(path, end_of_row_9, as_bytes(bad), "offsets-bad.emb");
    try {
      open_store(damaged, 10);  // the limit's slice of the vocabulary ends at the bad offset
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::bad_data);
      CHECK_THAT(e.what(), Catch::Contains("offsets-bad.emb") && Catch::Contains("damaged word offsets"));
    }
    // A limit that ends before the damage sees sound words; one past it (and no limit) has
    // the offsets checked word by word as they are read (opening does nothing per word).
    CHECK(open_store(damaged, 9).vocabulary().word(8) == "w8");
    for (const std::optional<uint64_t> limit : {std::optional<uint64_t>(11), std::optional<uint64_t>()}) {
      const Embeddings e = open_store(damaged, limit);
      CHECK_THROWS_AS(e.vocabulary().word(9), Error);
      CHECK_THROWS_AS(e.vocabulary().word(10), Error);
      // Found as it is read, long after the open: the message still names the file.
      CHECK_THROWS_WITH(e.vocabulary().word(9), Catch::Contains("offsets-bad.emb: corrupt vocabulary"));
      CHECK(e.vocabulary().word(8) == "w8");
    }
  }
  const Embeddings fuzzed = open_store(fuzzed_store());
  CHECK(fuzzed.vocabulary().arena_bytes() == 12);
  CHECK_THROWS_AS(open_store(fuzzed_store(), 2), Error);
  CHECK(open_store(fuzzed_store(), 1).vocabulary().arena_bytes() == 4);
}

TEST_CASE("the fuzzed store with --limit: info, vector --id and convert refuse it in one line",
          "[store][cli]") {
  const std::string store = fuzzed_store().string();
  const std::string out = (scratch_dir() / "fuzzed-out.txt").string();
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"-m", store, "--limit", "2", "info"},
        std::vector<std::string>{"-m", store, "--limit", "2", "vector", "--id", "1"},
        std::vector<std::string>{"--limit", "2", "convert", store, out, "--force"},
        std::vector<std::string>{"--limit", "2", "convert", store, out + ".emb", "--force"}}) {
    INFO(fmt::format("{}", fmt::join(command, " ")));
    const auto result = run_cli(command);
    CHECK(result.code == 4);
    CHECK(result.out.empty());
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK_THAT(result.err, Catch::Contains("damaged word offsets"));
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("a store written from a store seen through a limit has an index of its own words",
          "[store]") {
  const auto words = random_words(300, 8, 8);
  const Embeddings limited = open_store(store_of(words, "relimit-source"), 100);
  const fs::path copy = scratch_dir() / "relimited.emb";
  write_store(limited, copy, {.reduced = {}, .force = true, .progress = {}});
  const Embeddings e = open_store(copy);
  REQUIRE(e.rows() == 100);
  CHECK(e.vocabulary().find("w99") == 99u);
  // Once the index named rows 100..299, which this store does not hold: a damaged store.
  for (const auto& word : {"w100", "w299", "not-a-word"}) CHECK_FALSE(e.vocabulary().find(word));
  for (uint32_t r = 0; r < e.rows(); ++r) CHECK(e.vocabulary().find(words[r].word) == r);
}

TEST_CASE("a tokenizer model's store keeps its bfloat16 rows, token kinds, spelling and facts", "[store][tokens]") {
  // 5 tokens of a byte-level tokenizer in a 6 x 3 bfloat16 matrix: the last row is past the tokens.
  const std::vector<uint16_t> bits = {0x3F80, 0x4000, 0x4040, 0xBF80, 0x0000, 0x3F00, 0x4080, 0x40A0, 0x40C0,
                                      0x3E80, 0x3E00, 0x3D80, 0xC000, 0x4000, 0x3F80, 0x3C00, 0x3C80, 0x3D00};
  auto owner = std::make_shared<std::vector<uint16_t>>(bits);
  Matrix rows = Matrix::view(Dtype::bf16, 6, 3, reinterpret_cast<const std::byte*>(owner->data()), 3, owner);
  formats::TokenVocabulary tokens;
  tokens.keys = {"<|endoftext|>", "\xC4\xA0king", "king", "\xC4\xA0queen", "\xC4\x8A"};
  tokens.kinds = {TokenKind::control, TokenKind::normal, TokenKind::normal, TokenKind::normal, TokenKind::normal};
  tokens.spelling = TokenSpelling::byte_level;
  tokens.tokenizer = "gpt2";
  SourceInfo source;
  source.path = "toy.safetensors";
  source.format = "safetensors";
  source.facts = {{"architecture", std::string("GPT2LMHeadModel")}, {"context_length", int64_t{1024}}};
  const Embeddings model = formats::embeddings_with_tokens(std::move(rows), std::move(tokens), source, 0, "toy");

  const fs::path store = scratch_dir() / "tokens.emb";
  StoreWriteOptions options;
  options.force = true;
  write_store(model, store, options);
  const Embeddings back = open_store(store, std::nullopt);

  REQUIRE(back.rows() == 6);
  CHECK(back.dtype() == Dtype::bf16);
  CHECK(back.reduced_copies().empty());
  for (uint32_t r = 0; r < 6; ++r) {
    CHECK(back.vocabulary().word(r) == model.vocabulary().word(r));
    CHECK(back.row_values(r) == model.row_values(r));
    CHECK(back.norm(r) == model.norm(r));
  }
  CHECK(back.vocabulary().word(5) == "<row 5>");
  REQUIRE(back.tokens() != nullptr);
  CHECK(back.tokens()->spelling() == TokenSpelling::byte_level);
  CHECK(back.tokens()->tokenizer() == "gpt2");
  CHECK(back.tokens()->kind(0) == TokenKind::control);
  CHECK(back.tokens()->kind(5) == TokenKind::unused);
  CHECK(back.tokens()->find_text(" queen") == 3u);
  CHECK(back.source().text("architecture") == "GPT2LMHeadModel");
  CHECK(back.source().number("context_length") == 1024);
  CHECK(back.source().number("tokens") == 5);

  // The rows already are bfloat16 and there are no float32 rows to re-rank on: no copies.
  for (const Dtype dtype : {Dtype::bf16, Dtype::i8}) {
    options.reduced = {dtype};
    CHECK_THROWS_WITH(write_store(model, store, options), Catch::Contains("already bf16"));
  }
}
