// ByteReader on gzip input: what gzip itself writes (a file name in the header, several
// members, levels 1 to 9, stored blocks), what it refuses (damaged data, a wrong CRC, a cut
// stream), and large files read ahead on a thread, byte for byte as zlib inflates them.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <random>
#include <string>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::formats;
using namespace embtool::testing;

namespace {

// gzip at `level`, with a file name in the header as the gzip tool writes it.
std::string gzip_named(const std::string& bytes, int level, const char* name = "vectors.txt") {
  std::string out(compressBound(static_cast<uLong>(bytes.size())) + 256, '\0');
  z_stream stream{};
  deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  gz_header header{};
  header.name = reinterpret_cast<Bytef*>(const_cast<char*>(name));
  header.os = 3;
  deflateSetHeader(&stream, &header);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Text that compresses as vector files do, and random bytes that do not.
std::string sample_bytes(size_t size, uint32_t seed, bool compressible) {
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(size);
  std::uniform_int_distribution<int> byte(0, 255);
  std::normal_distribution<float> value(0.0f, 0.3f);
  while (out.size() < size) {
    if (compressible) {
      out += std::to_string(value(rng));
      out += out.size() % 97 == 0 ? '\n' : ' ';
    } else {
      out += static_cast<char>(byte(rng));
    }
  }
  out.resize(size);
  return out;
}

// Everything the reader gives, read in odd-sized pieces.
std::string read_all(const std::filesystem::path& path) {
  ByteReader in(path);
  std::string out;
  std::string piece(77777, '\0');
  for (;;) {
    const size_t n = in.read(piece.data(), piece.size());
    out.append(piece.data(), n);
    if (n < piece.size()) return out;
  }
}

std::string refusal_of(const std::filesystem::path& path) {
  try {
    read_all(path);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("gzip: every level, a named header, small and large files, as zlib inflates them",
          "[base][gzip]") {
  for (const bool compressible : {true, false}) {
    for (const size_t size : {size_t{0}, size_t{1}, size_t{5000}, size_t{9} << 20}) {
      const std::string bytes = sample_bytes(size, static_cast<uint32_t>(size), compressible);
      for (const int level : {0, 1, 6, 9}) {
        if (size > (1 << 20) && level != 6) continue;  // the large file once: it takes the thread path
        INFO("size " << size << " level " << level << (compressible ? " text" : " random"));
        const auto path = write_file("gz_level.gz", gzip_named(bytes, level));
        CHECK(read_all(path) == bytes);
      }
    }
  }
}

TEST_CASE("gzip: members one after another are read as one stream; trailing garbage is ignored",
          "[base][gzip]") {
  const std::string a = sample_bytes(300000, 1, true);
  const std::string b = sample_bytes(200000, 2, true);
  CHECK(read_all(write_file("gz_members.gz", gzip_named(a, 6) + gzip_named(b, 1))) == a + b);
  CHECK(read_all(write_file("gz_garbage.gz", gzip_named(a, 6) + "not gzip")) == a);
  CHECK(read_all(write_file("gz_zeros.gz", gzip_named(a, 6) + std::string(100, '\0'))) == a);
  const std::string big = sample_bytes(6 << 20, 3, false);
  CHECK(read_all(write_file("gz_members_big.gz", gzip_named(big, 1) + gzip_named(a, 6))) == big + a);
}

TEST_CASE("gzip: a cut stream, damaged data and a wrong checksum are refused, small or large",
          "[base][gzip]") {
  for (const size_t size : {size_t{400000}, size_t{8} << 20}) {
    const std::string bytes = sample_bytes(size, 4, false);
    const std::string gz = gzip_named(bytes, 6);
    INFO("size " << size);
    CHECK(refusal_of(write_file("gz_cut.gz", gz.substr(0, gz.size() / 2))).find("gzip stream is damaged") !=
          std::string::npos);
    CHECK(refusal_of(write_file("gz_cut_trailer.gz", gz.substr(0, gz.size() - 4))).find("damaged") !=
          std::string::npos);
    std::string bad_crc = gz;
    bad_crc[bad_crc.size() - 6] ^= 0x55;
    CHECK(refusal_of(write_file("gz_crc.gz", bad_crc)).find("incorrect data check") != std::string::npos);
    std::string damaged = gz;
    for (size_t i = gz.size() / 3; i < gz.size() / 3 + 64; ++i) damaged[i] = '\xff';
    CHECK_FALSE(refusal_of(write_file("gz_damaged.gz", damaged)).empty());
  }
}

TEST_CASE("gzip: the file position moves forward to the compressed size", "[base][gzip]") {
  const std::string bytes = sample_bytes(12 << 20, 5, true);
  const auto path = write_file("gz_position.gz", gzip_named(bytes, 1));
  ByteReader in(path);
  std::string piece(1 << 20, '\0');
  uint64_t last = 0;
  while (in.read(piece.data(), piece.size()) > 0) {
    CHECK(in.file_position() >= last);
    last = in.file_position();
  }
  CHECK(last == std::filesystem::file_size(path));
}
