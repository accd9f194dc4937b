#include "formats/npy/npy.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "base/thread_pool.hpp"
#include "formats/dense_rows.hpp"
#include "formats/readers.hpp"
#include "formats/token_vocabulary.hpp"
#include "kernels/quantized.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

namespace embtool::formats {
namespace {

constexpr const char* kName = "npy";
// numpy's own headers take about 128 bytes; a larger one is refused before it is parsed.
constexpr uint64_t kMaxHeaderBytes = uint64_t{1} << 20;
constexpr size_t kMaxShapeEntries = 64;

[[noreturn]] void refuse(std::string_view file, const std::string& what) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", file, what));
}

uint64_t little_endian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// The header dict, parsed as strictly as numpy's own reader accepts it: a Python literal of
// strings, booleans and tuples of whole numbers, and nothing else.
class DictParser {
 public:
  DictParser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  void parse(NpyHeader& header) {
    skip_space();
    expect('{', "the header dict does not start with '{'");
    bool descr = false, fortran = false, shape = false;
    skip_space();
    while (!at('}')) {
      const std::string key = string_literal("a key");
      skip_space();
      expect(':', fmt::format("no ':' after the key '{}'", key));
      skip_space();
      if (key == "descr") {
        once(descr, key);
        if (at('[')) fail("'descr' is a list: a structured dtype, which embtool does not read");
        header.descr = string_literal("the dtype of 'descr'");
      } else if (key == "fortran_order") {
        once(fortran, key);
        header.fortran_order = boolean();
      } else if (key == "shape") {
        once(shape, key);
        header.shape = tuple();
      } else {
        fail(fmt::format("the header has the key '{}'; a .npy header has only descr, fortran_order and shape", key));
      }
      skip_space();
      if (!at(',')) break;
      ++pos_;
      skip_space();
    }
    expect('}', "the header dict does not end with '}'");
    skip_space();
    if (pos_ != text_.size()) fail("the header has more after its dict");
    if (!descr || !fortran || !shape) {
      fail(fmt::format("the header lacks '{}'", !descr ? "descr" : !fortran ? "fortran_order" : "shape"));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { refuse(file_, "not a valid .npy header: " + what); }

  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void expect(char c, const std::string& what) {
    if (!at(c)) fail(what);
    ++pos_;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }
  void once(bool& seen, const std::string& key) {
    if (seen) fail(fmt::format("the key '{}' appears twice", key));
    seen = true;
  }

  std::string string_literal(std::string_view what) {
    if (!at('\'') && !at('"')) fail(fmt::format("{} is not a quoted string", what));
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail(fmt::format("{} is an unterminated string", what));
    const std::string_view value = text_.substr(pos_, end - pos_);
    if (value.find_first_of("\\\n") != std::string_view::npos) fail(fmt::format("{} holds an escape or a line break", what));
    pos_ = end + 1;
    return std::string(value);
  }

  bool boolean() {
    if (text_.substr(pos_).starts_with("True")) {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_).starts_with("False")) {
      pos_ += 5;
      return false;
    }
    fail("'fortran_order' is neither True nor False");
  }

  uint64_t whole_number() {
    const size_t start = pos_;
    uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const auto digit = static_cast<uint64_t>(text_[pos_] - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) fail("a 'shape' entry is too large");
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) fail("'shape' holds something other than whole numbers >= 0");
    if (at('L')) ++pos_;  // Python 2's long literal, in files written then
    return value;
  }

