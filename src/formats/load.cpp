// load(): the format named or detected (formats/registry.hpp), opened by its descriptor; and
// what the word-vector readers share: limits, NaN/Inf checks, their notes as facts.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/tokenizer_file/tokenizer_file.hpp"
#include "base/byte_source.hpp"
#include "formats/readers.hpp"
#include "formats/registry.hpp"

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

void check_finite(std::span<const float> values, const LoadOptions& options, ReadNotes& info,
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

Header read_header(ByteReader& in, std::string_view format) {
  std::string line;
  in.read_until('\n', line, 4096);
  const auto header = parse_header_line(line);
  if (!header) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: expected a '<count> <dim>' header line for {}, found '{}'",
                            in.path(), format, line.substr(0, 80)));
  }
  return *header;
}

ReadNotes notes_for(const ByteReader& in, std::string_view format) {
  ReadNotes notes;
  notes.path = in.path();
  notes.format = format;
  notes.gzip = in.is_gzip();
  notes.file_bytes = in.file_bytes();
  return notes;
}

namespace {

int64_t as_fact(uint64_t n) { return static_cast<int64_t>(n); }

std::vector<LoadWarning> warnings_of(const ReadNotes& s) {
  std::vector<LoadWarning> warnings;
  if (s.duplicates_dropped > 0) {
    warnings.push_back({fmt::format("{}: {} duplicate word{} ignored, the first occurrence of each kept "
                                    "(the first: '{}', record {})",
                                    s.path, s.duplicates_dropped, s.duplicates_dropped == 1 ? "" : "s",
                                    s.first_duplicate, s.first_duplicate_record)});
  }
  if (s.trailing_data) {
    warnings.push_back({fmt::format("{}: data after the {} words the header announces was ignored",
                                    s.path, s.header_count)});
  }
  if (s.crlf) warnings.push_back({fmt::format("{}: lines end in CR LF (Windows); the CRs were ignored", s.path)});
  if (s.trailing_space_lines > 0) {
    warnings.push_back({fmt::format("{}: {} line{} end{} in tabs or several blanks after the last value; they were ignored",
                                    s.path, s.trailing_space_lines, s.trailing_space_lines == 1 ? "" : "s",
                                    s.trailing_space_lines == 1 ? "s" : "")});
  }
  // Kept because the caller asked to keep them: never a reason to refuse the file.
  if (s.nonfinite_values > 0) {
    warnings.push_back({fmt::format("{}: {} NaN/Inf values kept", s.path, s.nonfinite_values), false});
  }
  return warnings;
}

}  // namespace

SourceInfo source_info(const ReadNotes& notes) {
  SourceInfo info;
  info.path = notes.path;
  info.format = notes.format;
  info.file_bytes = notes.file_bytes;
  info.facts = {{"compression", std::string(notes.gzip ? "gzip" : "none")},
                {"converted_from", notes.converted_from},
                {"header_count", as_fact(notes.header_count)},
                {"records_read", as_fact(notes.records_read)},
                {"duplicates_dropped", as_fact(notes.duplicates_dropped)}};
  info.warnings = warnings_of(notes);
  return info;
}

}  // namespace formats

std::vector<std::string> load_warnings(const SourceInfo& source) {
  std::vector<std::string> messages;
  for (const LoadWarning& warning : source.warnings) messages.push_back(warning.message);
  return messages;
}

namespace {

Embeddings open_directory(const std::filesystem::path& path, const LoadOptions& options) {
  for (const FormatDescriptor* format : registered_formats()) {
    if (format->open_directory != nullptr) return format->open_directory(path, options);
  }
  throw Error(ErrorKind::bad_data, fmt::format("{}: is a directory, and no format reads directories", path.string()));
}

Embeddings load_any(const std::filesystem::path& path, const LoadOptions& options) {
  if (options.limit && *options.limit == 0) {
    throw Error(ErrorKind::invalid_argument, "a limit on the words to read must be at least 1");
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return open_directory(path, options);
  formats::ByteReader in(path);
  const FormatDescriptor& format = formats::format_to_open(in, options);
  return format.open(in, options);
}

// The tokenizer a model answers tokenize with: the one named, else its own (GGUF metadata, a
// tokenizer file), else the tokenizer of its directory or of the vocabulary file named.
void attach_tokenizer(Embeddings& embeddings, const std::filesystem::path& path, const LoadOptions& options) {
  std::error_code ec;
  if (!options.tokenizer_file.empty()) {
    formats::attach_tokenizer_of(embeddings, options.tokenizer_file);
  } else if (embeddings.has_tokenizer()) {
    return;
  } else if (std::filesystem::is_directory(path, ec)) {
    formats::attach_tokenizer_of(embeddings, path);
  } else if (!options.vocab_file.empty()) {
    formats::attach_tokenizer_of(embeddings, options.vocab_file);
  }
}

}  // namespace

Embeddings load(const std::filesystem::path& path, const LoadOptions& options) {
  Embeddings embeddings = load_any(path, options);
  attach_tokenizer(embeddings, path, options);
  if (options.strict) {
    for (const LoadWarning& warning : embeddings.source().warnings) {
      if (warning.refused_when_strict) throw Error(ErrorKind::bad_data, warning.message, Remedy::not_strict);
    }
  }
  return embeddings;
}

}  // namespace embtool
