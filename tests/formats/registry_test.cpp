// The format registry: every format is found by its name, aliases and extensions, detected
// from its content, and named wherever the command line names formats; and the detection of
// text that happens to fit the binary layout.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/registry.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string float32_bytes(const std::vector<WordVector>& words) {
  std::string bytes;
  for (const WordVector& w : words) {
    bytes.append(reinterpret_cast<const char*>(w.values.data()), w.values.size() * sizeof(float));
  }
  return bytes;
}

std::string little_endian(uint64_t value, size_t bytes) {
  std::string out;
  for (size_t i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

// The rows of `words` as a format that embtool reads but does not write would hold them,
// laid out here byte by byte as that format's own writers do (safetensors: transformers'
// save_pretrained; .npy: numpy.save). Every read-only format registered needs one.
std::string read_only_sample(const std::string& format, const std::vector<WordVector>& words) {
  const std::string shape = std::to_string(words.size()) + ", " + std::to_string(words[0].values.size());
  if (format == "safetensors") {
    const std::string json = R"({"__metadata__":{"format":"pt"},"wte.weight":{"dtype":"F32","shape":[)" + shape +
                             R"(],"data_offsets":[0,)" + std::to_string(float32_bytes(words).size()) + "]}}";
    return little_endian(json.size(), 8) + json + float32_bytes(words);
  }
  if (format == "npy") {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    dict.resize(64 * ((10 + dict.size()) / 64 + 1) - 11, ' ');
    dict += '\n';
    return std::string("\x93NUMPY\x01\x00", 8) + little_endian(dict.size(), 2) + dict + float32_bytes(words);
  }
  if (format == "gguf") {  // as gguf-py's GGUFWriter lays it out: tokens, one F32 tensor
    const auto text = [&](const std::string& t) { return little_endian(t.size(), 8) + t; };
    std::string tokens = little_endian(8, 4) + little_endian(words.size(), 8);
    for (const WordVector& w : words) tokens += text(w.word);
    std::string out = "GGUF" + little_endian(3, 4) + little_endian(1, 8) + little_endian(1, 8);
    out += text("tokenizer.ggml.tokens") + little_endian(9, 4) + tokens;
    out += text("token_embd.weight") + little_endian(2, 4) + little_endian(words[0].values.size(), 8) +
           little_endian(words.size(), 8) + little_endian(0, 4) + little_endian(0, 8);
    out.resize((out.size() + 31) / 32 * 32, '\0');
    return out + float32_bytes(words);
  }
  if (format == "tokenizer") {  // a tiktoken rank file of the words: a tokenizer, no matrix
    static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t rank = 0; rank < words.size(); ++rank) {
      const std::string& w = words[rank].word;
      for (size_t i = 0; i < w.size(); i += 3) {
        const uint32_t n = (static_cast<unsigned char>(w[i]) << 16) |
                           (i + 1 < w.size() ? static_cast<unsigned char>(w[i + 1]) << 8 : 0) |
                           (i + 2 < w.size() ? static_cast<unsigned char>(w[i + 2]) : 0);
        out += kBase64[(n >> 18) & 63];
        out += kBase64[(n >> 12) & 63];
        out += i + 1 < w.size() ? kBase64[(n >> 6) & 63] : '=';
        out += i + 2 < w.size() ? kBase64[n & 63] : '=';
      }
      out += ' ';
      out += std::to_string(rank);
      out += '\n';
    }
    return out;
  }
  FAIL("no sample file for the read-only format " << format);
  return {};
}

// A small file of every registered format holding the rows of toy_words(): written by the
// format itself, or, for formats that only read, laid out by read_only_sample().
const std::map<std::string, fs::path>& file_of_each_format() {
  static const std::map<std::string, fs::path> files = [] {
    std::map<std::string, fs::path> out;
    const Embeddings source = load(write_file("registry-source.bin", word2vec_binary(toy_words())));
    for (const FormatDescriptor* format : registered_formats()) {
      const fs::path path = scratch_dir() / ("registry-" + format->name + format->extensions.front());
      if (format->writable()) {
        format->write(source, path, {.force = true, .reduced = {}, .rows_dtype = {}, .progress = {}});
      } else {
        write_file(path.filename().string(), read_only_sample(format->name, toy_words()));
      }
      out[format->name] = path;
    }
    return out;
  }();
  return files;
}

}  // namespace

