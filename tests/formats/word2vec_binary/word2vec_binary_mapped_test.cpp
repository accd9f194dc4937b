// The mapped word2vec binary reader against the streaming one: for every file, either both
// refuse it with the same error, or both give the same words, rows, norms, index and notes,
// bit for bit, however many threads walk the records.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "fixtures.hpp"
#include "formats/reader_comparison.hpp"
#include "formats/word2vec_binary/word2vec_binary.hpp"

using namespace embtool;
using namespace embtool::formats;
using namespace embtool::testing;

namespace {

// The reader called directly, as load() calls it for a word2vec binary file.
template <class Read>
auto with_reader_after_header(const std::filesystem::path& path, Read read) {
  ByteReader in(path);
  std::string line;
  in.read_until('\n', line, 4096);
  const Header header = parse_header_line(line).value();
  ReadNotes info;
  info.path = path.string();
  info.format = "word2vec-binary";
  info.file_bytes = in.file_bytes();
  info.header_count = header.count;
  return read(in, header, info);
}

Outcome streaming(const std::filesystem::path& path, const LoadOptions& options = {}) {
  return outcome_of([&] {
    return with_reader_after_header(
        path, [&](ByteReader& in, const Header& header, ReadNotes info) {
          return read_word2vec_binary(in, header, options, std::move(info));
        });
  });
}

// The mapped reader alone, the records walked in `chunks` shares (0: its own choice); when it
// declines, the outcome is the streaming reader's error.
Outcome mapped(const std::filesystem::path& path, const LoadOptions& options = {},
               unsigned chunks = 0, MappedLoadTimes* times = nullptr) {
  bool declined = false;
  Outcome outcome = outcome_of([&] {
    return with_reader_after_header(
        path, [&](ByteReader& in, const Header& header, ReadNotes info) {
          auto e = read_word2vec_binary_mapped(in, header, options, info, chunks, times);
          if (e) return std::move(*e);
          declined = true;
          return read_word2vec_binary(in, header, options, std::move(info));
        });
  });
  outcome.mapped_declined = declined;
  return outcome;
}

// The mapped reader in 1, 2, 3 and 5 shares, and load() itself, against the streaming one.
void require_same_as_streaming(const std::filesystem::path& path, LoadOptions options = {}) {
  const Outcome expected = streaming(path, options);
  for (unsigned chunks : {1u, 2u, 3u, 5u}) {
    INFO(path.filename().string() << " in " << chunks << " shares");
    require_same_outcome(mapped(path, options, chunks), expected);
  }
  INFO(path.filename().string() << " through load()");
  options.format = "word2vec-binary";
  Outcome through_load = outcome_of([&] { return load(path, options); });
  if (expected.code) {
    REQUIRE(through_load.code.has_value());
    CHECK(*through_load.code == *expected.code);
    CHECK(through_load.message == expected.message);
  } else {
    REQUIRE(through_load.embeddings.has_value());
    CHECK(through_load.embeddings->row_stride_bytes() == 0);  // read in place, not copied
    require_identical(*through_load.embeddings, *expected.embeddings);
  }
}

// Unique words of every length from 1 to 20 bytes (as far as uniqueness allows: each starts
// with its row number, in as many digits as the largest needs), so that the rows sit at every
// alignment. Of any bytes but the space, and no leading newline; with `printable`, of
// printable bytes only (as real vocabularies are), except every 1000th word.
std::vector<WordVector> words_of_every_length(size_t count, size_t dim, uint32_t seed,
                                              bool printable = false) {
  auto words = random_words(count, dim, seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> any_byte(0, 255);
  std::uniform_int_distribution<int> printable_byte('!', '~');
  // Printable: '!'..'~'. Else every byte but 0, '\n' and ' '.
  const size_t base = printable ? 94 : 253;
  const auto digit = [printable](size_t d) {
    if (printable) return static_cast<char>('!' + d);
    return static_cast<char>(d + 1 + (d + 1 >= '\n') + (d + 2 >= ' '));
  };
  size_t digits = 1;
  for (size_t n = count - 1; n >= base; n /= base) ++digits;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word;
    for (size_t n = i, d = 0; d < digits; ++d, n /= base) word += digit(n % base);
    while (word.size() < i % 20 + 1) {
      const char c = static_cast<char>(printable ? printable_byte(rng) : any_byte(rng));
      word += c == ' ' ? '~' : c;
    }
    if (printable && i % 1000 == 999) word += "\t\n\x01";
    words[i].word = word;
  }
  return words;
}

std::string file_name(const std::string& stem, size_t variant) {
  return fmt::format("mapped_{}_{}.bin", stem, variant);
}

}  // namespace

