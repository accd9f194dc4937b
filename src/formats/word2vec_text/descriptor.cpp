// word2vec/fastText text as a registered format.
#include "formats/word2vec_text/word2vec_text.hpp"

namespace embtool::formats {
namespace {

constexpr const char* kName = "word2vec-text";

bool sniff(std::string_view head, std::string_view path) {
  return sniff_word2vec(head, path) == Word2vecRecords::text;
}

Embeddings open(ByteReader& in, const LoadOptions& options) {
  skip_byte_order_mark(in);
  ReadNotes notes = notes_for(in, kName);
  const Header header = read_header(in, kName);
  notes.header_count = header.count;
  // From a mapping on every core when it can be; the streaming reader for gzip and for
  // anything it must refuse (it says exactly what is wrong).
  if (auto mapped = read_word2vec_text_mapped(in, header, options, notes)) return std::move(*mapped);
  return read_word2vec_text(in, header, options, std::move(notes));
}

void write(const Embeddings& embeddings, const std::filesystem::path& path, const WriteOptions& options) {
  write_vectors(embeddings, path, kName, {.force = options.force, .progress = options.progress});
}

}  // namespace

const FormatDescriptor& word2vec_text_format() {
  static const FormatDescriptor format{
      .name = kName,
      .aliases = {"text", "vec"},
      .extensions = {".txt", ".vec"},
      .description = "word2vec or fastText text",
      .magic = {},
      .sniff = sniff,
      .open = open,
      .write = write,
      .holds_reduced_copies = false,
      .progress_items = "words",
    .element_dtypes = {},
  };
  return format;
}

}  // namespace embtool::formats
