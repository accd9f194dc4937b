// Format detection from content: every registered format sniffs the first bytes, a magic
// number wins, then the most likely. The word2vec sniffs: a "<count> <dim>" first line means
// word2vec; then the next line tells text (a word and dim numbers) from binary, and bytes
// that are all printable text are text. No header and a first line of a word followed by
// numbers means GloVe.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "formats/text_fields.hpp"
#include "formats/readers.hpp"
#include "formats/registry.hpp"
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
void refuse_broken_header(std::string_view path, std::string_view first_line) {
  std::vector<std::string_view> fields;
  split_spaces(trim(first_line), fields);
  if (fields.size() != 2 || !is_integer_text(fields[0]) || !is_integer_text(fields[1])) return;
  for (size_t i = 0; i < 2; ++i) {
    if (!parse_count(fields[i])) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: the header line '{} {}' has a {} that is not a whole number "
                              "embtool can hold: '{}'",
                              path, fields[0], fields[1], i == 0 ? "word count" : "dimension",
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

// The length of the UTF-8 sequence that starts with `lead`, or 0 for a byte no sequence
// starts with.
size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Every byte is printable text: UTF-8 without control characters other than white space. A
// sequence cut by the end of `bytes` counts as text (the sniff reads only the first bytes).
// Float32 values almost never pass: most of them hold a byte that is a control character or
// no part of UTF-8.
bool all_printable_text(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      const bool white_space = c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
      if ((c < 0x20 && !white_space) || c == 0x7F) return false;
      ++i;
      continue;
    }
    const size_t length = utf8_length(c);
    if (length == 0) return false;
    for (size_t k = 1; k < length && i + k < bytes.size(); ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
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

std::optional<Word2vecRecords> sniff_word2vec(std::string_view head, std::string_view path) {
  head = without_byte_order_mark(head);
  const size_t first_end = head.find('\n');
  const std::string_view first_line = head.substr(0, first_end);
  const auto header = parse_header_line(first_line);
  if (!header) {
    refuse_broken_header(path, first_line);
    return std::nullopt;
  }
  if (first_end == std::string_view::npos) return Word2vecRecords::text;  // header only
  const std::string_view rest = head.substr(first_end + 1);
  const size_t second_end = rest.find('\n');
  if (second_end != std::string_view::npos) {
    const std::string_view second_line = rest.substr(0, second_end);
    if (looks_like_text_row(second_line) || count_values_of_text_row(second_line) == header->dim) {
      return Word2vecRecords::text;
    }
  }
  // Printable through and through: a damaged text file, whose reader says which value of
  // which line is wrong, rather than text bytes taken for floats.
  if (!rest.empty() && all_printable_text(rest)) return Word2vecRecords::text;
  return Word2vecRecords::binary;
}

bool sniff_glove(std::string_view head, std::string_view path) {
  head = without_byte_order_mark(head);
  const size_t first_end = head.find('\n');
  const std::string_view first_line = head.substr(0, first_end);
  if (parse_header_line(first_line)) return false;
  refuse_broken_header(path, first_line);
  return first_end != std::string_view::npos && !looks_binary(first_line) &&
         count_values_of_text_row(first_line) > 0;
}

std::string_view without_byte_order_mark(std::string_view head) {
  return head.starts_with("\xEF\xBB\xBF") ? head.substr(3) : head;
}

void skip_byte_order_mark(ByteReader& in) {
  if (in.peek(3) == "\xEF\xBB\xBF") in.skip(3);
}

namespace {

// The format whose magic number the file starts with, or nullptr: judged on the raw first
// bytes, since a magic number is never preceded by a byte order mark.
const FormatDescriptor* format_of_magic_number(ByteReader& in) {
  for (const FormatDescriptor* format : registered_formats()) {
    if (!format->magic.empty() && in.peek(format->magic.size()) == format->magic) return format;
  }
  return nullptr;
}

}  // namespace

const FormatDescriptor& detect_format(ByteReader& in) {
  const std::string_view raw = in.peek(kSniffBytes);
  if (const FormatDescriptor* magic = format_of_magic_number(in)) return *magic;
  const std::string_view head = without_byte_order_mark(raw);
  if (head.empty()) throw Error(ErrorKind::bad_data, fmt::format("{}: the file is empty", in.path()));
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: this is UTF-16 text (it starts with a UTF-16 byte order mark); embtool "
                            "reads UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8",
                            in.path()));
  }
  for (const FormatDescriptor* format : registered_formats()) {
    if (format->sniff != nullptr && format->sniff(raw, in.path())) return *format;
  }
  throw Error(ErrorKind::bad_data,
              fmt::format("{}: not a word-vector file: the first line is neither a "
                          "'<count> <dim>' header nor 'word value value ...'",
                          in.path()),
              Remedy::name_the_format);
}

const FormatDescriptor& format_to_open(ByteReader& in, const LoadOptions& options) {
  if (options.format.empty() || options.format == "auto") return detect_format(in);
  const FormatDescriptor* named = find_format(options.format);
  if (named == nullptr) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("unknown format '{}'; the formats are {}", options.format,
                            describe_formats(false, ", ")));
  }
  if (const FormatDescriptor* magic = format_of_magic_number(in)) return *magic;
  return *named;
}

void check_header(const ByteReader& in, const Header& header, uint64_t records,
                  uint64_t min_record_bytes, Records kind) {
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
    if (kind == Records::binary && first_row_is_text(in)) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: this looks like a word2vec text file, not binary",
                              in.path()),
                  Remedy::read_as_text);
    }
    const std::string where = kind == Records::binary
                                  ? where_binary_data_ends(in.path(), in.offset(), header.dim)
                                  : where_text_data_ends(in.path(), in.offset());
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: truncated, or the header is wrong: it announces {} words of dimension {} "
                            "(at least {} bytes), but {} bytes follow it; {}",
                            in.path(), records, header.dim, records * min_record_bytes, available, where));
  }
}

}  // namespace embtool::formats
