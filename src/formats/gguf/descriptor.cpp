// GGUF as a registered format: known by its magic number, mapped, never written.
#include <fmt/format.h>

#include "base/error.hpp"
#include "formats/gguf/gguf.hpp"
#include "formats/gguf/gguf_file.hpp"

namespace embtool::formats {
namespace {

Embeddings open(ByteReader& in, const LoadOptions& options) {
  if (in.is_gzip()) {
    throw Error(
        ErrorKind::bad_data,
        fmt::format("{}: a compressed GGUF file cannot be mapped; decompress it first", in.path()));
  }
  return open_gguf(in.path(), options);
}

}  // namespace

const FormatDescriptor& gguf_format() {
  static const FormatDescriptor format{
      .name = "gguf",
      .aliases = {},
      .extensions = {".gguf"},
      .description = "GGUF (llama.cpp)",
      .magic = std::string(gguf::kMagic),
      .sniff = nullptr,
      .open = open,
      .open_directory = nullptr,
      .write = nullptr,
      .holds_reduced_copies = false,
      .progress_items = {},
    .element_dtypes = {},
  };
  return format;
}

}  // namespace embtool::formats
