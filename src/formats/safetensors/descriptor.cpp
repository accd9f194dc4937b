// safetensors as a registered format: known by its name (.safetensors, the index's
// .safetensors.index.json) or by the JSON object after its 8-byte length; mapped, never
// streamed. A directory given as the model is read as a Hugging Face model directory.
#include <fmt/format.h>

#include "base/error.hpp"
#include "formats/hf_dir/hf_dir.hpp"
#include "formats/safetensors/safetensors.hpp"
#include "formats/safetensors/safetensors_header.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

namespace embtool::formats {
namespace {

// An index file: JSON (not a safetensors length) that names a weight_map near its start.
bool looks_like_index(std::string_view head) {
  const size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && head[first] == '{' && head.find("\"weight_map\"") != std::string_view::npos;
}

// The name says safetensors, or the bytes do: a plausible length, then a JSON object. A file
// so named is read as safetensors even when its header is broken, so that the refusal says
// what is wrong with it (rather than that no format fits).
bool sniff(std::string_view head, std::string_view path) {
  if (path.ends_with(".safetensors") || path.ends_with(kSafetensorsIndexSuffix)) return true;
  if (looks_like_index(head)) return true;
  if (head.size() < 9 || head[8] != '{') return false;
  uint64_t length = 0;
  for (size_t i = 8; i-- > 0;) length = (length << 8) | static_cast<unsigned char>(head[i]);
  return length >= 2 && length <= kMaxSafetensorsHeaderBytes;
}

Embeddings open(ByteReader& in, const LoadOptions& options) {
  if (in.is_gzip()) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: a compressed safetensors file cannot be mapped; decompress it first", in.path()));
  }
  CheckpointMatrix checkpoint = read_safetensors_matrix(in.path(), options);
  TokenVocabulary tokens = options.vocab_file.empty() ? row_number_vocabulary(checkpoint.matrix.rows())
                                                      : read_token_file(options.vocab_file);
  return checkpoint_embeddings(std::move(checkpoint), std::move(tokens), std::nullopt);
}

}  // namespace

const FormatDescriptor& safetensors_format() {
  static const FormatDescriptor format{
      .name = "safetensors",
      .aliases = {},
      .extensions = {".safetensors"},
      .description = "safetensors (or a Hugging Face model directory)",
      .magic = {},
      .sniff = sniff,
      .open = open,
      .open_directory = open_model_directory,
      .write = nullptr,
      .holds_reduced_copies = false,
      .progress_items = {},
    .element_dtypes = {},
  };
  return format;
}

}  // namespace embtool::formats