TEST_CASE("mapped: words of every length, with and without newlines, read as streamed",
          "[formats][mapped]") {
  const auto words = words_of_every_length(200, 5, 21);
  require_same_as_streaming(write_file("mapped_lengths_nl.bin", word2vec_binary(words, true)));
  require_same_as_streaming(write_file("mapped_lengths.bin", word2vec_binary(words, false)));
  const auto e = load(write_file("mapped_lengths_load.bin", word2vec_binary(words, false)));
  for (uint32_t r = 0; r < words.size(); ++r) {
    REQUIRE(e.vocabulary().word(r) == words[r].word);
    REQUIRE(e.row_values(r) == words[r].values);
  }
}

TEST_CASE("mapped: newlines inside and before words are handled as the streaming reader does",
          "[formats][mapped]") {
  auto words = random_words(8, 3, 22);
  words[1].word = "in\nside";      // kept: only leading newlines are stripped
  words[2].word = "\n\nleading";   // stripped, as gensim does
  words[3].word = "\nx\ny\n";
  words[5].word = "tab\there\r";
  for (bool newline : {true, false}) {
    require_same_as_streaming(
        write_file(file_name("newlines", newline), word2vec_binary(words, newline)));
  }
  const auto e = load(write_file("mapped_inside.bin", word2vec_binary(words)));
  CHECK(e.vocabulary().find("in\nside") == 1u);
  CHECK(e.vocabulary().find("leading") == 2u);
  CHECK(e.vocabulary().find("x\ny\n") == 3u);
  words[6].word = "\n\x0a\n";  // nothing left once the newlines are stripped: an empty word
  require_same_as_streaming(write_file("mapped_only_newlines.bin", word2vec_binary(words)));
}

TEST_CASE("mapped: duplicates are dropped and counted, the first occurrence kept",
          "[formats][mapped]") {
  auto words = words_of_every_length(300, 4, 23);
  for (size_t i = 100; i < 300; i += 7) words[i].word = words[i % 50].word;
  words[299].word = words[0].word;
  for (bool newline : {true, false}) {
    const auto path = write_file(file_name("dups", newline), word2vec_binary(words, newline));
    require_same_as_streaming(path);
    const auto e = load(path);
    CHECK(e.source().number("duplicates_dropped") == 30);
    CHECK(e.row_values(*e.vocabulary().find(words[0].word)) == words[0].values);
  }
}

TEST_CASE("mapped: a load limit, a short header count and trailing data", "[formats][mapped]") {
  const auto words = words_of_every_length(500, 3, 24);
  const auto path = write_file("mapped_limit.bin", word2vec_binary(words));
  for (uint64_t limit : {1u, 2u, 19u, 250u, 499u, 500u, 501u, 100000u}) {
    INFO("limit " << limit);
    LoadOptions options;
    options.limit = limit;
    require_same_as_streaming(path, options);
  }
  const auto shorter = write_file(
      "mapped_short_count.bin", word2vec_binary_with_header(words, "300 3\n"));
  require_same_as_streaming(shorter);
  CHECK(warned(load(shorter), "data after the"));
  const auto blank_end = write_file("mapped_blank_end.bin", word2vec_binary(words) + "\n\n\n");
  require_same_as_streaming(blank_end);
  CHECK_FALSE(warned(load(blank_end), "data after the"));
  const auto junk_end = write_file("mapped_junk_end.bin", word2vec_binary(words) + "junk");
  require_same_as_streaming(junk_end);
  CHECK(warned(load(junk_end), "data after the"));
}

