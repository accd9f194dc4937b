// word2vec binary: "<count> <dim>\n", then per word its bytes, one space, dim little-endian
// float32, and usually a "\n" (written by word2vec.c, not by gensim 4).
#pragma once

#include <optional>

#include "formats/format.hpp"
#include "formats/readers.hpp"

namespace embtool::formats {

const FormatDescriptor& word2vec_binary_format();


// The streaming reader: plain or gzip input, `in` positioned after the header line.
Embeddings read_word2vec_binary(ByteReader& in, const Header& header, const LoadOptions& options,
                                ReadNotes info);

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
                                                      const ReadNotes& info, unsigned chunks = 0,
                                                      MappedLoadTimes* times = nullptr);

}  // namespace embtool::formats
