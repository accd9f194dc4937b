// Text vector files (word2vec/fastText text, GloVe) parsed from a mapping by every core at once.
//
// A text file splits at any newline, so each core takes a share of whole lines. A first pass
// counts each share's lines (it also maps the pages), which gives every share the row its lines
// start at; the second parses each share's values straight into its rows of one matrix,
// with each row's norm while the row is in cache. The words then go into the vocabulary in
// file order, on one thread, which is what drops a repeated word exactly as the streaming
// reader does.
//
// This path accepts only what the streaming reader (word2vec_text.cpp) reads without
// complaint and gives the same result: each value is numpy.float32(str) (parse_float's rule),
// the same notes (CR LF, trailing blanks, duplicates, data after the announced words). Anything
// it would refuse or has to judge (a value that is not a number, a row of the wrong length, an
// empty word, NaN/Inf not allowed, a NUL byte, a line too long) returns nullopt, and the
// streaming reader reads the file and says exactly what is wrong, with its line and word.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/huge_pages.hpp"
#include "base/mapped_file.hpp"
#include "formats/mapped_walk.hpp"
#include "formats/text_fields.hpp"
#include "formats/word2vec_text/word2vec_text.hpp"
#include "kernels/simd.hpp"

namespace embtool::formats {
namespace {

// Shares smaller than this are not worth a thread.
constexpr uint64_t kMinShareBytes = uint64_t{8} << 20;
// Shares per core, taken in turn by whichever thread is free (see the binary reader).
constexpr unsigned kSharesPerCore = 4;
// How often (in lines) a share notes its progress.
constexpr uint64_t kProgressMask = 0x1FFF;

// Everything the rows point into (the words are copied into the vocabulary, so the mapped
// file is let go once read).
struct TextRowsOwner {
  BigVector<float> values;
  BigVector<float> norms;
};

// A share of the lines: [begin, end), both at a line's first byte (or the data's end).
struct Share {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t lines = 0;      // counted by the first pass
  uint64_t first_row = 0;  // the row its first line fills
  uint64_t take = 0;       // lines of it to parse (fewer than `lines` in the last share read)
};

// What parsing one share found.
struct ShareResult {
  std::vector<uint64_t> word_begin;  // byte offset of each row's word in the file
  std::vector<uint32_t> word_size;
  uint64_t nonfinite_values = 0;
  uint64_t trailing_space_lines = 0;
  bool crlf = false;
  uint64_t end = 0;  // the byte after the last line parsed
};

// Where the line holding `pos` ends: its newline, or `end` if none comes before it.
uint64_t line_end(std::string_view bytes, uint64_t pos, uint64_t end) {
  if (pos >= end) return end;
  const void* newline = std::memchr(bytes.data() + pos, '\n', end - pos);
  return newline ? static_cast<uint64_t>(static_cast<const char*>(newline) - bytes.data()) : end;
}

// Where the next line starts at or after `pos` (a share's start), or `end`.
uint64_t next_line_start(std::string_view bytes, uint64_t pos, uint64_t end) {
  if (pos == 0 || bytes[pos - 1] == '\n') return pos;
  return std::min(line_end(bytes, pos, end) + 1, end);
}

// Lines in [begin, end), a last one without a newline too. memchr from line to line: glibc's
// picks the widest vector loop the processor has (std::count compiles to an SSE2 loop with
// 64-bit counters, 20 times slower on a 296 MB file).
uint64_t count_lines(std::string_view bytes, uint64_t begin, uint64_t end) {
  uint64_t lines = 0;
  const char* p = bytes.data() + begin;
  const char* const stop = bytes.data() + end;
  while (p < stop) {
    const void* newline = std::memchr(p, '\n', static_cast<size_t>(stop - p));
    ++lines;
    if (newline == nullptr) break;
    p = static_cast<const char*>(newline) + 1;
  }
  return lines;
}

// `requested` shares, or (0) as many as suit the bytes and the cores.
std::vector<Share> plan_shares(std::string_view bytes, uint64_t begin, uint64_t end, unsigned requested) {
  const uint64_t span = end - begin;
  const TaskPlan plan(std::max<uint64_t>(1, span), 0, Split{kMinShareBytes, kSharesPerCore});
  const uint64_t count = std::max<uint64_t>(1, requested > 0 ? requested : plan.tasks());
  std::vector<Share> shares;
  uint64_t start = begin;
  for (uint64_t s = 1; s <= count && start < end; ++s) {
    const uint64_t stop = s == count ? end : next_line_start(bytes, begin + span / count * s, end);
    if (stop <= start) continue;
    shares.push_back(Share{start, stop});
    start = stop;
  }
  return shares;
}

// What the file looks like to every share.
struct TextShape {
  std::string_view bytes;
  size_t dim = 0;
  size_t max_line_bytes = 0;
  bool allow_nonfinite = false;
  // GloVe's first line, read before the dimension is known, may be longer.
  uint64_t first_line = UINT64_MAX;
  size_t first_line_max_bytes = 0;
};

// Parses one line into `row`; false if the streaming reader must judge it.
bool parse_line(const TextShape& shape, std::string_view line, float* row, ShareResult& out,
                uint64_t line_offset) {
  const size_t max_bytes = line_offset == shape.first_line ? shape.first_line_max_bytes : shape.max_line_bytes;
  if (line.size() > max_bytes) return false;
  if (!line.empty() && line.back() == '\r') out.crlf = true;
  out.trailing_space_lines += has_odd_trailing_blanks(line);
  line = trim_right(line);
  const size_t word_end = line.find(' ');
  if (word_end == 0 || word_end == std::string_view::npos) return false;  // empty word, no values
  if (std::memchr(line.data(), '\0', word_end) != nullptr) return false;
  const char* p = line.data() + word_end;
  const char* const end = line.data() + line.size();
  for (size_t i = 0; i < shape.dim; ++i) {
    if (p == end) return false;  // too few values
    p = parse_float_field(p + 1, end, row[i]);
    if (p == nullptr) return false;
  }
  if (p != end) return false;  // too many values
  out.word_begin.push_back(line_offset);
  out.word_size.push_back(static_cast<uint32_t>(word_end));
  return true;
}

// NaN/Inf values in a row: only looked for when its norm is not finite.
uint64_t count_nonfinite(const float* row, size_t dim) {
  return static_cast<uint64_t>(std::count_if(row, row + dim, [](float v) { return !std::isfinite(v); }));
}

// Parses `share.take` lines of the share into rows from share.first_row. false: stop, the
// streaming reader must judge a line (or another share found one).
bool parse_share(const TextShape& shape, const Share& share, TextRowsOwner& owner, ShareResult& out,
                 std::atomic<bool>& give_up, SharedProgress& progress, size_t index, bool reporter) {
  const std::string_view bytes = shape.bytes;
  out.word_begin.reserve(share.take);
  out.word_size.reserve(share.take);
  uint64_t pos = share.begin;
  for (uint64_t n = 0; n < share.take; ++n) {
    if ((n & kProgressMask) == kProgressMask) {
      if (give_up.load(std::memory_order_relaxed)) return false;
      if (progress.wanted()) {
        progress.set(index, pos - share.begin);
        if (reporter) progress.report();
      }
    }
    const uint64_t end_of_line = line_end(bytes, pos, share.end);
    const uint64_t row = share.first_row + n;
    float* values = owner.values.data() + row * shape.dim;
    if (!parse_line(shape, bytes.substr(pos, end_of_line - pos), values, out, pos)) return false;
    const float norm = std::sqrt(kernels::squared_norm({values, shape.dim}));
    owner.norms[row] = norm;
    if (!std::isfinite(norm)) {
      const uint64_t nonfinite = count_nonfinite(values, shape.dim);
      if (nonfinite > 0 && !shape.allow_nonfinite) return false;
      out.nonfinite_values += nonfinite;
    }
    pos = end_of_line + 1;
  }
  out.end = std::min<uint64_t>(pos, bytes.size());
  if (progress.wanted()) {
    progress.set(index, share.end - share.begin);
    if (reporter) progress.report();
  }
  return true;
}

// The end of the data a GloVe file's rows may occupy: white space after the last row ends the
// file (the streaming reader stops at a blank line followed by nothing but white space), so
// the data ends after the line holding the last byte that is not white space.
uint64_t glove_data_end(std::string_view bytes, uint64_t begin) {
  const uint64_t last = begin + trim_right(bytes.substr(begin)).size();
  if (last == begin) return begin;
  const uint64_t end = line_end(bytes, last, bytes.size());
  return end < bytes.size() ? end + 1 : end;
}

// Counts every share's lines (mapping their pages) and numbers the rows: the first `wanted`
// lines, or all there are. Returns how many rows that is.
uint64_t number_rows(std::string_view bytes, std::vector<Share>& shares, uint64_t wanted) {
  run_tasks(shares.size(), std::min<unsigned>(core_count(), static_cast<unsigned>(shares.size())),
            [&](size_t s, bool) {
              map_pages(bytes.substr(shares[s].begin, shares[s].end - shares[s].begin));
              shares[s].lines = count_lines(bytes, shares[s].begin, shares[s].end);
            });
  uint64_t rows = 0;
  for (Share& share : shares) {
    share.first_row = rows;
    share.take = std::min(share.lines, wanted - rows);
    rows += share.take;
  }
  while (!shares.empty() && shares.back().take == 0) shares.pop_back();
  return rows;
}

struct ParsedText {
  std::shared_ptr<TextRowsOwner> owner;
  std::vector<ShareResult> results;
  uint64_t rows = 0;
};

// Parses the lines of `shares` into rows; nullopt if the streaming reader must judge a line.
std::optional<ParsedText> parse_shares(const TextShape& shape, std::vector<Share>& shares,
                                       uint64_t rows, const LoadOptions& options,
                                       uint64_t data_start) {
  ParsedText parsed;
  parsed.rows = rows;
  parsed.owner = std::make_shared<TextRowsOwner>();
  parsed.owner->values.resize(rows * shape.dim);  // uninitialized: each share writes its rows
  parsed.owner->norms.resize(rows);
  parsed.results.resize(shares.size());
  std::atomic<bool> give_up{false};
  SharedProgress progress(options, data_start, shape.bytes.size(), shares.size());
  run_tasks(shares.size(), std::min<unsigned>(core_count(), static_cast<unsigned>(shares.size())),
            [&](size_t s, bool on_this_thread) {
              if (give_up.load(std::memory_order_relaxed)) return;
              if (!parse_share(shape, shares[s], *parsed.owner, parsed.results[s], give_up, progress, s,
                               on_this_thread)) {
                give_up.store(true, std::memory_order_relaxed);
              }
            });
  if (give_up.load()) return std::nullopt;
  if (progress.wanted()) progress.report_position(shares.empty() ? data_start : shares.back().end);
  return parsed;
}

// Moves row `from` to row `to` (to < from), with its norm.
void move_row(TextRowsOwner& owner, size_t dim, uint64_t from, uint64_t to) {
  std::memmove(owner.values.data() + to * dim, owner.values.data() + from * dim, dim * sizeof(float));
  owner.norms[to] = owner.norms[from];
}

// The vocabulary in file order; a word seen before drops its row, as the streaming reader does.
Embeddings assemble(ParsedText parsed, const TextShape& shape, ReadNotes info) {
  TextRowsOwner& owner = *parsed.owner;
  Vocabulary vocabulary;
  uint64_t word_bytes = 0;
  for (const ShareResult& result : parsed.results) {
    for (const uint32_t size : result.word_size) word_bytes += size;
  }
  vocabulary.reserve(parsed.rows, word_bytes);
  uint64_t record = 0;
  uint64_t kept = 0;
  for (const ShareResult& result : parsed.results) {
    info.crlf |= result.crlf;
    info.trailing_space_lines += result.trailing_space_lines;
    info.nonfinite_values += result.nonfinite_values;
    for (size_t i = 0; i < result.word_begin.size(); ++i, ++record) {
      const std::string_view word = shape.bytes.substr(result.word_begin[i], result.word_size[i]);
      if (!vocabulary.add(word)) {
        if (info.duplicates_dropped++ == 0) {
          info.first_duplicate = word;
          info.first_duplicate_record = record + 1;
        }
        continue;
      }
      if (kept != record) move_row(owner, shape.dim, record, kept);
      ++kept;
    }
  }
  info.records_read = record;
  const std::span<const float> norms(owner.norms.data(), kept);
  Matrix matrix = Matrix::view(Dtype::f32, kept, shape.dim,
                               reinterpret_cast<const std::byte*>(owner.values.data()), shape.dim,
                               parsed.owner);
  return Embeddings(std::move(vocabulary), std::move(matrix), source_info(info), norms, {},
                    info.nonfinite_values);
}

std::string_view bytes_of(const MappedFile& file) {
  return {reinterpret_cast<const char*>(file.data()), file.size()};
}

// The shares up to about the byte where `wanted` rows of `row_bytes` each should end, all of
// the data if that is not enough (lines vary in length).
uint64_t plan_and_number(std::string_view bytes, uint64_t begin, uint64_t end, uint64_t wanted,
                         double row_bytes, unsigned requested, std::vector<Share>& shares) {
  uint64_t span_end = end;
  if (row_bytes > 0) {
    const double guess = 1.25 * row_bytes * static_cast<double>(wanted) + (1 << 20);
    if (guess < static_cast<double>(end - begin)) {
      span_end = next_line_start(bytes, begin + static_cast<uint64_t>(guess), end);
    }
  }
  shares = plan_shares(bytes, begin, span_end, requested);
  uint64_t rows = number_rows(bytes, shares, wanted);
  if (rows < wanted && span_end < end) {
    shares = plan_shares(bytes, begin, end, requested);
    rows = number_rows(bytes, shares, wanted);
  }
  return rows;
}

// Parses and assembles the rows; `check_trailing`: note anything but white space after them.
std::optional<Embeddings> read_mapped(const TextShape& shape,
                                      std::vector<Share> shares, uint64_t rows,
                                      const LoadOptions& options, ReadNotes info, uint64_t data_start,
                                      bool check_trailing) {
  // Each row's line holds at least two bytes a value: more rows than that allows are not
  // there, whatever the header says (the stream then says which line is short).
  if (rows > (shares.back().end - data_start) / (2 * shape.dim)) return std::nullopt;
  try {
    auto parsed = parse_shares(shape, shares, rows, options, data_start);
    if (!parsed) return std::nullopt;
    if (check_trailing) info.trailing_data = !trim(shape.bytes.substr(parsed->results.back().end)).empty();
    return assemble(std::move(*parsed), shape, std::move(info));
  } catch (const std::bad_alloc&) {
    return std::nullopt;  // the streaming reader grows as it reads: let it try
  }
}

}  // namespace

std::optional<Embeddings> read_word2vec_text_mapped(const ByteReader& in, const Header& header,
                                                    const LoadOptions& options, ReadNotes info,
                                                    unsigned shares_wanted) {
  const uint64_t records = records_to_read(header.count, options);
  check_header(in, header, records, header.dim + 2, Records::text);  // as the stream does
  if (in.is_gzip() || records == 0) return std::nullopt;
  const auto file = map_as_opened(in);
  if (!file) return std::nullopt;
  const std::string_view bytes = bytes_of(*file);
  const uint64_t data_start = in.offset();
  if (data_start >= bytes.size()) return std::nullopt;  // no rows: the stream says what is missing
  const TextShape shape{bytes, header.dim, max_text_line_bytes(header.dim), options.allow_nonfinite};
  const double row_bytes = header.count > 0 ? static_cast<double>(bytes.size() - data_start) /
                                                  static_cast<double>(header.count)
                                            : 0.0;
  std::vector<Share> shares;
  const auto rows = plan_and_number(bytes, data_start, bytes.size(), records, row_bytes, shares_wanted, shares);
  if (rows < records) return std::nullopt;  // truncated: the stream says where
  const bool check_trailing = records == header.count;
  return read_mapped(shape, std::move(shares), records, options, std::move(info), data_start,
                     check_trailing);
}

std::optional<Embeddings> read_glove_mapped(const ByteReader& in, const LoadOptions& options,
                                            ReadNotes info, unsigned shares_wanted) {
  if (in.is_gzip()) return std::nullopt;
  const auto file = map_as_opened(in);
  if (!file) return std::nullopt;
  const std::string_view bytes = bytes_of(*file);
  const uint64_t data_start = in.offset();
  if (data_start >= bytes.size()) return std::nullopt;  // an empty file: the stream says so
  // The first line gives the dimension (as the streaming reader's first line does).
  const uint64_t first_end = line_end(bytes, data_start, bytes.size());
  std::vector<std::string_view> fields;
  split_spaces(trim_right(bytes.substr(data_start, first_end - data_start)), fields);
  const size_t dim = fields.size() - 1;
  if (dim == 0 || dim > kMaxDim || first_end - data_start > kGloveFirstLineMaxBytes) return std::nullopt;
  const uint64_t data_end = glove_data_end(bytes, data_start);
  const uint64_t wanted = records_to_read(UINT32_MAX - 1, options);
  const TextShape shape{bytes, dim, max_text_line_bytes(dim), options.allow_nonfinite, data_start,
                        kGloveFirstLineMaxBytes};
  std::vector<Share> shares;
  const double row_bytes = static_cast<double>(first_end + 1 - data_start);
  const auto rows = plan_and_number(bytes, data_start, data_end, wanted, row_bytes, shares_wanted, shares);
  if (rows == 0) return std::nullopt;
  return read_mapped(shape, std::move(shares), rows, options, std::move(info), data_start, false);
}

}  // namespace embtool::formats
