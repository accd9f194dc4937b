// What the word-vector readers share (word2vec binary and text, GloVe, the store): the
// "<count> <dim>" header, the checks that keep a lying header from costing memory, the
// notes a reader takes as it reads, turned into the model's facts and warnings at the end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/embeddings.hpp"
#include "formats/formats.hpp"
#include "base/byte_source.hpp"

namespace embtool::formats {

// "<count> <dim>" from the first line of word2vec files.
struct Header {
  uint64_t count = 0;
  uint64_t dim = 0;
};

// Limits that keep a lying header from making us allocate or scan without bound.
inline constexpr uint64_t kMaxDim = 1'000'000;
inline constexpr size_t kMaxWordBytes = size_t{1} << 20;

// What a reader noticed as it read, in the terms these formats share; source_info() makes
// the model's generic facts and warnings of them.
struct ReadNotes {
  std::string path;
  std::string format;               // the format's name
  bool gzip = false;
  uint64_t file_bytes = 0;          // on disk (compressed size for .gz)
  uint64_t header_count = 0;        // words the header announced (0 without a header)
  uint64_t records_read = 0;        // records parsed, duplicates included
  uint64_t duplicates_dropped = 0;  // later occurrences of a word already seen
  std::string first_duplicate;      // the first of them, and its record (1-based)
  uint64_t first_duplicate_record = 0;
  bool trailing_data = false;       // bytes after the announced records were ignored
  bool crlf = false;                // text lines ended in "\r\n"
  uint64_t trailing_space_lines = 0;  // text lines with tabs or several blanks after the last value
  uint64_t nonfinite_values = 0;    // NaN/Inf kept because the caller allowed them
  std::string converted_from;       // a store: the file and format it was converted from
};

// The notes as facts (compression, converted_from, header_count, records_read,
// duplicates_dropped, in that order) and warnings (duplicates, data after the announced
// words, CR LF, trailing blanks, NaN/Inf kept: all but the last refused by strict reading).
SourceInfo source_info(const ReadNotes& notes);

// The notes a reader starts from: the file, its format and compression.
ReadNotes notes_for(const ByteReader& in, std::string_view format);

std::optional<Header> parse_header_line(std::string_view line);

// Reads the "<count> <dim>" line; a bad_data Error naming `format` if it is not one.
Header read_header(ByteReader& in, std::string_view format);

// A UTF-8 byte order mark at the start of a text file is not part of its first line.
void skip_byte_order_mark(ByteReader& in);
std::string_view without_byte_order_mark(std::string_view head);

// What follows a "<count> <dim>" first line: word2vec text or binary records. nullopt when
// the first line is no such header; a bad_data Error for two integers no header can hold.
// Bytes that are all printable text are text, even when they would fit the binary layout.
enum class Word2vecRecords { text, binary };
std::optional<Word2vecRecords> sniff_word2vec(std::string_view head, std::string_view path);

// No header, and a complete first line of a word and numbers: GloVe.
bool sniff_glove(std::string_view head, std::string_view path);

// Which records check_header is told of: word2vec binary's or text lines.
enum class Records { binary, text };

// Throws a bad_file Error unless the header describes a plausible file, in which the
// `records` to be read, each at least `min_record_bytes` long, fit in what follows.
void check_header(const ByteReader& in, const Header& header, uint64_t records,
                  uint64_t min_record_bytes, Records kind);

// Where a plain file too short for its header ends: "the data ends inside the vector of word
// 2 'b': 4 of its 8 bytes are there (byte offset 20)". Reads the file; allocates nothing.
std::string where_binary_data_ends(const std::filesystem::path& path, uint64_t data_offset, uint64_t dim);
std::string where_text_data_ends(const std::filesystem::path& path, uint64_t data_offset);

// How many records to read: the header's count, cut to the caller's limit.
uint64_t records_to_read(uint64_t available, const LoadOptions& options);

// Throws a bad_file Error if `values` hold NaN/Inf and the caller did not allow them;
// otherwise counts them in `info`.
void check_finite(std::span<const float> values, const LoadOptions& options, ReadNotes& info,
                  std::string_view word, std::string_view place);

// Calls options.progress every so many records (cheap enough to call per record).
class ProgressTicker {
 public:
  ProgressTicker(const ByteReader& in, const LoadOptions& options) : in_(in), options_(options) {}
  void tick() {
    if (options_.progress && (++records_ & 0xFFFF) == 0) report();
  }
  void report() {
    if (options_.progress) options_.progress(in_.file_position(), in_.file_bytes());
  }

 private:
  const ByteReader& in_;
  const LoadOptions& options_;
  uint64_t records_ = 0;
};

}  // namespace embtool::formats
