// Text vector files: word2vec/fastText ("<count> <dim>" header, then "word v1 ... vdim" a
// line), and the text reader GloVe shares (the same lines, no header).
#pragma once

#include "formats/format.hpp"
#include "formats/readers.hpp"

namespace embtool::formats {

const FormatDescriptor& word2vec_text_format();

// The longest line a text row may have (longer ones are refused as not a vector file).
size_t max_text_line_bytes(uint64_t dim);
// GloVe's first line, read before the dimension is known, may be this long.
inline constexpr size_t kGloveFirstLineMaxBytes = size_t{64} << 20;

// `in` positioned after the header line.
Embeddings read_word2vec_text(ByteReader& in, const Header& header, const LoadOptions& options,
                              ReadNotes info);
// `in` positioned at the first row.
Embeddings read_glove(ByteReader& in, const LoadOptions& options, ReadNotes info);

// The same files parsed from a mapping by every core (text_mapped.cpp), with the same result;
// nullopt for gzip, for a file that does not map, and for anything the readers above must
// judge (they then say what is wrong). `in` is not moved. `shares`: the lines are parsed in
// that many shares (0: as many as suit the file and the cores).
std::optional<Embeddings> read_word2vec_text_mapped(const ByteReader& in, const Header& header,
                                                    const LoadOptions& options, ReadNotes info,
                                                    unsigned shares = 0);
std::optional<Embeddings> read_glove_mapped(const ByteReader& in, const LoadOptions& options,
                                            ReadNotes info, unsigned shares = 0);

}  // namespace embtool::formats
