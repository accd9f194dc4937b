#include "formats/tokenizer_file/tokenizer_file.hpp"

#include <fmt/format.h>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "formats/gguf/gguf_file.hpp"
#include "formats/gguf/gguf_tokenizer.hpp"
#include "formats/token_vocabulary.hpp"
#include "formats/tokenizer_vocab/collected.hpp"
#include "formats/tokenizer_vocab/tokenizer_spec.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"
#include "tokenize/make_tokenizer.hpp"

namespace embtool::formats {
namespace {

bool looks_like_tokenizer_json(std::string_view head) {
  const size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || head[first] != '{') return false;
  // tokenizer.json's "model" is an object; in GPT-2's vocab.json "model" is a token, its value an id.
  for (size_t at = head.find("\"model\""); at != std::string_view::npos; at = head.find("\"model\"", at + 1)) {
    const size_t value = head.find_first_not_of(" \t\r\n:", at + 7);
    if (value != std::string_view::npos && head[value] == '{' && head.find(':', at + 7) < value) return true;
  }
  return false;
}

bool sniff(std::string_view head, std::string_view path) {
  const std::filesystem::path file(path);
  if (file.extension() == ".tiktoken") return true;
  // Asked after word2vec text, which claims a header line ("3000000 300") first.
  return looks_like_tokenizer_json(head) || tokenizer_vocab::looks_like_tiktoken_ranks(head);
}

}  // namespace

tokenize::Spec read_tokenizer_spec(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error) && path.extension() == ".gguf") {
    const auto file = MappedFile::open(path);
    return gguf::tokenizer_spec(gguf::parse(file->bytes(), path.string()), path.string());
  }
  std::optional<tokenize::Spec> spec = find_tokenizer_spec(path);
  if (!spec) {
    throw Error(ErrorKind::not_found,
                fmt::format("{} holds no tokenizer embtool can run (tokenizer.json, vocab.json with merges.txt, "
                            "vocab.txt, a tiktoken file or a GGUF)", path.string()));
  }
  return std::move(*spec);
}

namespace {

Embeddings open(ByteReader& in, const LoadOptions& options) {
  const std::filesystem::path path(in.path());
  if (in.is_gzip()) throw Error(ErrorKind::bad_data, fmt::format("{}: decompress a tokenizer file first", path.string()));
  TokenVocabulary tokens = read_token_file(path);
  if (options.limit && tokens.keys.size() > *options.limit) {
    tokens.keys.resize(*options.limit);
    tokens.kinds.resize(*options.limit);
  }
  SourceInfo source;
  source.path = path.string();
  source.format = tokenizer_file_format().name;
  std::error_code error;
  source.file_bytes = std::filesystem::file_size(path, error);
  Matrix no_rows = Matrix::view(Dtype::f32, 0, 0, nullptr, 0, nullptr);
  Embeddings model = embeddings_with_tokens(std::move(no_rows), std::move(tokens), std::move(source), 0, path.string());
  attach_tokenizer_of(model, path);
  return model;
}

}  // namespace

std::shared_ptr<const tokenize::Tokenizer> build_tokenizer(const std::filesystem::path& path) {
  tokenize::Spec spec = read_tokenizer_spec(path);
  try {
    return tokenize::make_tokenizer(std::move(spec));
  } catch (const Error& e) {
    throw Error(e.kind(), fmt::format("{}: {}", path.string(), e.what()));  // name the file
  }
}

void attach_tokenizer_of(Embeddings& model, const std::filesystem::path& path) {
  model.set_tokenizer([path] { return build_tokenizer(path); });
}

const FormatDescriptor& tokenizer_file_format() {
  static const FormatDescriptor format{
      .name = "tokenizer",
      .aliases = {"tokenizer.json", "tiktoken"},
      .extensions = {".tiktoken"},
      .description = "a tokenizer alone (tokenizer.json, vocab.json, tiktoken)",
      .magic = {},
      .sniff = sniff,
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
