// libFuzzer target: gzip input. Odd first byte: the rest is compressed here and read through
// the gzip path (its parsing, as the plain readers'); even: the rest is taken as the .gz file
// itself, so that damaged and truncated streams are met.
#include <zlib.h>

#include <string>

#include "fuzz_input.hpp"

namespace {

std::string gzip(std::string_view bytes) {
  z_stream stream{};
  deflateInit2(&stream, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);  // 16: a gzip header
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string file = (data[0] & 1) ? gzip(rest) : std::string("\x1f\x8b", 2) + std::string(rest);
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".gz"),
                              embtool::fuzz::options_from(static_cast<uint8_t>(data[0] >> 1),
                                                          "word2vec-binary"));
  return 0;
}
