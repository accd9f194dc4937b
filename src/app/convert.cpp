#include "app/convert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/store_file.hpp"

namespace embtool::app {
namespace {

// Files smaller than this are written in well under a second: no progress display for them.
constexpr uint64_t kProgressMinBytes = 64ull << 20;
constexpr uint64_t kProgressMinWords = 100000;

std::vector<Dtype> reduced_dtypes(const std::vector<std::string>& names) {
  std::vector<Dtype> dtypes;
  for (const std::string& name : names) {
    const Dtype dtype = name == "f16" ? Dtype::f16 : Dtype::i8;
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

// Output "-": standard output, which takes the text formats only (a store is a file to map;
// word2vec binary is bytes no terminal shows).
constexpr std::string_view kStandardOutput = "-";

// The output format: `to`, else the output's extension (word2vec text for "-"); nullopt for a
// store.
std::optional<Format> output_format_of(const ConvertRequest& request) {
  std::string to = request.to;
  if (request.output == kStandardOutput) {
    if (to.empty()) to = "word2vec-text";
    if (to != "word2vec-text" && to != "glove") {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("'-' (standard output) takes a text format, word2vec-text or glove; "
                              "write {} to a file",
                              to == "emb" ? "a store" : "word2vec binary"));
    }
  }
  if (to.empty()) {
    const std::string extension = std::filesystem::path(request.output).extension().string();
    if (extension == ".emb") to = "emb";
    else if (extension == ".bin") to = "word2vec-binary";
    else if (extension == ".txt" || extension == ".vec") to = "word2vec-text";
    else if (extension == ".glove") to = "glove";
    else {
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("{}: which format? name it .emb, .bin, .txt or .vec, or say --to "
                              "emb|word2vec-binary|word2vec-text|glove (compressed output: pipe a "
                              "text file through gzip)",
                              request.output));
    }
  }
  if (to == "emb") return std::nullopt;
  if (!request.dtypes.empty()) {
    throw Error(ErrorKind::invalid_argument, "--dtype adds reduced copies to a store (.emb) only");
  }
  const std::optional<Format> format = parse_format(to);
  if (!format) throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is not a file format", to));
  return format;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void write_classic_format(const Session& s, const Embeddings& embeddings, const std::filesystem::path& output,
                          Format format, const ConvertRequest& request) {
  VectorWriteOptions options;
  options.force = request.force;
  const bool to_stdout = request.output == kStandardOutput;
  const std::string name = to_stdout ? "standard output" : output.filename().string();
  std::unique_ptr<Progress> bar = embeddings.rows() >= kProgressMinWords
                                      ? s.progress(fmt::format("writing {}", name), "words")
                                      : nullptr;
  if (bar) options.progress = [&bar](uint64_t done, uint64_t total) { bar->update(done, total); };
  if (to_stdout) write_vectors(embeddings, *s.out(), "standard output", format, options);
  else write_vectors(embeddings, output, format, options);
  if (bar) bar->finish();
}

void write_store_file(const Session& s, const Embeddings& embeddings, const std::filesystem::path& output,
                      const ConvertRequest& request) {
  StoreWriteOptions options;
  options.reduced = reduced_dtypes(request.dtypes);
  options.force = request.force;
  std::unique_ptr<Progress> bar = s.progress(fmt::format("writing {}", output.filename().string()), "");
  if (bar) {
    options.progress = [&bar](uint64_t done, uint64_t total) {
      if (total >= kProgressMinBytes) bar->update(done, total);
    };
  }
  write_store(embeddings, output, options);
  if (bar) bar->finish();
}

}  // namespace

ConvertReport convert(const Session& s, const ConvertRequest& request) {
  const std::filesystem::path output = request.output;
  const std::optional<Format> classic = output_format_of(request);
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
  if (classic) {
    write_classic_format(s, embeddings, output, *classic, request);
  } else {
    write_store_file(s, embeddings, output, request);
  }
  return {request.input, request.output == kStandardOutput ? "standard output" : output.string(), classic ? std::string(format_name(*classic)) : std::string(),
          embeddings.rows(), embeddings.dim(), seconds_since(start)};
}

}  // namespace embtool::app
