// The text readers that parse a mapping on every core (word2vec/fastText text, GloVe) against
// the streaming ones: for every file, either both refuse it with the same error (the mapped
// reader declining, so that the streaming one says what is wrong), or both give the same
// words, rows, norms and notes, bit for bit, in however many shares the lines are parsed.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <random>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "formats/reader_comparison.hpp"
#include "formats/word2vec_text/word2vec_text.hpp"

using namespace embtool;
using namespace embtool::formats;
using namespace embtool::testing;

namespace {

enum class Kind { word2vec_text, glove };

ReadNotes notes_of(const ByteReader& in, Kind kind, uint64_t header_count) {
  ReadNotes info;
  info.path = in.path();
  info.format = kind == Kind::glove ? "glove" : "word2vec-text";
  info.file_bytes = in.file_bytes();
  info.header_count = header_count;
  return info;
}

// The streaming reader, or (`shares` set) the mapped one in that many shares (0: its own
// choice) with the streaming one when it declines, called as the formats' open() calls them.
Outcome read_text(const std::filesystem::path& path, Kind kind, const LoadOptions& options,
                  std::optional<unsigned> shares) {
  bool declined = false;
  Outcome outcome = outcome_of([&] {
    ByteReader in(path);
    if (kind == Kind::glove) {
      ReadNotes info = notes_of(in, kind, 0);
      if (shares) {
        if (auto e = read_glove_mapped(in, options, info, *shares)) return std::move(*e);
        declined = true;
      }
      return read_glove(in, options, std::move(info));
    }
    const Header header = read_header(in, "word2vec-text");
    ReadNotes info = notes_of(in, kind, header.count);
    if (shares) {
      if (auto e = read_word2vec_text_mapped(in, header, options, info, *shares)) return std::move(*e);
      declined = true;
    }
    return read_word2vec_text(in, header, options, std::move(info));
  });
  outcome.mapped_declined = declined;
  return outcome;
}

// The mapped reader in 1, 2, 3 and 7 shares, and load() itself, against the streaming one.
// The vocabulary's hash index may be sized differently (the streaming GloVe reader guesses
// the row count), so only its answers are compared, not its layout.
void require_same_as_streaming(const std::filesystem::path& path, Kind kind, LoadOptions options = {}) {
  const Outcome expected = read_text(path, kind, options, std::nullopt);
  for (unsigned shares : {1u, 2u, 3u, 7u}) {
    INFO(path.filename().string() << " in " << shares << " shares");
    require_same_outcome(read_text(path, kind, options, shares), expected, false);
  }
  INFO(path.filename().string() << " through load()");
  options.format = kind == Kind::glove ? "glove" : "word2vec-text";
  const Outcome through_load = outcome_of([&] { return load(path, options); });
  if (expected.code) {
    REQUIRE(through_load.code.has_value());
    CHECK(through_load.message == expected.message);
  } else {
    REQUIRE(through_load.embeddings.has_value());
    require_identical(*through_load.embeddings, *expected.embeddings, false);
  }
}

// The mapped reader declines `bytes` and the streaming reader's error stands.
void require_declined_with_error(const std::string& name, const std::string& bytes, Kind kind,
                                 const LoadOptions& options = {}) {
  const auto path = write_file(name, bytes);
  const Outcome expected = read_text(path, kind, options, std::nullopt);
  INFO(name << ": " << bytes.substr(0, 120));
  REQUIRE(expected.code.has_value());
  const Outcome got = read_text(path, kind, options, 2u);
  CHECK(got.mapped_declined);
  CHECK(got.message == expected.message);
}

// Values written in every way a text file may hold a float32: as many digits as round-trip,
// few digits (fastText's %.4f-like), exponents, signs, zeros of both signs, subnormals.
std::string value_text(float value, size_t i) {
  switch (i % 7) {
    case 0: return fmt::format("{}", value);
    case 1: return fmt::format("{:.4f}", value);
    case 2: return fmt::format("{:.6e}", value);
    case 3: return fmt::format("+{:.5g}", std::fabs(value));
    case 4: return fmt::format("{:.9g}", value * 1e-30f);
    case 5: return value < 0 ? "-0" : "0.0";
    default: return fmt::format("{:.3f}", value * 1000.0f);
  }
}

std::string line_of(const std::string& word, const std::vector<float>& values, size_t salt,
                    const std::string& end = "\n") {
  std::string line = word;
  for (size_t i = 0; i < values.size(); ++i) line += " " + value_text(values[i], i + salt);
  return line + end;
}

std::string text_file(const std::vector<WordVector>& words, Kind kind, const std::string& end = "\n") {
  std::string out = kind == Kind::glove
                        ? std::string()
                        : fmt::format("{} {}\n", words.size(), words.front().values.size());
  for (size_t r = 0; r < words.size(); ++r) out += line_of(words[r].word, words[r].values, r, end);
  return out;
}

std::string name_of(const std::string& stem, Kind kind) {
  return fmt::format("text_mapped_{}_{}.txt", stem, kind == Kind::glove ? "glove" : "w2v");
}

}  // namespace