TEST_CASE("mapped: NaN, Inf and values too large to square", "[formats][mapped]") {
  auto words = words_of_every_length(400, 6, 25);
  words[3].values[2] = std::numeric_limits<float>::quiet_NaN();
  words[150].values[0] = -std::numeric_limits<float>::infinity();
  words[150].values[5] = std::numeric_limits<float>::infinity();
  words[200].values[1] = 3e38f;  // finite, but its square is not: the norm is inf, no error
  words[390].word = words[150].word;  // a duplicate's NaN values count too
  words[390].values[4] = std::numeric_limits<float>::quiet_NaN();
  const auto path = write_file("mapped_nan.bin", word2vec_binary(words, false));
  require_same_as_streaming(path);  // refused: record 4 has a NaN
  LoadOptions allow;
  allow.allow_nonfinite = true;
  require_same_as_streaming(path, allow);
  CHECK(load(path, allow).nonfinite_values() == 4);
  allow.limit = 100;  // the NaN after the limit are not read
  require_same_as_streaming(path, allow);
  CHECK(load(path, allow).nonfinite_values() == 1);

  words[3].values[2] = 1.0f;
  const auto finite = write_file("mapped_huge.bin", word2vec_binary(words, true));
  LoadOptions refuse;
  refuse.limit = 149;
  require_same_as_streaming(finite, refuse);
  refuse.limit = 300;
  require_same_as_streaming(finite, refuse);  // the Inf of record 151
  allow.limit.reset();
  const auto e = load(path, allow);
  CHECK(std::isinf(e.norm(200)));
  CHECK(std::isnan(e.norm(3)));
}

TEST_CASE("mapped: a file cut at any byte is refused, or read, as by the streaming reader",
          "[formats][mapped]") {
  auto words = words_of_every_length(6, 3, 26);
  words[4].word = "\nnl";
  for (bool newline : {true, false}) {
    const std::string full = word2vec_binary(words, newline);
    const size_t header_end = full.find('\n') + 1;
    for (size_t size = header_end; size <= full.size(); ++size) {
      INFO("cut to " << size << " bytes, newlines " << newline);
      const auto path = write_file(fmt::format("mapped_cut_{}_{}.bin", newline, size),
                                   full.substr(0, size));
      require_same_as_streaming(path);
    }
  }
}

TEST_CASE("mapped: malformed records are refused with the streaming reader's message",
          "[formats][mapped]") {
  auto words = words_of_every_length(30, 4, 27);
  SECTION("an empty word") {
    words[12].word = "";
    require_same_as_streaming(write_file("mapped_empty_word.bin", word2vec_binary(words)));
  }
  SECTION("a word too long") {
    words[2].word = std::string(kMaxWordBytes + 1, 'x');
    require_same_as_streaming(write_file("mapped_long_word.bin", word2vec_binary(words)));
    words[2].word = std::string(kMaxWordBytes, 'y');  // the longest accepted
    require_same_as_streaming(write_file("mapped_longest_word.bin", word2vec_binary(words)));
  }
  SECTION("text where binary was expected") {
    require_same_as_streaming(write_file("mapped_text.bin", word2vec_text(words)));
  }
  SECTION("a header announcing more words than follow") {
    require_same_as_streaming(
        write_file("mapped_long_count.bin", word2vec_binary_with_header(words, "31 4\n")));
    require_same_as_streaming(
        write_file("mapped_huge_count.bin", word2vec_binary_with_header(words, "3000 4\n")));
  }
}

