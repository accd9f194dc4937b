// GloVe as a registered format: the text reader's rows without a header line.
#include "formats/glove/glove.hpp"

#include "formats/word2vec_text/word2vec_text.hpp"

namespace embtool::formats {
namespace {

constexpr const char* kName = "glove";

Embeddings open(ByteReader& in, const LoadOptions& options) {
  skip_byte_order_mark(in);
  ReadNotes notes = notes_for(in, kName);
  if (auto mapped = read_glove_mapped(in, options, notes)) return std::move(*mapped);  // as word2vec text
  return read_glove(in, options, std::move(notes));
}

void write(const Embeddings& embeddings, const std::filesystem::path& path, const WriteOptions& options) {
  write_vectors(embeddings, path, kName, {.force = options.force, .progress = options.progress});
}

}  // namespace

const FormatDescriptor& glove_format() {
  static const FormatDescriptor format{
      .name = kName,
      .aliases = {},
      .extensions = {".glove"},
      .description = "GloVe text, no header line",
      .magic = {},
      .sniff = sniff_glove,
      .open = open,
      .write = write,
      .holds_reduced_copies = false,
      .progress_items = "words",
    .element_dtypes = {},
  };
  return format;
}

}  // namespace embtool::formats
