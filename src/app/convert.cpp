#include "app/convert.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/registry.hpp"

namespace embtool::app {
namespace {

// Files smaller than this are written in well under a second: no progress display for them.
constexpr uint64_t kProgressMinBytes = 64ull << 20;
constexpr uint64_t kProgressMinWords = 100000;

Dtype dtype_named(std::string_view name) {
  return name == "f32" ? Dtype::f32 : name == "f16" ? Dtype::f16 : name == "bf16" ? Dtype::bf16 : Dtype::i8;
}

std::vector<Dtype> reduced_dtypes(const std::vector<std::string>& names) {
  std::vector<Dtype> dtypes;
  for (const std::string& name : names) {
    const Dtype dtype = dtype_named(name);
    if (std::find(dtypes.begin(), dtypes.end(), dtype) == dtypes.end()) dtypes.push_back(dtype);
  }
  return dtypes;
}

void refuse_overwriting_input(const std::filesystem::path& input, const std::filesystem::path& output) {
  std::error_code ignored;
  if (std::filesystem::equivalent(input, output, ignored)) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{} is the input file; write the store to another file", output.string()));
  }
}


// --dtype means the reduced copies of a store, or the one type of a format that writes its
// rows in several (npy); any other use is refused rather than ignored.
void check_dtypes(const std::vector<std::string>& names, const FormatDescriptor& format) {
  if (names.empty()) return;
  if (format.holds_reduced_copies) {
    if (std::find(names.begin(), names.end(), "f32") != names.end()) {
      throw Error(ErrorKind::invalid_argument, "--dtype f32: a store's own rows are float32 already; --dtype adds "
                                               "reduced copies (f16, bf16, i8)");
    }
    return;
  }
  if (format.element_dtypes.empty()) {
    throw Error(ErrorKind::invalid_argument, fmt::format("--dtype: {} writes float32 rows only; --dtype is for stores "
                                                         "(.emb: reduced copies) and numpy (.npy: f32 or f16)",
                                                         format.name));
  }
  std::vector<std::string> allowed;
  for (const Dtype dtype : format.element_dtypes) allowed.emplace_back(dtype_name(dtype));
  if (names.size() != 1 || std::find(allowed.begin(), allowed.end(), names.front()) == allowed.end()) {
    throw Error(ErrorKind::invalid_argument, fmt::format("--dtype: {} rows are written in one of {}", format.name,
                                                         fmt::join(allowed, ", ")));
  }
}

// Output "-": standard output, which takes the text formats only (a store is a file to map;
// word2vec binary is bytes no terminal shows).
constexpr std::string_view kStandardOutput = "-";

bool streams_to_stdout(const FormatDescriptor& format) {
  return format.name == "word2vec-text" || format.name == "glove";
}

// The output format: `to`, else the output's extension (word2vec text for "-").
const FormatDescriptor& output_format_of(const ConvertRequest& request) {
  if (request.output == kStandardOutput) {
    const FormatDescriptor* format = find_format(request.to.empty() ? "word2vec-text" : request.to);
    if (format == nullptr || !streams_to_stdout(*format)) {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("'-' (standard output) takes a text format, word2vec-text or glove; "
                              "write {} to a file",
                              format ? format->name : request.to));
    }
    return *format;
  }
  const FormatDescriptor* format =
      request.to.empty() ? find_format_by_extension(std::filesystem::path(request.output).extension().string())
                         : find_format(request.to);
  if (format == nullptr && !request.to.empty()) {
    throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is not a file format", request.to));
  }
  if (format == nullptr || !format->writable()) {
    const std::vector<std::string> extensions = output_extensions();
    std::string names;
    for (const FormatDescriptor* f : registered_formats()) {
      if (f->writable()) names += (names.empty() ? "" : "|") + f->name;
    }
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{}: which format? name it {} or {}, or say --to {} (compressed output: "
                            "pipe a text file through gzip)",
                            request.output,
                            fmt::join(extensions.begin(), extensions.end() - 1, ", "), extensions.back(),
                            names));
  }
  check_dtypes(request.dtypes, *format);
  return *format;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Writes through the format's descriptor, with progress shown for writes that take long:
// 100,000 words or more of a format that counts words, 64 MiB or more of one that counts bytes.
void write_output(const Session& s, const Embeddings& embeddings, const std::filesystem::path& output,
                  const FormatDescriptor& format, const ConvertRequest& request) {
  WriteOptions options;
  if (format.holds_reduced_copies) options.reduced = reduced_dtypes(request.dtypes);
  if (!format.element_dtypes.empty() && !request.dtypes.empty()) options.rows_dtype = dtype_named(request.dtypes.front());
  options.force = request.force;
  const bool counts_words = !format.progress_items.empty();
  std::unique_ptr<Progress> bar =
      !counts_words || embeddings.rows() >= kProgressMinWords
          ? s.progress(fmt::format("writing {}", request.output == kStandardOutput
                                                     ? std::string("standard output")
                                                     : output.filename().string()),
                       format.progress_items)
          : nullptr;
  if (bar) {
    options.progress = [&bar, counts_words](uint64_t done, uint64_t total) {
      if (counts_words || total >= kProgressMinBytes) bar->update(done, total);
    };
  }
  if (request.output == kStandardOutput) {
    VectorWriteOptions stream_options;
    stream_options.progress = options.progress;
    write_vectors(embeddings, *s.out(), "standard output", format.name, stream_options);
  } else {
    format.write(embeddings, output, options);
  }
  if (bar) bar->finish();
}

}  // namespace

ConvertReport convert(const Session& s, const ConvertRequest& request) {
  const std::filesystem::path output = request.output;
  const FormatDescriptor& format = output_format_of(request);
  if (request.output == kStandardOutput) {
    if (s.out() == nullptr) {
      throw Error(ErrorKind::invalid_argument, "'-': there is no standard output to write to here");
    }
  } else {  // said before a long load
    refuse_overwriting_input(request.input, output);
    check_output_file(output, request.force);
  }
  const Embeddings embeddings = s.open(request.input);
  const auto start = std::chrono::steady_clock::now();
  write_output(s, embeddings, output, format, request);
  return {request.input, request.output == kStandardOutput ? "standard output" : output.string(), format.name, embeddings.rows(), embeddings.dim(),
          seconds_since(start)};
}

}  // namespace embtool::app
