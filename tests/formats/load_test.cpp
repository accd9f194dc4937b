#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

// Same words in the same rows, and every value the same bit for bit.
void require_same(const Embeddings& e, const std::vector<WordVector>& words) {
  REQUIRE(e.rows() == words.size());
  REQUIRE(e.dim() == words[0].values.size());
  for (uint32_t r = 0; r < words.size(); ++r) {
    CHECK(e.vocabulary().word(r) == words[r].word);
    for (size_t i = 0; i < e.dim(); ++i) {
      CHECK(std::bit_cast<uint32_t>(e.row_values(r)[i]) == std::bit_cast<uint32_t>(words[r].values[i]));
    }
  }
}

// Loading must fail with a bad-file error whose message contains `fragment`.
void require_refused(const std::filesystem::path& path, const std::string& fragment,
                     LoadOptions options = {}, ErrorKind code = ErrorKind::bad_data) {
  try {
    load(path, options);
    FAIL("loaded a file that should be refused: " << path);
  } catch (const Error& e) {
    CHECK(e.kind() == code);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path.filename().string()));
  }
}

}  // namespace

TEST_CASE("word2vec binary loads with and without a newline after each vector", "[formats]") {
  const auto words = random_words(50, 7, 1);
  const auto with = load(write_file("with_nl.bin", word2vec_binary(words, true)));
  const auto without = load(write_file("without_nl.bin", word2vec_binary(words, false)));
  require_same(with, words);
  require_same(without, words);
  CHECK(with.source().format == "word2vec-binary");
  CHECK(without.source().format == "word2vec-binary");
  CHECK_FALSE(warned(with, "data after the"));
}

TEST_CASE("word2vec binary keeps words as raw bytes, including invalid UTF-8", "[formats]") {
  auto words = random_words(4, 3, 2);
  words[1].word = "clich\xe9s";        // Latin-1, not UTF-8
  words[2].word = "caf\xc3\xa9";       // UTF-8
  words[3].word = "tab\there";         // a tab is a byte of the word in binary files
  const auto e = load(write_file("bytes.bin", word2vec_binary(words)));
  require_same(e, words);
  CHECK(e.vocabulary().find("clich\xe9s") == 1u);
}

TEST_CASE("word2vec text and fastText .vec load, with or without trailing spaces", "[formats]") {
  const auto words = random_words(30, 5, 3);
  const auto plain = load(write_file("plain.txt", word2vec_text(words)));
  const auto spaced = load(write_file("spaced.vec", word2vec_text(words, true)));
  // fmt's shortest float text reads back to the same float32.
  require_same(plain, words);
  require_same(spaced, words);
  CHECK(plain.source().format == "word2vec-text");
  CHECK_FALSE(warned(plain, "CR LF"));
}

TEST_CASE("CRLF text files load, and the CRs are noticed", "[formats]") {
  const auto words = random_words(10, 4, 4);
  const auto e = load(write_file("crlf.txt", word2vec_text(words, false, "\r\n")));
  require_same(e, words);
  CHECK(warned(e, "CR LF"));
}

TEST_CASE("GloVe text without a header is detected", "[formats]") {
  const auto words = random_words(20, 6, 5);
  const auto e = load(write_file("glove.txt", glove_text(words)));
  require_same(e, words);
  CHECK(e.source().format == "glove");
  CHECK(e.source().number("header_count") == 0);
}

TEST_CASE("gzip-compressed files of every format load like the plain ones", "[formats]") {
  const auto words = random_words(300, 8, 6);
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"gz.bin.gz", word2vec_binary(words)},
           {"gz_nonl.bin.gz", word2vec_binary(words, false)},
           {"gz.txt.gz", word2vec_text(words)},
           {"gz.glove.gz", glove_text(words)}}) {
    INFO(name);
    const auto e = load(write_file(name, gzip(bytes)));
    require_same(e, words);
    CHECK(e.source().text("compression") == "gzip");
  }
}

TEST_CASE("text values are read as numpy.float32(str) reads them: via double", "[formats]") {
  // Correct rounding straight to float32 would give the next float above 1; numpy gives 1.
  const std::string text = "1 2\nw 1.000000059604644775390625000001 -8.269973595356034e-05\n";
  const auto e = load(write_file("double_rounding.txt", text));
  CHECK(e.row_values(0)[0] == 1.0f);
  CHECK(e.row_values(0)[1] == static_cast<float>(-8.269973595356034e-05));
}

