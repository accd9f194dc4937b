// A GGUF file as a model: which tensor is the embedding, its rows (in place or decoded), the
// vocabulary and the facts, from what formats/gguf/gguf_file.hpp has parsed and checked.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "formats/dense_rows.hpp"
#include "formats/gguf/gguf.hpp"
#include "formats/gguf/gguf_file.hpp"
#include "formats/gguf/gguf_rows.hpp"
#include "formats/readers.hpp"
#include "formats/token_vocabulary.hpp"
#include "formats/gguf/gguf_tokenizer.hpp"
#include "kernels/ggml_blocks.hpp"
#include "tokenize/make_tokenizer.hpp"

namespace embtool::formats {
namespace {

using gguf::TensorInfo;

constexpr std::string_view kTokenEmbedding = "token_embd.weight";
constexpr std::string_view kOutputEmbedding = "output.weight";
constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
constexpr std::string_view kTokenTypesKey = "tokenizer.ggml.token_type";
constexpr size_t kNamesListed = 8;  // tensors a "no such tensor" message names

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", path, problem));
}

std::optional<std::string_view> string_value(const gguf::File& file, std::string_view key) {
  const gguf::Value* value = file.find(key);
  return value != nullptr ? value->as_string() : std::nullopt;
}

// ---- the vocabulary ------------------------------------------------------------------------

TokenSpelling spelling_of(std::string_view tokenizer_model) {
  if (tokenizer_model == "gpt2") return TokenSpelling::byte_level;
  if (tokenizer_model == "llama") return TokenSpelling::sentencepiece;
  if (tokenizer_model == "bert") return TokenSpelling::wordpiece;
  return TokenSpelling::raw;
}

std::vector<TokenKind> token_kinds(const gguf::File& file, size_t tokens, const std::string& path) {
  const gguf::Value* types = file.find(kTokenTypesKey);
  if (types == nullptr) return std::vector<TokenKind>(tokens, TokenKind::normal);
  const std::vector<int64_t> values = types->integers();
  if (!types->is_array() || values.size() != types->count) {
    refuse(path, fmt::format("{} is not an array of integers", kTokenTypesKey));
  }
  if (values.size() != tokens) {
    refuse(path, fmt::format("{} has {} entries for the {} tokens of {}", kTokenTypesKey,
                             values.size(), tokens, kTokensKey));
  }
  std::vector<TokenKind> kinds(tokens);
  for (size_t i = 0; i < tokens; ++i) {
    if (values[i] < 0 || values[i] > static_cast<int64_t>(TokenKind::byte)) {
      refuse(path,
             fmt::format("token {} has the token type {}, which GGUF does not define (0 to {})", i,
                         values[i], static_cast<int>(TokenKind::byte)));
    }
    kinds[i] = static_cast<TokenKind>(values[i]);
  }
  return kinds;
}

// tokenizer.ggml.tokens with their types and spelling; nullopt when the file has no tokens.
std::optional<TokenVocabulary> token_vocabulary(const gguf::File& file, const std::string& path) {
  const gguf::Value* tokens = file.find(kTokensKey);
  if (tokens == nullptr) return std::nullopt;
  if (!tokens->is_array() || tokens->element_type != gguf::ValueType::string) {
    refuse(path, fmt::format("{} is not an array of strings", kTokensKey));
  }
  TokenVocabulary vocabulary;
  const std::vector<std::string_view> keys = tokens->strings();
  vocabulary.keys.assign(keys.begin(), keys.end());
  vocabulary.kinds = token_kinds(file, keys.size(), path);
  const std::string_view model = string_value(file, "tokenizer.ggml.model").value_or("");
  vocabulary.spelling = spelling_of(model);
  vocabulary.tokenizer = std::string(model);
  vocabulary.source = std::string(kTokensKey);
  return vocabulary;
}

// ---- facts ---------------------------------------------------------------------------------

void add_metadata_facts(const gguf::File& file, std::vector<SourceFact>& facts) {
  facts.push_back({"gguf_version", static_cast<int64_t>(file.version)});
  facts.push_back({"alignment", static_cast<int64_t>(file.alignment)});
  const auto architecture = string_value(file, "general.architecture");
  if (architecture) facts.push_back({"architecture", std::string(*architecture)});
  if (const auto name = string_value(file, "general.name"))
    facts.push_back({"model_name", std::string(*name)});
  if (architecture) {
    const gguf::Value* context = file.find(fmt::format("{}.context_length", *architecture));
    if (context != nullptr && context->as_signed())
      facts.push_back({"context_length", *context->as_signed()});
  }
  if (const auto pre = string_value(file, "tokenizer.ggml.pre"))
    facts.push_back({"tokenizer_pre", std::string(*pre)});
  const gguf::Value* merges = file.find("tokenizer.ggml.merges");
  if (merges != nullptr && merges->is_array())
    facts.push_back({"merges", static_cast<int64_t>(merges->count)});
}

// Whether the output embedding (output.weight) is the input one: the same bytes of the file,
// a copy of them, or another matrix; a model without output.weight ties them (llama.cpp then
// uses token_embd.weight for both).
std::string tied_embeddings(const gguf::File& file, const MappedFile& mapping) {
  const TensorInfo* input = file.find_tensor(kTokenEmbedding);
  const TensorInfo* output = file.find_tensor(kOutputEmbedding);
  if (output == nullptr) return "tied: no output tensor";
  if (output->file_offset == input->file_offset && output->bytes == input->bytes)
    return "tied: the same tensor";
  const bool same_layout =
      output->type == input->type && output->ne == input->ne && output->bytes == input->bytes;
  if (same_layout && std::memcmp(mapping.data() + output->file_offset,
                                 mapping.data() + input->file_offset, input->bytes) == 0) {
    return fmt::format("equal to {}", kTokenEmbedding);
  }
  return fmt::format("not tied: {} differs", kOutputEmbedding);
}

std::vector<TensorEntry> tensor_entries(const gguf::File& file) {
  std::vector<TensorEntry> entries;
  entries.reserve(file.tensors.size());
  for (const TensorInfo& t : file.tensors) {
    TensorEntry entry;
    entry.name = std::string(t.name);
    entry.dtype = std::string(t.type->name);
    entry.shape.assign(t.ne.begin(), t.ne.begin() + t.n_dims);
    entry.bytes = t.bytes;
    entries.push_back(std::move(entry));
  }
  return entries;
}

// ---- the tensor ----------------------------------------------------------------------------

// "token_embd.weight, output.weight, ...": the first tensors that could be read (2-D ones
// first), for a message about a name that is not there.
std::string some_tensor_names(const gguf::File& file) {
  std::vector<std::string> names;
  for (int pass = 0; pass < 2 && names.size() < kNamesListed; ++pass) {
    for (const TensorInfo& t : file.tensors) {
      if ((t.n_dims == 2) != (pass == 0)) continue;
      if (names.size() == kNamesListed) break;
      names.push_back(gguf::printable_name(t.name));
    }
  }
  std::string text = fmt::format("{}", fmt::join(names, ", "));
  if (file.tensors.size() > names.size())
    text += fmt::format(", ... ({} in all)", file.tensors.size());
  return text;
}

// The tensor to read, or nullptr for a file without tensors (a vocabulary) when none was named.
const TensorInfo* chosen_tensor(const gguf::File& file, const LoadOptions& options,
                                const std::string& path) {
  const std::string_view name =
      options.tensor.empty() ? kTokenEmbedding : std::string_view(options.tensor);
  if (const TensorInfo* tensor = file.find_tensor(name)) return tensor;
  if (file.tensors.empty()) {
    if (options.tensor.empty()) return nullptr;
    throw Error(ErrorKind::not_found,
                fmt::format("{}: no tensor '{}': the file holds no tensors, only metadata", path,
                            gguf::printable_name(name)));
  }
  throw Error(
      ErrorKind::not_found,
      fmt::format("{}: no tensor '{}'{}; its tensors: {}", path, gguf::printable_name(name),
                  options.tensor.empty() ? " (the token embedding): name the tensor to read" : "",
                  some_tensor_names(file)));
}

struct Shape {
  size_t rows = 0;
  size_t dim = 0;
};

// ne = [n_embd, n_vocab]: ne[1] rows of ne[0] values.
Shape matrix_shape(const TensorInfo& t, const LoadOptions& options, const std::string& path) {
  const std::string name = gguf::printable_name(t.name);
  if (t.n_dims != 2) {
    refuse(path, fmt::format("tensor '{}' has {} dimension{} {}; an embedding matrix has 2", name,
                             t.n_dims, t.n_dims == 1 ? "" : "s", t.shape_text()));
  }
  if (t.ne[0] == 0 || t.ne[1] == 0)
    refuse(path, fmt::format("tensor '{}' has the shape {}: no values", name, t.shape_text()));
  if (t.ne[0] > kMaxDim) {
    refuse(path, fmt::format("tensor '{}' has rows of {} values, more than embtool accepts ({})",
                             name, t.ne[0], kMaxDim));
  }
  if (t.ne[1] > UINT32_MAX - 1) {
    refuse(path, fmt::format("tensor '{}' has {} rows, more than embtool accepts ({})", name,
                             t.ne[1], UINT32_MAX - 1));
  }
  if (!t.type->in_place && !t.type->decoded) {
    refuse(path, fmt::format("tensor '{}' is of type {}, which embtool does not read (it reads {})",
                             name, t.type->name, gguf::readable_type_names()));
  }
  return {static_cast<size_t>(records_to_read(t.ne[1], options)), static_cast<size_t>(t.ne[0])};
}

// The rows and the pass that gives their norms: F32 / F16 / BF16 where they lie (copied once
// if the file's alignment leaves them where their elements cannot be loaded from), their norms
// and NaN/Inf values found on the model's first need; the quantized types decoded now, their
// norms found as they are decoded (`decoded_nonfinite`: the NaN/Inf values kept).
DenseMatrix read_matrix(const TensorInfo& t, Shape shape,
                        const std::shared_ptr<const MappedFile>& file, const LoadOptions& options,
                        const std::string& path, uint64_t& decoded_nonfinite) {
  const std::byte* data = file->data() + t.file_offset;
  if (t.type->in_place) {
    const DenseRows rows{*t.type->in_place, static_cast<size_t>(t.ne[1]), shape.dim, data, file};
    return dense_matrix(rows, shape.rows, options, path);
  }
  gguf::DecodedRows decoded = gguf::decode_rows(*t.type->decoded, data, shape.rows, shape.dim,
                                                options, path, t.file_offset, file->size());
  decoded_nonfinite = decoded.nonfinite_values;
  RowStats stats{std::vector<float>(decoded.norms.begin(), decoded.norms.end()), decoded.nonfinite_values};
  return {std::move(decoded.matrix), [stats = std::move(stats)](const Matrix&) { return stats; }};
}

// The tokenizer of the file's metadata, built on first use from the mapping (parsed again
// then: opening reads no more than the matrix needs).
void attach_tokenizer(Embeddings& model, const gguf::File& gguf_file, std::shared_ptr<const MappedFile> file,
                      const std::string& path) {
  if (gguf_file.find("tokenizer.ggml.model") == nullptr) return;
  model.set_tokenizer([file = std::move(file), path] {
    const gguf::File parsed = gguf::parse(file->bytes(), path);
    tokenize::Spec spec = gguf::tokenizer_spec(parsed, path);
    try {
      return std::shared_ptr<const tokenize::Tokenizer>(tokenize::make_tokenizer(std::move(spec)));
    } catch (const Error& e) {
      throw Error(e.kind(), fmt::format("{}: {}", path, e.what()));  // name the file
    }
  });
}

}  // namespace