TEST_CASE("text mapped: values in every notation read as numpy.float32(str) does, in any shares",
          "[formats][text_mapped]") {
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    auto words = random_words(500, 13, 7);
    words[3].word = "café_日本";
    words[4].word = "a\tb";  // a tab inside a word is part of it
    const auto path = write_file(name_of("notations", kind), text_file(words, kind));
    require_same_as_streaming(path, kind);
    const Outcome got = read_text(path, kind, {}, 3u);
    REQUIRE(got.embeddings.has_value());
    CHECK_FALSE(got.mapped_declined);
    CHECK(got.embeddings->rows() == 500);
  }
}

TEST_CASE("text mapped: line ends, trailing blanks and a last line without a newline",
          "[formats][text_mapped]") {
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    const auto words = random_words(200, 5, 11);
    require_same_as_streaming(write_file(name_of("crlf", kind), text_file(words, kind, "\r\n")), kind);
    require_same_as_streaming(write_file(name_of("one_space", kind), text_file(words, kind, " \n")), kind);
    std::string blanks = text_file(words, kind);
    blanks.insert(blanks.find('\n', blanks.size() / 2), " \t ");
    require_same_as_streaming(write_file(name_of("blanks", kind), blanks), kind);
    std::string no_last_newline = text_file(words, kind);
    no_last_newline.pop_back();
    require_same_as_streaming(write_file(name_of("no_last_newline", kind), no_last_newline), kind);
    require_same_as_streaming(write_file(name_of("blank_tail", kind), text_file(words, kind) + "\n \n\t\n"),
                              kind);
  }
}

TEST_CASE("text mapped: duplicates dropped, the first occurrence kept, as streamed",
          "[formats][text_mapped]") {
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    auto words = random_words(300, 4, 3);
    words[150].word = words[10].word;
    words[299].word = words[0].word;
    const auto path = write_file(name_of("duplicates", kind), text_file(words, kind));
    require_same_as_streaming(path, kind);
    const Outcome got = read_text(path, kind, {}, 4u);
    REQUIRE(got.embeddings.has_value());
    CHECK(got.embeddings->rows() == 298);
    CHECK(got.embeddings->vocabulary().find(words[10].word) == 10);
  }
}

TEST_CASE("text mapped: a load limit, a header that announces fewer or more words",
          "[formats][text_mapped]") {
  const auto words = random_words(400, 6, 5);
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    const auto path = write_file(name_of("limit", kind), text_file(words, kind));
    for (const uint64_t limit : {1u, 17u, 399u, 400u, 5000u}) {
      LoadOptions options;
      options.limit = limit;
      require_same_as_streaming(path, kind, options);
    }
  }
  std::string body = text_file(words, Kind::glove);
  require_same_as_streaming(write_file("text_mapped_short_header.txt", "300 6\n" + body), Kind::word2vec_text);
  require_same_as_streaming(write_file("text_mapped_long_header.txt", "401 6\n" + body), Kind::word2vec_text);
}

