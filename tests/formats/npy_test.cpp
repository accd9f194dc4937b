#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "formats/npy/npy.hpp"
#include "kernels/quantized.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

// A .npy file as numpy.save writes it: magic, version, header length, the dict padded with
// spaces and a newline to a multiple of 64 bytes, then the data.
std::string npy(const std::string& dict, const std::string& data, unsigned major = 1) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t unpadded = 8 + length_bytes + dict.size() + 1;
  const size_t header = dict.size() + 1 + (64 - unpadded % 64) % 64;
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < length_bytes; ++i) bytes += static_cast<char>((header >> (8 * i)) & 0xFF);
  bytes += dict + std::string(header - dict.size() - 1, ' ') + "\n";
  return bytes + data;
}

std::string dict(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<float> values(size_t count) {
  std::vector<float> v;
  for (size_t i = 0; i < count; ++i) v.push_back(static_cast<float>(static_cast<int>(i * 7 % 23) - 11) / 16.0f);
  return v;
}

void require_rows(const Embeddings& e, const std::vector<float>& expected, size_t dim) {
  REQUIRE(e.dim() == dim);
  REQUIRE(e.rows() * dim == expected.size());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    const auto row = e.row_values(r);
    for (size_t i = 0; i < dim; ++i) CHECK(std::bit_cast<uint32_t>(row[i]) == std::bit_cast<uint32_t>(expected[r * dim + i]));
  }
}

void require_refused(const std::filesystem::path& path, const std::string& fragment, LoadOptions options = {}) {
  try {
    // Rows used in place are checked on first need (their norms), not at open.
    const Embeddings e = load(path, options);
    (void)e.norms();
    FAIL("loaded a file that should be refused: " << path);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path.filename().string()));
  }
}

}  // namespace

TEST_CASE("npy: float32 and float16 matrices in versions 1, 2 and 3, read in place", "[formats][npy]") {
  const auto v = values(4 * 5);
  for (unsigned major : {1u, 2u, 3u}) {
    const auto e = load(write_file("f4_v" + std::to_string(major) + ".npy", npy(dict("<f4", "(4, 5)"), bytes_of(v), major)));
    CHECK(e.source().format == "npy");
    CHECK(e.dtype() == Dtype::f32);
    CHECK(e.source().text("npy_version") == std::to_string(major) + ".0");
    CHECK(e.source().text("tensor_dtype") == "<f4");
    CHECK(e.vocabulary().word(3) == "3");
    require_rows(e, v, 5);
  }
  std::vector<uint16_t> half(v.size());
  kernels::to_half(v, half);
  const auto f2 = load(write_file("f2.npy", npy(dict("<f2", "(4, 5)"), bytes_of(half))));
  CHECK(f2.dtype() == Dtype::f16);
  require_rows(f2, v, 5);
}

TEST_CASE("npy: float64 is rounded to float32, and says so", "[formats][npy]") {
  const std::vector<double> wide = {0.1, -0.2, 1.0 / 3.0, 1e-40, 2.5, -7.0};
  const auto e = load(write_file("f8.npy", npy(dict("<f8", "(3, 2)"), bytes_of(wide))));
  std::vector<float> narrow;
  for (double x : wide) narrow.push_back(static_cast<float>(x));
  require_rows(e, narrow, 2);
  CHECK(e.source().text("decoded_to") == "f32");
  CHECK(warned(e, "float64 values rounded to float32"));
  require_refused(write_file("f8_big.npy", npy(dict("<f8", "(1, 2)"), bytes_of(std::vector<double>{1.0, 1e300}))),
                  "beyond float32's range");
}

TEST_CASE("npy: header dicts in the spellings numpy writes", "[formats][npy]") {
  const auto data = bytes_of(values(6));
  for (const std::string& d : {std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"),
                               std::string("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 2)}"),
                               std::string("{'shape': (3L, 2L), 'fortran_order': False, 'descr': '<f4'}"),
                               std::string("{'descr':'<f4','fortran_order':False,'shape':(3,2,),}")}) {
    CHECK(load(write_file("spelling.npy", npy(d, data))).rows() == 3);
  }
  const auto header = formats::parse_npy_header(npy(dict("<f4", "(7,)"), ""), "x.npy");
  CHECK(header.shape == std::vector<uint64_t>{7});
  CHECK(header.data_offset == 128);  // 10 + 58 bytes, padded to 64 as numpy pads
}

