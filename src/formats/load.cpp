#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/store/store_file.hpp"
#include "base/byte_source.hpp"
#include "formats/readers.hpp"

namespace embtool {
namespace formats {

uint64_t records_to_read(uint64_t available, const LoadOptions& options) {
  return options.limit ? std::min(available, *options.limit) : available;
}

// True if any value is NaN or infinite: all exponent bits set. A branch-free loop that the
// compiler vectorizes, because it runs over every value of the file.
bool any_nonfinite(std::span<const float> values) {
  bool found = false;
  for (float v : values) found |= (std::bit_cast<uint32_t>(v) & 0x7f800000u) == 0x7f800000u;
  return found;
}

void check_finite(std::span<const float> values, const LoadOptions& options, SourceInfo& info,
                  std::string_view word, std::string_view place) {
  if (!any_nonfinite(values)) return;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    if (!options.allow_nonfinite) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: {} (word '{}') has the value {} at dimension {}",
                              info.path, place, word, values[i], i + 1),
                  Remedy::keep_nonfinite);
    }
    ++info.nonfinite_values;
  }
}

namespace {

void skip_byte_order_mark(ByteReader& in) {
  if (in.peek(3) == "\xEF\xBB\xBF") in.skip(3);
}

Header read_header(ByteReader& in, Format format) {
  std::string line;
  in.read_until('\n', line, 4096);
  const auto header = parse_header_line(line);
  if (!header) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: expected a '<count> <dim>' header line for {}, found '{}'",
                            in.path(), format_name(format), line.substr(0, 80)));
  }
  return *header;
}

}  // namespace
}  // namespace formats

std::vector<std::string> load_warnings(const SourceInfo& s) {
  std::vector<std::string> warnings;
  if (s.duplicates_dropped > 0) {
    warnings.push_back(fmt::format("{}: {} duplicate word{} ignored, the first occurrence of each kept "
                                   "(the first: '{}', record {})",
                                   s.path, s.duplicates_dropped, s.duplicates_dropped == 1 ? "" : "s",
                                   s.first_duplicate, s.first_duplicate_record));
  }
  if (s.trailing_data) {
    warnings.push_back(fmt::format("{}: data after the {} words the header announces was ignored",
                                   s.path, s.header_count));
  }
  if (s.crlf) warnings.push_back(fmt::format("{}: lines end in CR LF (Windows); the CRs were ignored", s.path));
  if (s.trailing_space_lines > 0) {
    warnings.push_back(fmt::format("{}: {} line{} end{} in tabs or several blanks after the last value; they were ignored",
                                   s.path, s.trailing_space_lines, s.trailing_space_lines == 1 ? "" : "s",
                                   s.trailing_space_lines == 1 ? "s" : ""));
  }
  if (s.nonfinite_values > 0) warnings.push_back(fmt::format("{}: {} NaN/Inf values kept", s.path, s.nonfinite_values));
  return warnings;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "auto") return Format::auto_detect;
  if (name == "word2vec-binary" || name == "bin" || name == "binary") return Format::word2vec_binary;
  if (name == "word2vec-text" || name == "text" || name == "vec") return Format::word2vec_text;
  if (name == "glove") return Format::glove;
  return std::nullopt;
}

namespace {

Embeddings load_any(const std::filesystem::path& path, const LoadOptions& options) {
  using namespace formats;
  if (options.limit && *options.limit == 0) {
    throw Error(ErrorKind::invalid_argument, "a limit on the words to read must be at least 1");
  }
  ByteReader in(path);
  if (starts_like_store(std::as_bytes(std::span(in.peek(8))))) {
    if (in.is_gzip()) {
      throw Error(ErrorKind::bad_data, fmt::format("{}: a compressed embtool store cannot be "
                                                  "mapped; decompress it first", path.string()));
    }
    return open_store(path, options.limit);
  }
  skip_byte_order_mark(in);
  const Format format =
      options.format == Format::auto_detect ? detect_format(in) : options.format;
  SourceInfo info;
  info.path = path.string();
  info.format = format;
  info.gzip = in.is_gzip();
  info.file_bytes = in.file_bytes();
  if (format == Format::glove) return read_glove(in, options, std::move(info));
  const Header header = read_header(in, format);
  info.header_count = header.count;
  if (format == Format::word2vec_binary) {
    // In place from a mapping when it can be; the streaming reader for gzip and for anything
    // it must refuse (it says exactly what is wrong).
    if (auto mapped = read_word2vec_binary_mapped(in, header, options, info)) {
      return std::move(*mapped);
    }
    return read_word2vec_binary(in, header, options, std::move(info));
  }
  return read_word2vec_text(in, header, options, std::move(info));
}

}  // namespace

Embeddings load(const std::filesystem::path& path, const LoadOptions& options) {
  Embeddings embeddings = load_any(path, options);
  if (options.strict) {
    auto warnings = load_warnings(embeddings.source());
    if (embeddings.source().nonfinite_values > 0) warnings.pop_back();  // asked for: not refused
    if (!warnings.empty()) throw Error(ErrorKind::bad_data, warnings.front(), Remedy::not_strict);
  }
  return embeddings;
}

}  // namespace embtool
