// The format readers behind embtool::load(). Each reads from a ByteReader positioned after
// any header, fills a Vocabulary and a matrix, and records what it noticed in SourceInfo.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "model/embeddings.hpp"
#include "formats/formats.hpp"
#include "base/byte_source.hpp"

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
                  uint64_t min_record_bytes, Format format);

// Where a plain file too short for its header ends: "the data ends inside the vector of word
// 2 'b': 4 of its 8 bytes are there (byte offset 20)". Reads the file; allocates nothing.
std::string where_binary_data_ends(const std::filesystem::path& path, uint64_t data_offset, uint64_t dim);
std::string where_text_data_ends(const std::filesystem::path& path, uint64_t data_offset);

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

// Phase times of one read_word2vec_binary_mapped call, in seconds, for benchmarks and tests.
struct MappedLoadTimes {
  double map_and_split = 0;  // mapping the file, finding where each share starts
  double walk = 0;           // all threads walking the records (words, norms, NaN/Inf)
  double merge = 0;          // the shares' records put end to end
  double index = 0;          // the vocabulary's hash index, duplicates dropped
  double total = 0;
  size_t chunks = 0;         // shares the records were walked in (by up to one thread a core)
  bool split_missed = false; // a guessed record boundary was wrong: walked again on one thread
};

// word2vec binary read in place from a read-only mapping of the (uncompressed) file, walked
// in `chunks` shares by one thread per core (0: as many shares as suit the file and the
// cores); the rows are not copied. `in` must be positioned after the header line, and is left
// there. Header errors throw as read_word2vec_binary's do. Returns nullopt for gzip input, a
// big-endian host, a file that cannot be mapped or memory that runs out, and any record that
// the streaming reader would refuse: read_word2vec_binary(in, ...) then reads the file or
// gives the exact error. Otherwise the result is read_word2vec_binary's, bit for bit.
std::optional<Embeddings> read_word2vec_binary_mapped(const ByteReader& in, const Header& header,
                                                      const LoadOptions& options,
                                                      const SourceInfo& info, unsigned chunks = 0,
                                                      MappedLoadTimes* times = nullptr);

Embeddings read_word2vec_text(ByteReader& in, const Header& header, const LoadOptions& options,
                              SourceInfo info);
Embeddings read_glove(ByteReader& in, const LoadOptions& options, SourceInfo info);

}  // namespace embtool::formats