TEST_CASE("text mapped: NaN and Inf refused with the streaming reader's message, or kept",
          "[formats][text_mapped]") {
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    auto words = random_words(100, 4, 9);
    const std::string text = text_file(words, kind);
    // The first value of `word`'s line replaced by `value`.
    const auto with_value = [&](const std::string& word, const std::string& value) {
      std::string out = text;
      const size_t at = out.find("\n" + word + " ") + word.size() + 2;
      return out.replace(at, out.find(' ', at) - at, value);
    };
    const std::string with_nan = with_value("w50", "nan");
    const std::string with_inf = with_value("w70", "1e39");  // rounds to float32 infinity
    for (const auto& [stem, bytes] : {std::pair{"nan", with_nan}, std::pair{"inf", with_inf}}) {
      const auto path = write_file(name_of(stem, kind), bytes);
      require_same_as_streaming(path, kind);
      LoadOptions keep;
      keep.allow_nonfinite = true;
      require_same_as_streaming(path, kind, keep);
    }
  }
}

TEST_CASE("text mapped: malformed lines declined, the streaming reader's message given",
          "[formats][text_mapped]") {
  const auto words = random_words(50, 3, 2);
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    const std::string good = text_file(words, kind);
    const size_t line = good.find("w20 ");
    const size_t line_end = good.find('\n', line);
    const auto with_line = [&](const std::string& replacement) {
      return good.substr(0, line) + replacement + good.substr(line_end);
    };
    require_declined_with_error(name_of("not_a_number", kind), with_line("w20 0.1 x 0.3"), kind);
    require_declined_with_error(name_of("two_spaces", kind), with_line("w20 0.1  0.3"), kind);
    require_declined_with_error(name_of("too_few", kind), with_line("w20 0.1 0.2"), kind);
    require_declined_with_error(name_of("too_many", kind), with_line("w20 0.1 0.2 0.3 0.4"), kind);
    require_declined_with_error(name_of("empty_word", kind), with_line(" 0.1 0.2 0.3"), kind);
    require_declined_with_error(name_of("blank_line", kind), with_line("\n"), kind);
    require_declined_with_error(name_of("nul", kind), with_line(std::string("w2\0 0.1 0.2 0.3", 15)), kind);
    require_declined_with_error(name_of("double_plus", kind), with_line("w20 ++0.1 0.2 0.3"), kind);
    require_declined_with_error(name_of("tab_between", kind), with_line("w20 0.1\t0.2 0.3"), kind);
    require_declined_with_error(name_of("hex", kind), with_line("w20 0x1p3 0.2 0.3"), kind);
  }
  require_declined_with_error("text_mapped_truncated.txt", "60 3\n" + text_file(words, Kind::glove),
                              Kind::word2vec_text);
}

TEST_CASE("text mapped: a file cut at any byte is refused, or read, as by the streaming reader",
          "[formats][text_mapped]") {
  const auto words = random_words(6, 3, 4);
  for (const Kind kind : {Kind::word2vec_text, Kind::glove}) {
    const std::string whole = text_file(words, kind);
    for (size_t cut = 1; cut < whole.size(); cut += 3) {
      require_same_as_streaming(write_file(name_of(fmt::format("cut{}", cut), kind), whole.substr(0, cut)),
                                kind);
    }
  }
}

TEST_CASE("text mapped: progress goes forward, up to the whole file", "[formats][text_mapped]") {
  const auto words = random_words(30000, 8, 1);
  const auto path = write_file("text_mapped_progress.txt", text_file(words, Kind::word2vec_text));
  std::vector<uint64_t> seen;
  LoadOptions options;
  options.progress = [&](uint64_t done, uint64_t total) {
    seen.push_back(done);
    CHECK(total == std::filesystem::file_size(path));
  };
  const Outcome got = read_text(path, Kind::word2vec_text, options, 5u);
  REQUIRE(got.embeddings.has_value());
  CHECK_FALSE(got.mapped_declined);
  REQUIRE(seen.size() >= 2);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.back() == std::filesystem::file_size(path));
}

TEST_CASE("text mapped: gzip input is left to the streaming reader", "[formats][text_mapped]") {
  const auto words = random_words(20, 3, 6);
  const auto path = write_file("text_mapped.txt.gz", gzip(text_file(words, Kind::word2vec_text)));
  const Outcome got = read_text(path, Kind::word2vec_text, {}, 2u);
  REQUIRE(got.embeddings.has_value());
  CHECK(got.mapped_declined);
}
