// GloVe text: "word v1 ... vdim" a line, no header; read by the text reader of word2vec_text/.
#pragma once

#include "formats/format.hpp"

namespace embtool::formats {

const FormatDescriptor& glove_format();

}  // namespace embtool::formats
