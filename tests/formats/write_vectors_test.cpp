// Writing word2vec binary, word2vec text and GloVe: what is read back is what was written,
// every word byte and every float bit.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

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

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_character_device(const char* path) {
  struct stat status {};
  return ::stat(path, &status) == 0 && S_ISCHR(status.st_mode);
}

// What writing `e` to `target` (with force) is refused with, "written" if it is not.
std::string refusal(const Embeddings& e, const std::filesystem::path& target, std::string_view format) {
  try {
    write_vectors(e, target, format, {.force = true, .progress = {}});
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::invalid_argument);
    return error.what();
  }
  return "written";
}

}  // namespace

TEST_CASE("only a regular file is replaced: a device, FIFO, directory or link to one is refused",
          "[write]") {
  namespace fs = std::filesystem;
  const Embeddings e = load(write_file("regular-only.bin", word2vec_binary(random_words(5, 3, 8))));
  const fs::path dir = scratch_dir() / "not-regular";
  fs::create_directories(dir / "a-directory");
  REQUIRE(::mkfifo((dir / "a-fifo").c_str(), 0600) == 0);
  fs::create_symlink("/dev/null", dir / "to-null");
  fs::create_symlink(dir / "a-directory", dir / "to-directory");
  fs::create_symlink(dir / "a-fifo", dir / "to-fifo");
  fs::create_symlink(dir / "nothing-here", dir / "to-nothing");
  const std::vector<std::pair<fs::path, std::string>> refused = {
      {"/dev/null", "/dev/null is a character device"},
      {"/dev/full", "/dev/full is a character device"},
      {dir / "a-fifo", "a-fifo is a FIFO"},
      {dir / "a-directory", "a-directory is a directory"},
      {dir / "to-null", "to-null is a symbolic link to a character device"},
      {dir / "to-directory", "to-directory is a symbolic link to a directory"},
      {dir / "to-fifo", "to-fifo is a symbolic link to a FIFO"},
      {dir / "to-nothing", "to-nothing is a symbolic link to nothing"}};
  for (const auto& [target, why] : refused) {
    for (const std::string_view format : {"word2vec-text", "word2vec-binary"}) {
      INFO(target.string() << " as " << format);
      CHECK_THAT(refusal(e, target, format), Catch::Contains(why));
    }
    StoreWriteOptions store;
    store.force = true;
    CHECK_THROWS_AS(write_store(e, target, store), Error);
  }
  // Run as root, a rename over them would have replaced the nodes by files.
  CHECK(is_character_device("/dev/null"));
  CHECK(is_character_device("/dev/full"));
  CHECK(fs::is_fifo(dir / "a-fifo"));
  CHECK(fs::is_directory(dir / "a-directory"));
  CHECK(fs::is_empty(dir / "a-directory"));
  CHECK(fs::is_symlink(dir / "to-nothing"));
  CHECK_FALSE(fs::exists(dir / "nothing-here"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("a link to a regular file is written through: the file is replaced, the link stays",
          "[write]") {
  namespace fs = std::filesystem;
  const Embeddings e = load(write_file("through.bin", word2vec_binary(random_words(5, 3, 9))));
  const fs::path file = write_file("through-target.txt", "old contents");
  const fs::path link = scratch_dir() / "through-link.txt";
  fs::create_symlink(file, link);
  CHECK_THROWS_AS(write_vectors(e, link, "word2vec-text", {}), Error);  // exists, no force
  CHECK(read_all(file) == "old contents");
  write_vectors(e, link, "word2vec-text", {.force = true, .progress = {}});
  CHECK(fs::is_symlink(link));
  CHECK(load(file).rows() == 5);
}

TEST_CASE("written to a stream, the text formats are the file's bytes; a failed write is an I/O error",
          "[write]") {
  const Embeddings e = load(write_file("streamed.bin", word2vec_binary(awkward_words())));
  for (const auto& [format, name] : {std::pair<std::string_view, const char*>{"word2vec-text", "streamed.txt"},
                                     std::pair<std::string_view, const char*>{"glove", "streamed.glove"},
                                     std::pair<std::string_view, const char*>{"word2vec-binary", "streamed-again.bin"}}) {
    INFO(name);
    write_vectors(e, scratch_dir() / name, format, {.force = true, .progress = {}});
    std::ostringstream out;
    write_vectors(e, out, "standard output", format, {});
    CHECK(out.str() == read_all(scratch_dir() / name));
  }
  std::ofstream full("/dev/full", std::ios::binary);
  REQUIRE(full.is_open());
  try {
    write_vectors(e, full, "standard output", "word2vec-text", {});
    FAIL("a write to a full device succeeded");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::io);
    CHECK_THAT(error.what(), Catch::Contains("standard output: cannot write"));
  }
}
