// Format detection from content: a "<count> <dim>" first line means word2vec; then the next
// line tells text (a word and dim numbers) from binary. No header and a first line of a word
// followed by numbers means GloVe.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "formats/text_fields.hpp"
#include "formats/readers.hpp"
#include "base/mapped_file.hpp"

namespace embtool::formats {
namespace {

constexpr size_t kSniffBytes = size_t{4} << 20;

// A line of "word v1 ... vN" with every value a number; returns N, or 0 if it is not one.
size_t count_values_of_text_row(std::string_view line) {
  std::vector<std::string_view> fields;
  split_spaces(trim_right(line), fields);
  if (fields.size() < 2 || fields[0].empty()) return 0;
  const bool all_numbers = std::all_of(fields.begin() + 1, fields.end(),
                                       [](std::string_view f) { return parse_float(f).has_value(); });
  return all_numbers ? fields.size() - 1 : 0;
}

bool is_integer_text(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Two integers that are not a usable "<count> <dim>": a negative or overflowing header, which
// would otherwise be read as a GloVe row and refused with a puzzling message.
void refuse_broken_header(const ByteReader& in, std::string_view first_line) {
  std::vector<std::string_view> fields;
  split_spaces(trim(first_line), fields);
  if (fields.size() != 2 || !is_integer_text(fields[0]) || !is_integer_text(fields[1])) return;
  for (size_t i = 0; i < 2; ++i) {
    if (!parse_count(fields[i])) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: the header line '{} {}' has a {} that is not a whole number "
                              "embtool can hold: '{}'",
                              in.path(), fields[0], fields[1], i == 0 ? "word count" : "dimension",
                              fields[i]));
    }
  }
}

bool looks_binary(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

// A word, then only the characters numbers are written with. Float bytes almost never
// pass; a damaged text row (a missing value, two spaces) does, so that the text reader can
// say what is wrong with it.
bool looks_like_text_row(std::string_view line) {
  const size_t space = line.find(' ');
  if (space == 0 || space == std::string_view::npos) return false;
  const std::string_view values = trim_right(line.substr(space + 1));
  return !values.empty() && std::all_of(values.begin(), values.end(), [](char c) {
    return c != '\0' && std::strchr("0123456789.-+eE naNifIFtyY", c) != nullptr;
  });
}

// The line after the header of a plain file, read from the file itself (`in` is only
// positioned there): "word 0.1 0.2 ..." is text, whatever the format asked for.
bool first_row_is_text(const ByteReader& in) {
  const auto file = MappedFile::open(in.path());
  const auto* bytes = reinterpret_cast<const char*>(file->data());
  const uint64_t start = std::min<uint64_t>(in.offset(), file->size());
  const std::string_view rest(bytes + start, std::min<uint64_t>(file->size() - start, 1 << 16));
  const size_t end = rest.find('\n');
  return end != std::string_view::npos && looks_like_text_row(trim_right(rest.substr(0, end)));
}

}  // namespace

std::optional<Header> parse_header_line(std::string_view line) {
  std::vector<std::string_view> fields;
  split_spaces(trim(line), fields);
  if (fields.size() != 2) return std::nullopt;
  const auto count = parse_count(fields[0]);
  const auto dim = parse_count(fields[1]);
  if (!count || !dim) return std::nullopt;
  return Header{*count, *dim};
}

Format detect_format(ByteReader& in) {
  const std::string_view head = in.peek(kSniffBytes);
  if (head.empty()) throw Error(ErrorKind::bad_data, fmt::format("{}: the file is empty", in.path()));
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: this is UTF-16 text (it starts with a UTF-16 byte order mark); embtool "
                            "reads UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8",
                            in.path()));
  }
  const size_t first_end = head.find('\n');
  const std::string_view first_line = head.substr(0, first_end);

  if (const auto header = parse_header_line(first_line)) {
    if (first_end == std::string_view::npos) return Format::word2vec_text;  // header only
    const std::string_view rest = head.substr(first_end + 1);
    const size_t second_end = rest.find('\n');
    if (second_end != std::string_view::npos) {
      const std::string_view second_line = rest.substr(0, second_end);
      if (looks_like_text_row(second_line) || count_values_of_text_row(second_line) == header->dim) {
        return Format::word2vec_text;
      }
    }
    return Format::word2vec_binary;
  }
  refuse_broken_header(in, first_line);
  if (first_end != std::string_view::npos && !looks_binary(first_line) &&
      count_values_of_text_row(first_line) > 0) {
    return Format::glove;
  }
  throw Error(ErrorKind::bad_data,
              fmt::format("{}: not a word-vector file: the first line is neither a "
                          "'<count> <dim>' header nor 'word value value ...'",
                          in.path()),
              Remedy::name_the_format);
}

void check_header(const ByteReader& in, const Header& header, uint64_t records,
                  uint64_t min_record_bytes, Format format) {
  if (header.dim == 0) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: the header says dimension 0", in.path()));
  }
  if (header.dim > kMaxDim) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: the header says dimension {}, more than embtool accepts ({})",
                            in.path(), header.dim, kMaxDim));
  }
  if (header.count == 0) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: the header announces 0 words", in.path()));
  }
  if (header.count > UINT32_MAX - 1) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: the header announces {} words, more than embtool accepts ({})",
                            in.path(), header.count, UINT32_MAX - 1));
  }
  // A compressed file can hold more than its size; a plain one cannot.
  if (in.is_gzip()) return;
  const uint64_t available = in.file_bytes() - std::min(in.file_bytes(), in.offset());
  if (records > available / min_record_bytes) {
    if (format == Format::word2vec_binary && first_row_is_text(in)) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: this looks like a word2vec text file, not binary",
                              in.path()),
                  Remedy::read_as_text);
    }
    const std::string where = format == Format::word2vec_binary
                                  ? where_binary_data_ends(in.path(), in.offset(), header.dim)
                                  : where_text_data_ends(in.path(), in.offset());
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: truncated, or the header is wrong: it announces {} words of dimension {} "
                            "(at least {} bytes), but {} bytes follow it; {}",
                            in.path(), records, header.dim, records * min_record_bytes, available, where));
  }
}

}  // namespace embtool::formats
