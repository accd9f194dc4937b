// Text vector files: word2vec/fastText ("<count> <dim>" header, then "word v1 ... vdim" a
// line), and the text reader GloVe shares (the same lines, no header).
#pragma once

#include "formats/format.hpp"
#include "formats/readers.hpp"

namespace embtool::formats {

const FormatDescriptor& word2vec_text_format();


// `in` positioned after the header line.
Embeddings read_word2vec_text(ByteReader& in, const Header& header, const LoadOptions& options,
                              ReadNotes info);
// `in` positioned at the first row.
Embeddings read_glove(ByteReader& in, const LoadOptions& options, ReadNotes info);

}  // namespace embtool::formats
