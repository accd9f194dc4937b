// The text reader of word2vec/fastText ("<count> <dim>" header, then "word v1 ... vdim" a
// line) and GloVe (the same lines, no header). Parsed as gensim does: trailing white space
// stripped, fields split on single spaces, each value read as numpy.float32(str).
#include <fmt/format.h>

#include <algorithm>

#include "base/error.hpp"
#include "formats/row_buffer.hpp"
#include "formats/text_fields.hpp"
#include "formats/word2vec_text/word2vec_text.hpp"

namespace embtool::formats {
namespace {

// Text lines and their fields, with the line number kept for every message.
class TextRows {
 public:
  TextRows(ByteReader& in, ReadNotes& info, uint64_t first_line_number)
      : in_(in), info_(info), line_number_(first_line_number - 1) {}

  uint64_t line_number() const { return line_number_; }

  // Reads the next line into `fields_` (word first). false at end of data.
  bool next(size_t max_line_bytes) {
    line_.clear();
    const uint64_t offset = in_.offset();
    const auto until = in_.read_until('\n', line_, max_line_bytes);
    if (until == ByteReader::Until::too_long) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: line {} (byte offset {}) is longer than {} bytes; is this "
                              "really a text vector file?",
                              in_.path(), line_number_ + 1, offset, max_line_bytes));
    }
    if (until == ByteReader::Until::end_of_data && line_.empty()) return false;
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') info_.crlf = true;
    count_trailing_blanks();
    if (line_.find('\0') != std::string::npos) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: line {} holds binary data; is this a word2vec binary file?",
                              in_.path(), line_number_),
                  Remedy::read_as_binary);
    }
    split_spaces(trim_right(line_), fields_);
    return true;
  }

  void count_trailing_blanks() { info_.trailing_space_lines += has_odd_trailing_blanks(line_); }

  std::string_view word() const { return fields_.front(); }
  size_t value_count() const { return fields_.size() - 1; }

  // Parses the values into `out` (value_count() floats), refusing anything not a number.
  void parse_values(std::span<float> out) const {
    for (size_t i = 0; i < out.size(); ++i) {
      const auto value = parse_float(fields_[i + 1]);
      if (!value) {
        throw Error(ErrorKind::bad_data,
                    fmt::format("{}: line {} (word '{}'): value {} is '{}', not a number{}",
                                in_.path(), line_number_, word(), i + 1, fields_[i + 1],
                                fields_[i + 1].empty() ? " (two spaces in a row?)" : ""));
      }
      out[i] = *value;
    }
  }

  void expect_value_count(uint64_t dim) const {
    if (word().empty()) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: line {} has an empty word{}", in_.path(), line_number_,
                              fields_.size() == 1 ? " (a blank line)" : ""));
    }
    if (value_count() != dim) {
      const bool empty_field =
          std::any_of(fields_.begin() + 1, fields_.end(), [](std::string_view f) { return f.empty(); });
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: line {} (word '{}') has {} values, expected {}{}", in_.path(),
                              line_number_, word(), value_count(), dim,
                              empty_field ? " (two spaces in a row?)" : ""));
    }
  }

 private:
  ByteReader& in_;
  ReadNotes& info_;
  uint64_t line_number_;
  std::string line_;
  std::vector<std::string_view> fields_;
};

// Appends the row of the current line, dropping it again if its word was seen before.
void add_row(const TextRows& rows, size_t dim, const LoadOptions& options, ReadNotes& info,
             Vocabulary& vocabulary, RowBuffer& matrix) {
  rows.expect_value_count(dim);
  const std::span<float> values(matrix.append_row(), dim);
  rows.parse_values(values);
  check_finite(values, options, info, rows.word(), fmt::format("line {}", rows.line_number()));
  if (!vocabulary.add(rows.word())) {
    matrix.drop_last_row();
    if (info.duplicates_dropped++ == 0) {
      info.first_duplicate = rows.word();
      info.first_duplicate_record = info.records_read + 1;
    }
  }
  ++info.records_read;
}

