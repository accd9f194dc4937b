// The streaming word2vec binary reader (plain or gzip input; the mapped reader falls back
// to it for whatever it must refuse).
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "base/error.hpp"
#include "formats/row_buffer.hpp"
#include "formats/word2vec_binary/word2vec_binary.hpp"

namespace embtool::formats {
namespace {

// word2vec.c ends each vector with "\n"; gensim strips leading newlines from every word.
void skip_newlines(ByteReader& in) {
  while (!in.at_end() && in.peek(1)[0] == '\n') in.skip(1);
}

void to_host_order(std::span<float> values) {
  if constexpr (std::endian::native == std::endian::big) {
    for (float& v : values) {
      uint32_t bits = std::bit_cast<uint32_t>(v);
      bits = __builtin_bswap32(bits);
      v = std::bit_cast<float>(bits);
    }
  }
}

// Text digits where float bytes should be: the user forced binary on a text file.
bool looks_like_text_numbers(std::span<const float> values) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  return std::all_of(bytes, bytes + values.size_bytes(), [](unsigned char c) {
    return std::strchr("0123456789.-+eE \n\r", c) != nullptr && c != '\0';
  });
}

// Reads the next word into `word` (reused from record to record: no allocation per word).
void read_word(ByteReader& in, uint64_t record, uint64_t announced, std::string& word) {
  skip_newlines(in);
  const uint64_t offset = in.offset();
  word.clear();
  switch (in.read_until(' ', word, kMaxWordBytes)) {
    case ByteReader::Until::found: break;
    case ByteReader::Until::too_long:
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: word {} at byte offset {} is longer than {} bytes; is this "
                              "really a word2vec binary file?",
                              in.path(), record + 1, offset, kMaxWordBytes));
    case ByteReader::Until::end_of_data:
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: truncated: the header announces {} words, but the data ends "
                              "in or before word {} (byte offset {})",
                              in.path(), announced, record + 1, in.offset()));
  }
  if (word.empty()) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: empty word at record {} (byte offset {})", in.path(), record + 1,
                            offset));
  }
}

}  // namespace

Embeddings read_word2vec_binary(ByteReader& in, const Header& header, const LoadOptions& options,
                                ReadNotes info) {
  const uint64_t records = records_to_read(header.count, options);
  const uint64_t vector_bytes = header.dim * sizeof(float);
  check_header(in, header, records, vector_bytes + 2, Records::binary);  // a 1-byte word, a space
  const size_t dim = header.dim;

  Vocabulary vocabulary;
  // Sized by what the file can hold, never by the header alone.
  const uint64_t reservable =
      std::min(records, rows_the_file_can_hold(in.file_bytes(), in.is_gzip(), vector_bytes + 2));
  RowBuffer matrix(dim, reservable);
  vocabulary.reserve(reservable, reservable * 8);

  ProgressTicker progress(in, options);
  std::string word;
  for (uint64_t record = 0; record < records; ++record) {
    progress.tick();
    in.set_record(record + 1);
    read_word(in, record, header.count, word);
    const std::span<float> values(matrix.append_row(), dim);
    if (in.read(reinterpret_cast<char*>(values.data()), vector_bytes) != vector_bytes) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: truncated inside the vector of word {} '{}' (byte offset {}); "
                              "the header announces {} words",
                              in.path(), record + 1, word, in.offset(), header.count));
    }
    to_host_order(values);
    if (record == 0 && looks_like_text_numbers(values)) {
      throw Error(ErrorKind::bad_data,
                  fmt::format("{}: this looks like a word2vec text file, not binary",
                              in.path()),
                  Remedy::read_as_text);
    }
    check_finite(values, options, info, word, fmt::format("record {}", record + 1));
    if (!vocabulary.add(word)) {
      matrix.drop_last_row();
      if (info.duplicates_dropped++ == 0) {
        info.first_duplicate = word;
        info.first_duplicate_record = record + 1;
      }
    }
  }
  info.records_read = records;
  progress.report();
  skip_newlines(in);
  info.trailing_data = records == header.count && !in.at_end();
  return Embeddings(std::move(vocabulary), std::move(matrix).finish(), source_info(info), {}, {},
                    info.nonfinite_values);
}

}  // namespace embtool::formats