  // "()", "(3,)", "(3, 4)", "(3, 4,)": a single number needs its comma to be a tuple.
  std::vector<uint64_t> tuple() {
    expect('(', "'shape' is not a tuple");
    std::vector<uint64_t> values;
    bool trailing_comma = false;
    skip_space();
    while (!at(')')) {
      if (values.size() == kMaxShapeEntries) fail(fmt::format("'shape' has more than {} entries", kMaxShapeEntries));
      values.push_back(whole_number());
      skip_space();
      trailing_comma = at(',');
      if (!trailing_comma) break;
      ++pos_;
      skip_space();
    }
    expect(')', "'shape' is not a tuple of whole numbers");
    if (values.size() == 1 && !trailing_comma) fail("'shape' is a number in parentheses, not a tuple");
    return values;
  }

  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
};

struct Descr {
  Dtype dtype = Dtype::f32;
  bool float64 = false;  // rounded to float32 when read
};

Descr descr_of(const NpyHeader& header, std::string_view file) {
  const std::string& d = header.descr;
  if (d == "<f4") return {Dtype::f32, false};
  if (d == "<f2") return {Dtype::f16, false};
  if (d == "<f8") return {Dtype::f32, true};
  if (d == ">f4" || d == ">f2" || d == ">f8") {
    refuse(file, fmt::format("the array is big-endian ('{}'); embtool reads little-endian float32, float16 and "
                             "float64 (numpy: a.astype('<f4'))", d));
  }
  refuse(file, fmt::format("the array's dtype is '{}'; embtool reads '<f4' (float32), '<f2' (float16) and '<f8' "
                           "(float64)", d));
}

// numpy's astype(float32): each value rounded to the nearest float32 (ties to even).
std::vector<float> rounded_to_float32(const std::byte* data, size_t rows, size_t dim) {
  std::vector<float> values(rows * dim);
  parallel_for(rows, 0, Split{16384, 1}, [&](const Task& task) {
    for (size_t i = task.begin * dim; i < task.end * dim; ++i) {
      double value;
      std::memcpy(&value, data + i * sizeof(double), sizeof value);
      values[i] = static_cast<float>(value);
    }
  });
  return values;
}

// A float64 value that became infinite as a float32 was finite: say so, not just "inf".
void refuse_overflow(const std::byte* data, const std::vector<float>& rounded, size_t dim, std::string_view file) {
  for (size_t i = 0; i < rounded.size(); ++i) {
    if (std::isfinite(rounded[i])) continue;
    double value;
    std::memcpy(&value, data + i * sizeof(double), sizeof value);
    if (!std::isfinite(value)) continue;  // NaN/Inf already: refused as such
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: token id {} has the value {} at dimension {}, beyond float32's range", file,
                            i / dim, value, i % dim + 1),
                Remedy::keep_nonfinite);
  }
}

SourceInfo source_of(const NpyHeader& header, std::string_view file, uint64_t file_bytes, bool float64) {
  SourceInfo source;
  source.path = std::string(file);
  source.format = kName;
  source.file_bytes = file_bytes;
  source.facts.push_back({"npy_version", fmt::format("{}.{}", header.major, header.minor)});
  source.facts.push_back({"tensor_dtype", header.descr});
  source.facts.push_back({"shape", shape_text(header.shape)});
  if (float64) {
    source.facts.push_back({"decoded_to", std::string("f32")});
    source.warnings.push_back({fmt::format("{}: float64 values rounded to float32", file)});
  }
  return source;
}