// Only white space may follow the last record; anything else is reported, not read.
bool has_trailing_data(ByteReader& in) {
  for (;;) {
    const std::string_view chunk = in.peek(size_t{1} << 16);
    if (chunk.empty()) return false;
    if (!trim(chunk).empty()) return true;
    in.skip(chunk.size());
  }
}

}  // namespace

size_t max_text_line_bytes(uint64_t dim) {
  return std::max<size_t>(size_t{1} << 20, dim * 64 + kMaxWordBytes);
}

Embeddings read_word2vec_text(ByteReader& in, const Header& header, const LoadOptions& options,
                              ReadNotes info) {
  const uint64_t records = records_to_read(header.count, options);
  // A valid row takes at least 2 * dim + 2 bytes ("w 0 ... 0\n"); half that still refuses a
  // lying header at once, and leaves a row-level message for a file that is merely damaged.
  check_header(in, header, records, header.dim + 2, Records::text);
  const size_t dim = header.dim;
  Vocabulary vocabulary;
  // A value takes at least two bytes ("0 "): sized by what the file can hold, never by the
  // header alone.
  const uint64_t reservable =
      std::min(records, rows_the_file_can_hold(in.file_bytes(), in.is_gzip(), 2 * dim + 2));
  RowBuffer matrix(dim, reservable);
  vocabulary.reserve(reservable, reservable * 8);

  TextRows rows(in, info, 2);
  ProgressTicker progress(in, options);
  for (uint64_t record = 0; record < records; ++record) {
    progress.tick();
    in.set_record(record + 1);
    if (!rows.next(max_text_line_bytes(dim))) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: truncated: the header announces {} words, but the file ends "
                              "after {} (line {})",
                              in.path(), header.count, record, rows.line_number()));
    }
    add_row(rows, dim, options, info, vocabulary, matrix);
  }
  progress.report();
  info.trailing_data = records == header.count && has_trailing_data(in);
  return Embeddings(std::move(vocabulary), std::move(matrix).finish(), source_info(info), {}, {},
                    info.nonfinite_values);
}

Embeddings read_glove(ByteReader& in, const LoadOptions& options, ReadNotes info) {
  const uint64_t records = records_to_read(UINT32_MAX - 1, options);
  Vocabulary vocabulary;
  TextRows rows(in, info, 1);
  if (!rows.next(kGloveFirstLineMaxBytes)) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: the file is empty", in.path()));
  }
  const size_t dim = rows.value_count();
  if (dim == 0 || dim > kMaxDim) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: line 1 has {} values; a GloVe row needs 1 to {}", in.path(), dim,
                            kMaxDim));
  }
  // Every row is about as long as the first: reserve for the whole file at once (gzip, with no
  // header to tell: for text compressed 8 to 1, growing beyond if need be).
  const uint64_t first_row_bytes = std::max<uint64_t>(in.offset(), 1);
  const uint64_t data_guess = in.is_gzip() ? in.file_bytes() * 8 : in.file_bytes();
  const uint64_t expected_rows = std::min<uint64_t>(records, data_guess / first_row_bytes + 16);
  RowBuffer matrix(dim, expected_rows);
  if (!in.is_gzip()) vocabulary.reserve(expected_rows, expected_rows * 8);
  add_row(rows, dim, options, info, vocabulary, matrix);
  ProgressTicker progress(in, options);
  in.set_record(2);
  while (info.records_read < records && rows.next(max_text_line_bytes(dim))) {
    progress.tick();
    if (rows.word().empty() && rows.value_count() == 0 && !has_trailing_data(in)) break;
    add_row(rows, dim, options, info, vocabulary, matrix);
    in.set_record(info.records_read + 1);
  }
  progress.report();
  return Embeddings(std::move(vocabulary), std::move(matrix).finish(), source_info(info), {}, {},
                    info.nonfinite_values);
}

}  // namespace embtool::formats