TEST_CASE("mapped: a large file is split among threads and read exactly as streamed",
          "[formats][mapped]") {
  auto words = words_of_every_length(240'000, 8, 28, true);
  for (size_t i = 150'000; i < words.size(); i += 9973) words[i].word = words[i - 140'000].word;
  words[230'000].values[3] = std::numeric_limits<float>::quiet_NaN();
  for (bool newline : {true, false}) {
    INFO("newlines " << newline);
    const auto path = write_file(file_name("large", newline), word2vec_binary(words, newline));
    LoadOptions allow;
    allow.allow_nonfinite = true;
    const Outcome expected = streaming(path, allow);
    REQUIRE(expected.embeddings);
    CHECK(expected.embeddings->source().number("duplicates_dropped") == 10);
    for (unsigned chunks : {0u, 2u, 3u, 4u, 7u, 16u}) {
      INFO(chunks << " shares");
      MappedLoadTimes times;
      require_same_outcome(mapped(path, allow, chunks, &times), expected);
      if (chunks > 0) CHECK(times.chunks == chunks);
      if (chunks == 0 && std::thread::hardware_concurrency() > 1) CHECK(times.chunks > 1);
      CHECK_FALSE(times.split_missed);
    }
    for (uint64_t limit : {1000u, 120'000u, 200'000u}) {
      INFO("limit " << limit);
      LoadOptions limited = allow;
      limited.limit = limit;
      MappedLoadTimes times;
      require_same_outcome(mapped(path, limited, 4, &times), streaming(path, limited));
      CHECK(times.chunks > 1);
    }
    require_same_outcome(mapped(path, {}, 4), streaming(path));  // the NaN, refused
  }
}

TEST_CASE("mapped: a wrong guess of a record boundary falls back to one sequential walk",
          "[formats][mapped]") {
  // Every vector holds a fake record: a word of the real words' length and a space, so that a
  // chain of plausible records starts inside the vectors as well as at the words.
  std::string file = "50000 2\n";
  for (int i = 0; i < 50'000; ++i) {
    std::string word(4, 'a');
    for (int k = 0, n = i; k < 4; ++k, n /= 26) word[k] = static_cast<char>('a' + n % 26);
    file += word + ' ' + std::string("\x01PQRS \x01\x01", 8);
  }
  const auto path = write_file("mapped_fake_chain.bin", file);
  const Outcome expected = streaming(path);
  REQUIRE(expected.embeddings);
  bool missed = false;
  for (unsigned chunks = 2; chunks <= 12; ++chunks) {
    INFO(chunks << " shares");
    MappedLoadTimes times;
    require_same_outcome(mapped(path, {}, chunks, &times), expected);
    missed |= times.split_missed;
  }
  CHECK(missed);  // the fallback was exercised
}

TEST_CASE("mapped: progress is reported in order, up to the whole file", "[formats][mapped]") {
  const auto words = random_words(300'000, 2, 29);
  const auto path = write_file("mapped_progress.bin", word2vec_binary(words));
  for (unsigned chunks : {1u, 3u}) {
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    LoadOptions options;
    options.progress = [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); };
    REQUIRE(mapped(path, options, chunks).embeddings);
    REQUIRE(reports.size() >= 2);  // at least one mid-way report, and the final one
    CHECK(reports.back().first == std::filesystem::file_size(path));
    CHECK(reports.back().second == std::filesystem::file_size(path));
    CHECK(std::is_sorted(reports.begin(), reports.end()));
  }
}

TEST_CASE("mapped: gzip input is left to the streaming reader", "[formats][mapped]") {
  const auto words = random_words(100, 4, 30);
  const auto path = write_file("mapped.bin.gz", gzip(word2vec_binary(words)));
  const Outcome outcome = mapped(path);
  CHECK(outcome.mapped_declined);
  REQUIRE(outcome.embeddings);
  CHECK(outcome.embeddings->row_stride_bytes() == 4 * sizeof(float));
}
