// The format readers behind embtool::load(). Each reads from a ByteReader positioned after
// any header, fills a Vocabulary and a matrix, and records what it noticed in SourceInfo.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "embtool/embeddings.hpp"
#include "embtool/formats.hpp"
#include "formats/byte_source.hpp"

namespace embtool::formats {

// "<count> <dim>" from the first line of word2vec files.
struct Header {
  uint64_t count = 0;
  uint64_t dim = 0;
};

// Limits that keep a lying header from making us allocate or scan without bound.
inline constexpr uint64_t kMaxDim = 1'000'000;
inline constexpr size_t kMaxWordBytes = size_t{1} << 20;

std::optional<Header> parse_header_line(std::string_view line);

// Decides the format from the first bytes of the stream, without consuming them.
Format detect_format(ByteReader& in);

// Throws a bad_file Error unless the header describes a plausible file, in which the
// `records` to be read, each at least `min_record_bytes` long, fit in what follows.
void check_header(const ByteReader& in, const Header& header, uint64_t records,
                  uint64_t min_record_bytes);

// How many records to read: the header's count, cut to the caller's limit.
uint64_t records_to_read(uint64_t available, const LoadOptions& options);

// Throws a bad_file Error if `values` hold NaN/Inf and the caller did not allow them;
// otherwise counts them in `info`.
void check_finite(std::span<const float> values, const LoadOptions& options, SourceInfo& info,
                  std::string_view word, std::string_view place);

// Calls options.progress every so many records (cheap enough to call per record).
class ProgressTicker {
 public:
  ProgressTicker(const ByteReader& in, const LoadOptions& options) : in_(in), options_(options) {}
  void tick() {
    if (options_.progress && (++records_ & 0xFFFF) == 0) report();
  }
  void report() {
    if (options_.progress) options_.progress(in_.file_position(), in_.file_bytes());
  }

 private:
  const ByteReader& in_;
  const LoadOptions& options_;
  uint64_t records_ = 0;
};

Embeddings read_word2vec_binary(ByteReader& in, const Header& header, const LoadOptions& options,
                                SourceInfo info);
Embeddings read_word2vec_text(ByteReader& in, const Header& header, const LoadOptions& options,
                              SourceInfo info);
Embeddings read_glove(ByteReader& in, const LoadOptions& options, SourceInfo info);

}  // namespace embtool::formats
