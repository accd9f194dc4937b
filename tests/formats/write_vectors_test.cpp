// Writing word2vec binary, word2vec text and GloVe: what is read back is what was written,
// every word byte and every float bit.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/store/store_file.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

// Every word and every float bit of `a` and `b` equal (NaNs compared as NaN: text keeps no payload).
void require_same_content(const Embeddings& a, const Embeddings& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.dim() == b.dim());
  for (uint32_t r = 0; r < a.rows(); ++r) {
    REQUIRE(a.vocabulary().word(r) == b.vocabulary().word(r));
    const auto x = a.row_values(r), y = b.row_values(r);
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(x[i])) {
        REQUIRE(std::isnan(y[i]));
      } else {
        REQUIRE(std::bit_cast<uint32_t>(x[i]) == std::bit_cast<uint32_t>(y[i]));
      }
    }
  }
}

// Values that are hard to print and read back: signed zero, subnormals, extremes, long decimals.
std::vector<WordVector> awkward_words() {
  auto words = random_words(300, 7, 99);
  const float specials[] = {-0.0f, 0.0f, std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::min(), std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max(), 1.0f / 3.0f, 16777217.0f, 0.1f, 1e-45f, 3.4028235e38f,
                            std::nextafter(1.0f, 2.0f)};
  for (size_t i = 0; i < std::size(specials); ++i) words[i].values[i % 7] = specials[i];
  const char* names[] = {"naïve", "日本語", "tab\there" /* a tab survives every format */, "-",
                         "\xC3" /* not valid UTF-8: bytes are bytes */};
  for (size_t i = 0; i < std::size(names); ++i) words[20 + i].word = std::string(names[i]);
  return words;
}

}  // namespace

TEST_CASE("word2vec binary, text and GloVe written and read back keep every word and bit", "[write]") {
  const Embeddings original = load(write_file("awkward.bin", word2vec_binary(awkward_words())));
  for (const auto& [format, name] : {std::pair{"word2vec-binary", "out.bin"},
                                     std::pair{"word2vec-text", "out.txt"},
                                     std::pair{"glove", "out.glove"}}) {
    INFO(name);
    const auto path = scratch_dir() / name;
    write_vectors(original, path, format, {.force = true, .progress = {}});
    LoadOptions options;
    options.format = format;
    require_same_content(original, load(path, options));
  }
}

TEST_CASE("binary -> store -> binary gives the original file byte for byte", "[write]") {
  const std::string bytes = word2vec_binary(awkward_words());
  const auto original = write_file("orig.bin", bytes);
  write_store(load(original), scratch_dir() / "orig.emb", {.reduced = {Dtype::i8}, .force = true, .progress = {}});
  write_vectors(open_store(scratch_dir() / "orig.emb"), scratch_dir() / "again.bin", "word2vec-binary",
                {.force = true, .progress = {}});
  std::ifstream in(scratch_dir() / "again.bin", std::ios::binary);
  const std::string again((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(again == bytes);
}

TEST_CASE("NaN and Inf kept with --allow-nonfinite survive text", "[write]") {
  auto words = random_words(3, 4, 5);
  words[1].values[2] = std::numeric_limits<float>::quiet_NaN();
  words[2].values[0] = -std::numeric_limits<float>::infinity();
  LoadOptions allow;
  allow.allow_nonfinite = true;
  const Embeddings original = load(write_file("nonfinite.bin", word2vec_binary(words)), allow);
  write_vectors(original, scratch_dir() / "nonfinite.txt", "word2vec-text", {.force = true, .progress = {}});
  require_same_content(original, load(scratch_dir() / "nonfinite.txt", allow));
}

TEST_CASE("a word the format cannot hold is refused before anything is written", "[write]") {
  auto words = random_words(3, 2, 6);
  words[1].word = "line\nbreak";
  const Embeddings e = load(write_file("linebreak.bin", word2vec_binary(words)));
  const auto path = scratch_dir() / "linebreak.txt";
  try {
    write_vectors(e, path, "word2vec-text", {});
    FAIL("a line break in a word was written as text");
  } catch (const Error& error) {
    CHECK_THAT(error.what(), Catch::Contains("word 2") && Catch::Contains("line break"));
  }
  CHECK_FALSE(std::filesystem::exists(path));
  write_vectors(e, scratch_dir() / "linebreak.bin", "word2vec-binary", {.force = true, .progress = {}});
  require_same_content(e, load(scratch_dir() / "linebreak.bin"));
}

TEST_CASE("an existing output is kept without force, replaced with it", "[write]") {
  const Embeddings e = load(write_file("keep.bin", word2vec_binary(random_words(4, 3, 7))));
  const auto path = write_file("existing.txt", "old contents");
  CHECK_THROWS_AS(write_vectors(e, path, "word2vec-text", {}), Error);
  std::ifstream in(path);
  CHECK(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()) == "old contents");
  write_vectors(e, path, "word2vec-text", {.force = true, .progress = {}});
  CHECK(load(path).rows() == 4);
}

TEST_CASE("round trips keep the bundled model and the shared files whole", "[write][shared]") {
  std::vector<std::filesystem::path> files{EMBTOOL_SOURCE_DIR "/data/model.bin"};
  if (const auto shared = shared_data_dir()) {
    for (const char* name : {"euclidean_vectors.bin", "high_precision.kv.bin", "high_precision.kv.txt",
                             "lee_fasttext.vec", "toy-model.vec", "test_glove.txt"}) {
      files.push_back(*shared / "eval" / name);
    }
    files.push_back(*shared / "sample" / "sample.bin");
  }
  for (const auto& file : files) {
    INFO(file.string());
    const Embeddings original = load(file);
    const auto store = scratch_dir() / "rt.emb";
    write_store(original, store, {.reduced = {}, .force = true, .progress = {}});
    for (const auto& [format, name] : {std::pair{"word2vec-binary", "rt.bin"},
                                       std::pair{"word2vec-text", "rt.txt"}}) {
      const auto path = scratch_dir() / name;
      write_vectors(open_store(store), path, format, {.force = true, .progress = {}});
      require_same_content(original, load(path));
    }
  }
}