TEST_CASE("npy: what embtool does not read is refused with the file and the reason", "[formats][npy]") {
  const auto data = bytes_of(values(6));
  require_refused(write_file("fortran.npy", npy(dict("<f4", "(3, 2)", "True"), data)), "Fortran");
  require_refused(write_file("int.npy", npy(dict("<i4", "(3, 2)"), data)), "'<i4'");
  require_refused(write_file("big_endian.npy", npy(dict(">f4", "(3, 2)"), data)), "big-endian");
  require_refused(write_file("structured.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", data)),
                  "structured");
  require_refused(write_file("vector.npy", npy(dict("<f4", "(6,)"), data)), "not a matrix");
  require_refused(write_file("cube.npy", npy(dict("<f4", "(1, 3, 2)"), data)), "(1, 3, 2)");
  require_refused(write_file("lying_shape.npy", npy(dict("<f4", "(4, 2)"), data)), "needs 32 bytes of data, but 24 follow");
  require_refused(write_file("short_shape.npy", npy(dict("<f4", "(2, 2)"), data)), "needs 16 bytes");
  require_refused(write_file("huge_shape.npy", npy(dict("<f4", "(100000, 1000000)"), data)), "needs");
  require_refused(write_file("empty.npy", npy(dict("<f4", "(0, 2)"), "")), "no values");
  require_refused(write_file("version.npy", std::string("\x93NUMPY\x04\x00", 8) + std::string(60, ' ')), "version is 4.0");
  require_refused(write_file("cut.npy", std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 18)), "beyond the end");
  require_refused(write_file("extra_key.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'x': 1}", data)),
                  "'x'");
  require_refused(write_file("twice.npy", npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)}", data)),
                  "twice");
  require_refused(write_file("lacks.npy", npy("{'descr': '<f4', 'shape': (3, 2)}", data)), "lacks 'fortran_order'");
  require_refused(write_file("paren.npy", npy(dict("<f4", "(6)"), data)), "not a tuple");
  require_refused(write_file("negative.npy", npy(dict("<f4", "(-3, 2)"), data)), "whole numbers");
  require_refused(write_file("after.npy", npy(dict("<f4", "(3, 2)") + " x", data)), "more after");
  std::vector<float> nan = values(6);
  nan[5] = std::numeric_limits<float>::quiet_NaN();
  require_refused(write_file("nan.npy", npy(dict("<f4", "(3, 2)"), bytes_of(nan))), "token id 2 has the value nan at dimension 2");
}

TEST_CASE("npy: a limit keeps the first rows", "[formats][npy]") {
  LoadOptions options;
  options.limit = 1;
  const auto v = values(6);
  const auto e = load(write_file("limit.npy", npy(dict("<f8", "(3, 2)"), bytes_of(std::vector<double>(v.begin(), v.end())))), options);
  CHECK(e.rows() == 1);
  require_rows(e, {v[0], v[1]}, 2);
}

TEST_CASE("npy: written as numpy.save writes it, read back with its words through --vocab", "[formats][npy][write]") {
  auto words = random_words(70, 9, 5);
  for (size_t r = 0; r < words.size(); ++r) words[r].word = "w" + std::to_string(r);
  words[3].word = "caf\xc3\xa9";
  const Embeddings original = load(write_file("for_npy.bin", word2vec_binary(words)));
  const std::filesystem::path out = scratch_dir() / "written.npy";
  formats::npy_format().write(original, out, {.force = true, .reduced = {}, .rows_dtype = {}, .progress = {}});
  // numpy.save's header for (70, 9) float32: the data starts at 128 (a dict past 64 bytes).
  const std::string header = formats::npy_header("<f4", 70, 9);
  CHECK(header.size() % 64 == 0);
  CHECK(header.find("{'descr': '<f4', 'fortran_order': False, 'shape': (70, 9), }") == 10);
  CHECK(header.back() == '\n');
  LoadOptions options;
  options.vocab_file = formats::npy_vocabulary_path(out);
  CHECK(options.vocab_file == scratch_dir() / "written.vocab.txt");
  const Embeddings back = load(out, options);
  REQUIRE(back.rows() == 70);
  for (uint32_t r = 0; r < back.rows(); ++r) {
    CHECK(back.vocabulary().word(r) == words[r].word);
    const auto x = original.row_values(r), y = back.row_values(r);
    for (size_t i = 0; i < x.size(); ++i) CHECK(std::bit_cast<uint32_t>(x[i]) == std::bit_cast<uint32_t>(y[i]));
  }
  // float16 rows: numpy's astype(float16), round to nearest even.
  formats::npy_format().write(original, out, {.force = true, .reduced = {}, .rows_dtype = Dtype::f16, .progress = {}});
  const Embeddings half = load(out, options);
  CHECK(half.dtype() == Dtype::f16);
  const auto x = original.row_values(5);
  std::vector<uint16_t> expected(x.size());
  kernels::to_half(x, expected);
  const auto y = half.row_values(5);
  for (size_t i = 0; i < x.size(); ++i) CHECK(y[i] == kernels::half_to_float(expected[i]));
}

TEST_CASE("npy: what one-word-a-line cannot hold, or float16 cannot, is refused before writing", "[formats][npy][write]") {
  auto words = random_words(5, 4, 6);
  for (size_t r = 0; r < words.size(); ++r) words[r].word = "w" + std::to_string(r);
  words[2].word = "line\nbreak";
  words[1].values[0] = 70000.0f;
  const Embeddings e = load(write_file("npy_refused.bin", word2vec_binary(words)));
  const std::filesystem::path out = scratch_dir() / "refused.npy";
  std::filesystem::remove(out);
  CHECK_THROWS_WITH(formats::npy_format().write(e, out, {.force = true, .reduced = {}, .rows_dtype = {}, .progress = {}}),
                    Catch::Contains("row 2") && Catch::Contains("line break"));
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(formats::npy_vocabulary_path(out)));
  words[2].word = "fine";
  const Embeddings wide = load(write_file("npy_wide.bin", word2vec_binary(words)));
  CHECK_THROWS_WITH(formats::npy_format().write(wide, out, {.force = true, .reduced = {}, .rows_dtype = Dtype::f16, .progress = {}}),
                    Catch::Contains("float16's range"));
  CHECK_FALSE(std::filesystem::exists(out));
}