TEST_CASE("every registered format is found by its name, its aliases and its extensions", "[registry]") {
  REQUIRE(registered_formats().size() >= 4);
  for (const FormatDescriptor* format : registered_formats()) {
    INFO(format->name);
    CHECK(find_format(format->name) == format);
    for (const std::string& alias : format->aliases) CHECK(find_format(alias) == format);
    REQUIRE_FALSE(format->extensions.empty());
    for (const std::string& extension : format->extensions) {
      CHECK(extension.front() == '.');
      CHECK(find_format_by_extension(extension) == format);
    }
    CHECK_FALSE(format->description.empty());
    CHECK((format->sniff != nullptr || !format->magic.empty()));
    CHECK(format->open != nullptr);
  }
  CHECK(find_format("no-such-format") == nullptr);
  CHECK(find_format("auto") == nullptr);  // "auto" is a request to detect, not a format
  CHECK(find_format_by_extension(".gz") == nullptr);
}

TEST_CASE("today's formats keep their names, aliases and extensions", "[registry]") {
  CHECK(find_format("bin")->name == "word2vec-binary");
  CHECK(find_format("binary")->name == "word2vec-binary");
  CHECK(find_format("text")->name == "word2vec-text");
  CHECK(find_format("vec")->name == "word2vec-text");
  CHECK(find_format("glove")->name == "glove");
  CHECK(find_format("emb")->name == "embtool-store");
  CHECK(find_format_by_extension(".bin")->name == "word2vec-binary");
  CHECK(find_format_by_extension(".txt")->name == "word2vec-text");
  CHECK(find_format_by_extension(".vec")->name == "word2vec-text");
  CHECK(find_format_by_extension(".glove")->name == "glove");
  CHECK(find_format_by_extension(".emb")->name == "embtool-store");
}

TEST_CASE("names and aliases are unique across the registry", "[registry]") {
  const std::vector<std::string> spellings = format_spellings();
  for (size_t i = 0; i < spellings.size(); ++i) {
    INFO(spellings[i]);
    CHECK(std::count(spellings.begin(), spellings.end(), spellings[i]) == 1);
  }
  const std::vector<std::string> extensions = output_extensions();
  for (const std::string& extension : extensions) {
    CHECK(std::count(extensions.begin(), extensions.end(), extension) == 1);
  }
}

TEST_CASE("detection picks every format from its content, whatever the file is called", "[registry]") {
  for (const auto& [name, path] : file_of_each_format()) {
    INFO(name);
    // Renamed to say nothing: detection reads the bytes, never the name.
    const fs::path anonymous = scratch_dir() / ("registry-anonymous-" + name);
    fs::copy_file(path, anonymous, fs::copy_options::overwrite_existing);
    const Embeddings e = load(anonymous);
    CHECK(e.source().format == name);
    CHECK(e.rows() == toy_words().size());
    formats::ByteReader in(anonymous);
    CHECK(formats::detect_format(in).name == name);
  }
}