Embeddings open(ByteReader& in, const LoadOptions& options) {
  const std::string file = in.path();
  if (in.is_gzip()) refuse(file, "a compressed .npy file cannot be mapped; decompress it first");
  const auto mapping = MappedFile::open(file);
  const std::string_view bytes(reinterpret_cast<const char*>(mapping->data()), mapping->size());
  const NpyHeader header = parse_npy_header(bytes, file);
  if (header.fortran_order) {
    refuse(file, "the array is in Fortran (column) order; embtool reads C (row) order "
                 "(numpy: numpy.save(path, numpy.ascontiguousarray(a)))");
  }
  const Descr descr = descr_of(header, file);
  if (header.shape.size() != 2) {
    refuse(file, fmt::format("the array has shape {}: not a matrix of rows (an embedding is 2-D)", shape_text(header.shape)));
  }
  const uint64_t rows = header.shape[0], dim = header.shape[1];
  if (rows == 0 || dim == 0) refuse(file, fmt::format("the array has shape {}: no values", shape_text(header.shape)));
  if (dim > kMaxDim || rows > UINT32_MAX - 1) {
    refuse(file, fmt::format("the array has shape {}, more than embtool accepts ({} rows of at most {} values)",
                             shape_text(header.shape), UINT32_MAX - 1, kMaxDim));
  }
  const uint64_t element = descr.float64 ? 8 : dtype_bytes(descr.dtype);
  uint64_t needed = 0;
  const bool overflow = __builtin_mul_overflow(rows * dim, element, &needed);
  const uint64_t present = bytes.size() - header.data_offset;
  if (overflow || needed != present) {
    refuse(file, fmt::format("the shape {} of '{}' needs {} bytes of data, but {} follow the header",
                             shape_text(header.shape), header.descr, overflow ? std::string("over 2^64") : std::to_string(needed),
                             present));
  }
  const size_t kept = options.limit ? std::min<uint64_t>(rows, *options.limit) : rows;
  const std::byte* data = mapping->data() + header.data_offset;
  DenseRows dense_rows{descr.dtype, rows, dim, data, mapping};
  if (descr.float64) {
    auto rounded = std::make_shared<std::vector<float>>(rounded_to_float32(data, kept, dim));
    if (!options.allow_nonfinite) refuse_overflow(data, *rounded, dim, file);
    dense_rows = {Dtype::f32, kept, dim, reinterpret_cast<const std::byte*>(rounded->data()), rounded};
  }
  DenseMatrix dense = dense_matrix(dense_rows, kept, options, file);
  Matrix matrix = std::move(dense.matrix);
  SourceInfo source = source_of(header, file, bytes.size(), descr.float64);
  TokenVocabulary tokens = options.vocab_file.empty() ? row_number_vocabulary(matrix.rows())
                                                      : read_token_file(options.vocab_file);
  return embeddings_with_tokens(std::move(matrix), std::move(tokens), std::move(source), 0,
                                fmt::format("{}: the array", file), std::move(dense.stats));
}

}  // namespace

NpyHeader parse_npy_header(std::string_view bytes, std::string_view file) {
  if (!bytes.starts_with(kNpyMagic)) refuse(file, "not a .npy file: it does not start with \\x93NUMPY");
  if (bytes.size() < 10) refuse(file, "the .npy file ends inside its header");
  NpyHeader header;
  header.major = static_cast<unsigned char>(bytes[6]);
  header.minor = static_cast<unsigned char>(bytes[7]);
  if (header.minor != 0 || header.major < 1 || header.major > 3) {
    refuse(file, fmt::format("the .npy format version is {}.{}; embtool reads 1.0, 2.0 and 3.0", header.major, header.minor));
  }
  const size_t length_bytes = header.major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) refuse(file, "the .npy file ends inside its header");
  const uint64_t length = little_endian(bytes.substr(8, length_bytes));
  const uint64_t start = 8 + length_bytes;
  if (length > bytes.size() - start) {
    refuse(file, fmt::format("the .npy header length {} reaches beyond the end of the file ({} bytes)", length,
                             bytes.size()));
  }
  if (length > kMaxHeaderBytes) {
    refuse(file, fmt::format("the .npy header length {} is more than embtool accepts ({})", length, kMaxHeaderBytes));
  }
  DictParser(bytes.substr(start, length), file).parse(header);
  header.data_offset = start + length;
  return header;
}