TEST_CASE("a load limit reads only the first N words", "[formats]") {
  const auto words = random_words(40, 3, 7);
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"limit.bin", word2vec_binary(words)},
           {"limit.txt", word2vec_text(words)},
           {"limit.glove", glove_text(words)}}) {
    INFO(name);
    LoadOptions options;
    options.limit = 12;
    const auto e = load(write_file(name, bytes), options);
    require_same(e, std::vector<WordVector>(words.begin(), words.begin() + 12));
    options.limit = 1000;  // larger than the file: everything, no error
    CHECK(load(write_file(name, bytes), options).rows() == 40);
  }
}

TEST_CASE("duplicate words: the first occurrence wins and the rest are counted", "[formats]") {
  auto words = random_words(6, 3, 8);
  words[4].word = words[1].word;
  words[5].word = words[1].word;
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"dup.bin", word2vec_binary(words)}, {"dup.txt", word2vec_text(words)}}) {
    const auto e = load(write_file(name, bytes));
    REQUIRE(e.rows() == 4);
    CHECK(e.source().number("duplicates_dropped") == 2);
    CHECK(e.row_values(*e.vocabulary().find(words[1].word))[0] == words[1].values[0]);
  }
}

TEST_CASE("a header announcing fewer words than follow: the rest is ignored and noticed", "[formats]") {
  const auto words = random_words(5, 3, 9);
  const auto e = load(write_file("short_count.bin", word2vec_binary_with_header(words, "3 3\n")));
  CHECK(e.rows() == 3);
  CHECK(warned(e, "data after the"));
  auto text = word2vec_text(words);
  text.replace(0, 1, "3");
  const auto t = load(write_file("short_count.txt", text));
  CHECK(t.rows() == 3);
  CHECK(warned(t, "data after the"));
}

TEST_CASE("truncated files are refused with the place named", "[formats]") {
  const auto words = random_words(10, 4, 10);
  const std::string full = word2vec_binary(words);
  SECTION("inside a vector") {
    require_refused(write_file("cut_vector.bin", full.substr(0, full.size() - 7)), "truncated");
  }
  SECTION("inside a word") {
    const auto cut = full.substr(0, full.rfind("w9") + 1);
    require_refused(write_file("cut_word.bin", cut), "truncated");
  }
  SECTION("header count larger than the data, text") {
    auto text = word2vec_text(words);
    text.replace(0, 2, "11");
    require_refused(write_file("long_count.txt", text), "truncated");
  }
  SECTION("gzip stream cut short") {
    const std::string gz = gzip(word2vec_binary(random_words(2000, 16, 11)));
    require_refused(write_file("cut.bin.gz", gz.substr(0, gz.size() / 2)), "");
  }
}

TEST_CASE("absurd headers are refused before any allocation", "[formats]") {
  const auto words = random_words(3, 4, 12);
  require_refused(write_file("dim0.bin", word2vec_binary_with_header(words, "3 0\n")), "dimension 0");
  require_refused(write_file("dim_huge.bin", word2vec_binary_with_header(words, "3 2000000000\n")),
                  "2000000000");
  require_refused(write_file("count_huge.bin", word2vec_binary_with_header(words, "4000000000 4\n")),
                  "4000000000");
  require_refused(write_file("count_big.bin", word2vec_binary_with_header(words, "300000 4\n")),
                  "300000 words");
  require_refused(write_file("count0.bin", word2vec_binary_with_header(words, "0 4\n")), "0 words");
}

TEST_CASE("NaN and Inf are refused unless allowed", "[formats]") {
  auto words = random_words(4, 3, 13);
  words[2].values[1] = std::numeric_limits<float>::quiet_NaN();
  words[3].values[0] = std::numeric_limits<float>::infinity();
  const auto bin = write_file("nan.bin", word2vec_binary(words));
  require_refused(bin, "w2");
  require_refused(write_file("nan.txt", word2vec_text(words)), "line 4");
  LoadOptions allow;
  allow.allow_nonfinite = true;
  const auto e = load(bin, allow);
  CHECK(e.nonfinite_values() == 2);
  CHECK(std::isnan(e.row_values(2)[1]));
}

