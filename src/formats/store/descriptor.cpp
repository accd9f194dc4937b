// The .emb store as a registered format: known by its magic number, mapped, not streamed.
#include <fmt/format.h>

#include "base/error.hpp"
#include "formats/store/store_file.hpp"

namespace embtool::formats {
namespace {

Embeddings open(ByteReader& in, const LoadOptions& options) {
  if (in.is_gzip()) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: a compressed embtool store cannot be "
                                                "mapped; decompress it first", in.path()));
  }
  return open_store(in.path(), options.limit);
}

void write(const Embeddings& embeddings, const std::filesystem::path& path, const WriteOptions& options) {
  write_store(embeddings, path,
              {.reduced = options.reduced, .force = options.force, .progress = options.progress});
}

}  // namespace

const FormatDescriptor& store_format() {
  static const FormatDescriptor format{
      .name = "embtool-store",
      .aliases = {"emb"},
      .extensions = {".emb"},
      .description = "embtool store",
      .magic = std::string(kStoreMagic),
      .sniff = nullptr,
      .open = open,
      .write = write,
      .holds_reduced_copies = true,
      .progress_items = {},
    .element_dtypes = {},
  };
  return format;
}

}  // namespace embtool::formats