TEST_CASE("a format named in LoadOptions by name or alias is the one read", "[registry]") {
  for (const FormatDescriptor* format : registered_formats()) {
    const fs::path& path = file_of_each_format().at(format->name);
    std::vector<std::string> spellings = format->aliases;
    spellings.push_back(format->name);
    for (const std::string& spelling : spellings) {
      INFO(format->name << " as " << spelling);
      LoadOptions options;
      options.format = spelling;
      CHECK(load(path, options).source().format == format->name);
    }
  }
  LoadOptions unknown;
  unknown.format = "word2vec-binray";
  try {
    load(file_of_each_format().begin()->second, unknown);
    FAIL("an unknown format name was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("word2vec-binray"));
  }
}

TEST_CASE("the --format option takes every registered name and alias", "[registry][cli]") {
  for (const FormatDescriptor* format : registered_formats()) {
    const std::string path = file_of_each_format().at(format->name).string();
    std::vector<std::string> spellings = format->aliases;
    spellings.push_back(format->name);
    for (const std::string& spelling : spellings) {
      INFO(format->name << " as " << spelling);
      const auto r = run_cli({"-m", path, "--format", spelling, "info", "--json"});
      REQUIRE(r.code == 0);
      CHECK(json::parse(r.out)["format"] == format->name);
    }
  }
  CHECK(run_cli({"--format", "auto", "info"}).code == 0);
  CHECK(run_cli({"--format", "no-such-format", "info"}).code == 2);
}

TEST_CASE("convert writes every writable format, named by --to or by the output's extension", "[registry][cli]") {
  const std::string input = file_of_each_format().at("word2vec-binary").string();
  for (const FormatDescriptor* format : registered_formats()) {
    if (!format->writable()) continue;
    std::vector<std::string> spellings = format->aliases;
    spellings.push_back(format->name);
    for (const std::string& spelling : spellings) {
      INFO(format->name << " as --to " << spelling);
      const fs::path out = scratch_dir() / ("registry-to-" + spelling + ".out");
      const auto r = run_cli({"convert", input, out.string(), "--to", spelling, "--force"});
      REQUIRE(r.code == 0);
      CHECK(load(out).source().format == format->name);
    }
    for (const std::string& extension : format->extensions) {
      INFO(format->name << " as " << extension);
      const fs::path out = scratch_dir() / ("registry-by-extension" + extension);
      const auto r = run_cli({"convert", input, out.string(), "--force"});
      REQUIRE(r.code == 0);
      CHECK(load(out).source().format == format->name);
    }
  }
  const auto unnamed = run_cli({"convert", input, (scratch_dir() / "registry-out.xyz").string()});
  CHECK(unnamed.code == 2);
  for (const std::string& extension : output_extensions()) CHECK_THAT(unnamed.err, Catch::Contains(extension));
}

TEST_CASE("the help names every registered format where formats are asked for", "[registry][cli]") {
  const auto global = run_cli({"--help"});
  const auto convert = run_cli({"convert", "--help"});
  for (const FormatDescriptor* format : registered_formats()) {
    INFO(format->name);
    CHECK_THAT(global.out, Catch::Contains(format->name));
    CHECK_THAT(global.out, Catch::Contains(format->description));
    for (const std::string& alias : format->aliases) CHECK_THAT(global.out, Catch::Contains(alias));
    if (!format->writable()) continue;
    CHECK_THAT(convert.out, Catch::Contains(format->name));
    for (const std::string& extension : format->extensions) CHECK_THAT(convert.out, Catch::Contains(extension));
  }
  CHECK(contains(format_spellings(), "word2vec-binary"));
  CHECK(contains(format_spellings(true), "emb"));
}

TEST_CASE("info shows the facts its reader recorded, in info's order", "[registry][cli]") {
  const auto r = run_cli({"-m", file_of_each_format().at("embtool-store").string(), "info", "--tsv"});
  REQUIRE(r.code == 0);
  std::vector<std::string> fields;
  for (size_t start = r.out.find('\n') + 1; start < r.out.size();) {
    const size_t end = r.out.find('\n', start);
    fields.push_back(r.out.substr(start, r.out.find('\t', start) - start));
    start = end + 1;
  }
  const std::vector<std::string> expected = {
      "path", "format", "compression", "file_bytes", "words", "dim", "dtype", "stored_copies",
      "converted_from", "simd_target", "matrix_bytes", "vocabulary_bytes", "header_count",
      "records_read", "duplicates_dropped", "norm_min", "norm_mean", "norm_max", "zero_vectors"};
  CHECK(fields == expected);
  const auto j = json::parse(run_cli({"-m", file_of_each_format().at("embtool-store").string(), "info",
                                      "--json"}).out);
  CHECK(j["format"] == "embtool-store");
  CHECK_THAT(j["converted_from"].get<std::string>(), Catch::Contains("registry-source.bin (word2vec-binary)"));
  CHECK(j["header_count"] == toy_words().size());
}

TEST_CASE("printable text that fits the binary layout is read as text and refused by line and value",
          "[registry][detect]") {
  // A header, then words followed by four printable bytes each: as word2vec binary, a word
  // and one float32 a record. Every byte is text, so it is text, whose values are not numbers.
  const auto path = write_file("printable-fits-binary.txt", "2 1\na abcd\nb efgh\n");
  try {
    load(path);
    FAIL("text whose values are not numbers was loaded");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK_THAT(e.what(), Catch::Contains("line 2"));
    CHECK_THAT(e.what(), Catch::Contains("'abcd'"));
  }
  formats::ByteReader in(path);
  CHECK(formats::detect_format(in).name == "word2vec-text");

  // UTF-8 words count as printable; so does a file compressed with gzip.
  const auto utf8 = write_file("printable-utf8.txt", "2 1\nnaïve 1x2y\n日本 3z4w\n");
  formats::ByteReader utf8_in(utf8);
  CHECK(formats::detect_format(utf8_in).name == "word2vec-text");
  const auto gz = write_file("printable-fits-binary.txt.gz", gzip("2 1\na abcd\nb efgh\n"));
  CHECK_THROWS_WITH(load(gz), Catch::Contains("line 2") && Catch::Contains("'abcd'"));

  // Binary that is not all printable stays binary, and names it binary when forced to text.
  const auto binary = write_file("printable-real-binary.bin", word2vec_binary(toy_words()));
  formats::ByteReader binary_in(binary);
  CHECK(formats::detect_format(binary_in).name == "word2vec-binary");
}