TEST_CASE("malformed text rows are refused with their line number", "[formats]") {
  SECTION("wrong column count") {
    require_refused(write_file("cols.txt", "2 3\na 1 2 3\nb 1 2\n"), "line 3 (word 'b') has 2 values, expected 3");
  }
  SECTION("a value that is not a number") {
    require_refused(write_file("nan_text.txt", "2 2\na 1 2\nb 1 x2\n"), "'x2', not a number");
  }
  SECTION("two spaces in a row") {
    require_refused(write_file("double_space.txt", "1 2\na 1  2\n"), "two spaces");
  }
  SECTION("an empty word") {
    require_refused(write_file("empty_word.txt", "2 2\na 1 2\n 1 2\n"), "empty word");
  }
  SECTION("a blank line inside the data") {
    require_refused(write_file("blank.txt", "2 2\na 1 2\n\nb 1 2\n"), "line 3");
  }
  SECTION("GloVe with a ragged line") {
    require_refused(write_file("ragged.glove", "a 1 2 3\nb 1 2 3\nc 1 2\n"), "line 3");
  }
}

TEST_CASE("an empty word in a binary file is refused", "[formats]") {
  auto words = random_words(3, 2, 14);
  words[1].word = "";
  require_refused(write_file("empty_word.bin", word2vec_binary(words)), "empty word at record 2");
}

TEST_CASE("text where binary was expected, and the reverse, are refused clearly", "[formats]") {
  const auto words = random_words(5, 4, 15);
  LoadOptions as_binary;
  as_binary.format = "word2vec-binary";
  require_refused(write_file("text_as_bin.txt", word2vec_text(words)), "looks like a word2vec text file",
                  as_binary);
  LoadOptions as_text;
  as_text.format = "word2vec-text";
  require_refused(write_file("bin_as_text.bin", word2vec_binary(words)), "", as_text);
}

TEST_CASE("files that are not vector files are refused", "[formats]") {
  require_refused(write_file("empty.txt", ""), "empty");
  require_refused(write_file("prose.txt", "Hello world, this is a README.\nNothing to see.\n"),
                  "not a word-vector file");
  require_refused(write_file("zeros.bin", std::string(4096, '\0')), "not a word-vector file");
  require_refused(scratch_dir() / "does_not_exist.bin", "cannot open", {}, ErrorKind::io);
}

TEST_CASE("trailing blank lines and a UTF-8 byte order mark are harmless", "[formats]") {
  const auto words = random_words(3, 2, 16);
  CHECK(load(write_file("blank_end.glove", glove_text(words) + "\n\n")).rows() == 3);
  CHECK(load(write_file("blank_end.txt", word2vec_text(words) + "\n \n")).rows() == 3);
  CHECK_FALSE(warned(load(write_file("blank_end2.txt", word2vec_text(words) + "\n")), "data after the"));
  CHECK(load(write_file("bom.txt", "\xEF\xBB\xBF" + word2vec_text(words))).rows() == 3);
}

TEST_CASE("the shared third-party vector files load as gensim loads them", "[formats][shared]") {
  const auto shared = shared_data_dir();
  if (!shared) {
    WARN("../shared/data is absent: skipping the third-party file checks");
    return;
  }
  const auto eval = *shared / "eval";
  struct Expected {
    const char* name;
    size_t rows;
    size_t dim;
    std::string_view format;
  };
  for (const Expected& x : {Expected{"euclidean_vectors.bin", 2747, 10, "word2vec-binary"},
                            Expected{"high_precision.kv.bin", 2, 2, "word2vec-binary"},
                            Expected{"high_precision.kv.txt", 2, 2, "word2vec-text"},
                            Expected{"lee_fasttext.vec", 1762, 10, "word2vec-text"},
                            Expected{"toy-model.vec", 22, 5, "word2vec-text"},
                            Expected{"test_glove.txt", 76, 50, "glove"}}) {
    INFO(x.name);
    const auto e = load(eval / x.name);
    CHECK(e.rows() == x.rows);
    CHECK(e.dim() == x.dim);
    CHECK(e.source().format == x.format);
  }
  // Its header says 3 words; the body has 1 (gensim raises EOFError).
  require_refused(eval / "pretrained.vec", "truncated");
}

TEST_CASE("loading reports its progress up to the whole file", "[formats]") {
  const auto words = random_words(70000, 2, 17);
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"progress.bin", word2vec_binary(words)},
           {"progress.txt", word2vec_text(words)},
           {"progress.glove", glove_text(words)},
           {"progress.bin.gz", gzip(word2vec_binary(words))}}) {
    INFO(name);
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    LoadOptions options;
    options.progress = [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); };
    const auto path = write_file(name, bytes);
    load(path, options);
    REQUIRE(reports.size() >= 2);  // at least one mid-way report, and the final one
    CHECK(reports.back().first == std::filesystem::file_size(path));
    CHECK(reports.back().second == std::filesystem::file_size(path));
    CHECK(std::is_sorted(reports.begin(), reports.end()));
  }
}
