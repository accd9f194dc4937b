#include "fixtures.hpp"

#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "formats/formats.hpp"
#include "front/cli/app.hpp"

namespace embtool::testing {

bool warned(const Embeddings& e, std::string_view words) {
  for (const std::string& warning : load_warnings(e.source())) {
    if (warning.find(words) != std::string::npos) return true;
  }
  return false;
}

std::filesystem::path scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto path = std::filesystem::temp_directory_path() / fmt::format("embtool-tests-{}", ::getpid());
    std::filesystem::create_directories(path);
    static struct Cleanup {
      std::filesystem::path path;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
      }
    } cleanup{path};
    return path;
  }();
  return dir;
}

std::filesystem::path write_file(const std::string& name, const std::string& bytes) {
  const auto path = scratch_dir() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string word2vec_binary_with_header(const std::vector<WordVector>& words, const std::string& header,
                                        bool newline_after_vector) {
  std::string out = header;
  for (const auto& w : words) {
    out += w.word + ' ';
    out.append(reinterpret_cast<const char*>(w.values.data()), w.values.size() * sizeof(float));
    if (newline_after_vector) out += '\n';
  }
  return out;
}

std::string word2vec_binary(const std::vector<WordVector>& words, bool newline_after_vector) {
  const size_t dim = words.empty() ? 0 : words[0].values.size();
  return word2vec_binary_with_header(words, fmt::format("{} {}\n", words.size(), dim),
                                     newline_after_vector);
}

std::string rows_as_text(const std::vector<WordVector>& words, bool trailing_space,
                         const std::string& line_end) {
  std::string out;
  for (const auto& w : words) {
    out += w.word;
    for (float v : w.values) out += fmt::format(" {}", v);
    if (trailing_space) out += ' ';
    out += line_end;
  }
  return out;
}

std::string word2vec_text(const std::vector<WordVector>& words, bool trailing_space,
                          const std::string& line_end) {
  const size_t dim = words.empty() ? 0 : words[0].values.size();
  return fmt::format("{} {}{}", words.size(), dim, line_end) + rows_as_text(words, trailing_space, line_end);
}

std::string glove_text(const std::vector<WordVector>& words) { return rows_as_text(words, false, "\n"); }

std::string gzip(const std::string& bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size())) + 32;
  std::string out(size, '\0');
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("gzip fixture failed");
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::vector<WordVector> random_words(size_t count, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<WordVector> words;
  for (size_t i = 0; i < count; ++i) {
    WordVector w{fmt::format("w{}", i), std::vector<float>(dim)};
    for (float& v : w.values) v = gauss(rng);
    words.push_back(std::move(w));
  }
  return words;
}

std::vector<WordVector> toy_words() {
  // Axes: royalty, maleness, femaleness, animal, small.
  return {
      {"king", {0.9f, 0.8f, 0.05f, 0.0f, 0.1f}},
      {"queen", {0.9f, 0.05f, 0.8f, 0.0f, 0.1f}},
      {"man", {0.05f, 0.9f, 0.0f, 0.1f, 0.1f}},
      {"woman", {0.05f, 0.0f, 0.9f, 0.1f, 0.1f}},
      {"prince", {0.7f, 0.7f, 0.0f, 0.0f, 0.5f}},
      {"princess", {0.7f, 0.0f, 0.7f, 0.0f, 0.5f}},
      {"cat", {0.0f, 0.1f, 0.1f, 0.9f, 0.4f}},
      {"kitten", {0.0f, 0.1f, 0.1f, 0.8f, 0.9f}},
      {"dog", {0.0f, 0.2f, 0.0f, 0.9f, 0.3f}},
      {"puppy", {0.0f, 0.1f, 0.0f, 0.8f, 0.9f}},
      {"Paris", {0.3f, 0.1f, 0.2f, -0.5f, 0.0f}},
      {"PARIS", {0.3f, 0.1f, 0.25f, -0.5f, 0.0f}},
      {"zero", {0.0f, 0.0f, 0.0f, 0.0f, 0.0f}},
  };
}

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in(stdin_text);
  const int code = cli::run(args, {out, err, false, false, &in});
  return {code, out.str(), err.str()};
}

std::optional<std::filesystem::path> shared_data_dir() {
  std::error_code ec;
  const std::filesystem::path dir = EMBTOOL_SHARED_DATA_DIR;
  if (std::filesystem::is_directory(dir / "eval", ec)) return dir;
  return std::nullopt;
}

}  // namespace embtool::testing