namespace {

// A word that a one-word-a-line file cannot hold is refused before anything is written.
void check_vocabulary_word(std::string_view word, uint32_t row, const std::filesystem::path& path) {
  if (word.find_first_of("\n\r") == std::string_view::npos && !word.empty()) return;
  throw Error(ErrorKind::invalid_argument,
              fmt::format("{}: the word of row {} {} and cannot be one line of {}; write a store (.emb) "
                          "or safetensors instead",
                          path.string(), row, word.empty() ? "is empty" : "holds a line break",
                          npy_vocabulary_path(path).filename().string()));
}

void write_vocabulary(const Embeddings& e, AtomicFile& file) {
  std::string block;
  for (uint32_t r = 0; r < e.rows(); ++r) {
    block += e.vocabulary().word(r);
    block += '\n';
    if (block.size() >= (1u << 20)) {
      file.write(block.data(), block.size());
      block.clear();
    }
  }
  file.write(block.data(), block.size());
}

// The rows in `dtype` (f32 or f16), in row order; float16 as numpy's astype(float16) rounds
// (to nearest even), after checking that every value is within its range.
void write_rows(const Embeddings& e, Dtype dtype, AtomicFile& file, const WriteOptions& options) {
  std::vector<uint16_t> halves(e.dim());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    const std::vector<float> values = e.row_values(r);
    if (dtype == Dtype::f32) {
      file.write(values.data(), values.size() * sizeof(float));
    } else {
      if (!kernels::finite_as_half(values)) {
        throw Error(ErrorKind::invalid_argument,
                    fmt::format("row {} ('{}') has a value beyond float16's range (65504): write float32",
                                r, e.vocabulary().word(r)));
      }
      kernels::to_half(values, halves);
      file.write(halves.data(), halves.size() * sizeof(uint16_t));
    }
    if (options.progress && (r % 65536 == 65535 || r + 1 == e.rows())) options.progress(r + 1, e.rows());
  }
}

void write_npy(const Embeddings& e, const std::filesystem::path& path, const WriteOptions& options) {
  const Dtype dtype = options.rows_dtype.value_or(Dtype::f32);
  if (dtype != Dtype::f32 && dtype != Dtype::f16) {
    throw Error(ErrorKind::invalid_argument, "numpy has no such dtype: write f32 or f16");
  }
  for (uint32_t r = 0; r < e.rows(); ++r) check_vocabulary_word(e.vocabulary().word(r), r, path);
  const std::filesystem::path vocabulary = npy_vocabulary_path(path);
  check_output_file(vocabulary, options.force);
  AtomicFile words(vocabulary, options.force);
  write_vocabulary(e, words);
  AtomicFile file(path, options.force);
  const std::string header = npy_header(dtype == Dtype::f32 ? "<f4" : "<f2", e.rows(), e.dim());
  file.write(header.data(), header.size());
  write_rows(e, dtype, file, options);
  file.commit();
  words.commit();
}

}  // namespace

std::string npy_header(std::string_view descr, uint64_t rows, uint64_t dim) {
  constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS
  constexpr size_t kArrayAlign = 64;           // numpy's ARRAY_ALIGN
  constexpr size_t kPrefixBytes = 10;          // magic, version, 2-byte header length
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}, {}), }}", descr, rows, dim);
  dict.append(kGrowthAxisMaxDigits - std::min(kGrowthAxisMaxDigits, fmt::formatted_size("{}", rows)), ' ');
  const size_t padding = kArrayAlign - (kPrefixBytes + dict.size() + 1) % kArrayAlign;
  dict.append(padding, ' ');
  dict += '\n';
  std::string header(kNpyMagic);
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(dict.size() & 0xFF);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

std::filesystem::path npy_vocabulary_path(const std::filesystem::path& npy) {
  std::filesystem::path words = npy;
  if (words.extension() == ".npy") words.replace_extension();
  words += ".vocab.txt";
  return words;
}

const FormatDescriptor& npy_format() {
  static const FormatDescriptor format{
      .name = kName,
      .aliases = {"numpy"},
      .extensions = {".npy"},
      .description = "numpy .npy",
      .magic = std::string(kNpyMagic),
      .sniff = nullptr,
      .open = open,
      .open_directory = nullptr,
      .write = write_npy,
      .holds_reduced_copies = false,
      .progress_items = "words",
      .element_dtypes = {Dtype::f32, Dtype::f16},
  };
  return format;
}

}  // namespace embtool::formats