Embeddings open_gguf(const std::filesystem::path& path_, const LoadOptions& options) {
  const std::string path = path_.string();
  const auto file = MappedFile::open(path_);
  const gguf::File gguf_file = gguf::parse(file->bytes(), path);

  SourceInfo source;
  source.path = path;
  source.format = gguf_format().name;
  source.file_bytes = file->size();
  source.tensors = tensor_entries(gguf_file);
  add_metadata_facts(gguf_file, source.facts);

  std::optional<TokenVocabulary> tokens = token_vocabulary(gguf_file, path);
  const TensorInfo* tensor = chosen_tensor(gguf_file, options, path);
  if (tensor == nullptr) {
    if (!tokens)
      refuse(path, "the file holds neither tensors nor a vocabulary (tokenizer.ggml.tokens)");
    if (options.limit && tokens->keys.size() > *options.limit) {
      tokens->keys.resize(*options.limit);
      tokens->kinds.resize(*options.limit);
    }
    Matrix no_rows = Matrix::view(Dtype::f32, 0, 0, nullptr, 0, nullptr);
    Embeddings model = embeddings_with_tokens(std::move(no_rows), std::move(*tokens), std::move(source), 0, path);
    attach_tokenizer(model, gguf_file, file, path);
    return model;
  }

  const Shape shape = matrix_shape(*tensor, options, path);
  const std::string matrix_name =
      fmt::format("{}: tensor '{}'", path, gguf::printable_name(tensor->name));
  // Said before any row is decoded, and of the whole tensor (not the rows a limit keeps).
  if (tokens && tokens->keys.size() > tensor->ne[1]) {
    throw Error(
        ErrorKind::bad_data,
        fmt::format("{} has {} rows but the tokenizer ({}) has {} tokens: every token needs a row",
                    matrix_name, tensor->ne[1], kTokensKey, tokens->keys.size()));
  }
  source.facts.push_back({"tensor", std::string(tensor->name)});
  source.facts.push_back({"tensor_dtype", std::string(tensor->type->name)});
  if (tensor->type->decoded) source.facts.push_back({"decoded_to", std::string("f32")});
  if (gguf_file.find_tensor(kTokenEmbedding) != nullptr) {
    source.facts.push_back({"tied_embeddings", tied_embeddings(gguf_file, *file)});
  }
  uint64_t decoded_nonfinite = 0;
  DenseMatrix read = read_matrix(*tensor, shape, file, options, path, decoded_nonfinite);
  if (decoded_nonfinite > 0) {
    source.warnings.push_back({fmt::format("{}: {} NaN/Inf values kept", path, decoded_nonfinite), false});
  }

  const bool tokens_present = tokens.has_value();
  TokenVocabulary vocabulary = tokens ? std::move(*tokens) : row_number_vocabulary(shape.rows);
  // A limit shows the first rows, and so names them by the first tokens.
  if (vocabulary.keys.size() > shape.rows) {
    vocabulary.keys.resize(shape.rows);
    vocabulary.kinds.resize(shape.rows);
  }
  Embeddings model = embeddings_with_tokens(std::move(read.matrix), std::move(vocabulary), std::move(source), 0,
                                            matrix_name, std::move(read.stats));
  if (tokens_present) attach_tokenizer(model, gguf_file, file, path);
  return model;
}

}  // namespace embtool::formats
