#include "formats/safetensors/safetensors.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <span>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "formats/dense_rows.hpp"
#include "formats/readers.hpp"
#include "formats/safetensors/safetensors_header.hpp"

namespace embtool::formats {
namespace {

constexpr const char* kName = "safetensors";
// The output embedding's names, most common first (GPT-NeoX calls it embed_out; Meta's own
// Llama checkpoints, output).
constexpr std::string_view kOutputNames[] = {"lm_head.weight", "embed_out.weight", "output.weight"};
// Where none of the exact names is present: a tensor whose name ends so (a model wrapped in
// another: "model.language_model.embed_tokens.weight").
constexpr std::string_view kEmbeddingSuffixes[] = {"embed_tokens.weight", "word_embeddings.weight",
                                                   "wte.weight", "tok_embeddings.weight",
                                                   "embed_in.weight", "token_embedding.weight"};
// Metadata entries kept as facts, and the length of each value shown.
constexpr size_t kMaxMetadataFacts = 16;
constexpr size_t kMaxMetadataValue = 200;
// Names listed when a tensor is not found.
constexpr size_t kNamesListed = 12;

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& what) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", file.string(), what));
}

std::string shape_text(const std::vector<uint64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// One file of the checkpoint: its header always, its mapping only when a tensor it holds is
// read or compared.
struct Shard {
  std::filesystem::path path;
  std::string name;  // as the index names it; empty for a checkpoint of one file
  uint64_t file_bytes = 0;
  SafetensorsHeader header;
  std::shared_ptr<const MappedFile> mapping;
  bool missing = false;  // named by the index, not on disk (and not needed)
};

void read_header_into(Shard& shard, std::string_view first_bytes, auto&& header_bytes) {
  const std::string file = shard.path.string();
  const uint64_t length = safetensors_header_length(first_bytes, shard.file_bytes, file);
  const std::string_view json = header_bytes(length);
  shard.header = parse_safetensors_header(json, shard.file_bytes - 8 - length, file);
}

void map_shard(Shard& shard) {
  shard.mapping = MappedFile::open(shard.path);
  shard.file_bytes = shard.mapping->size();
  const auto* bytes = reinterpret_cast<const char*>(shard.mapping->data());
  const std::string_view all(bytes, shard.file_bytes);
  read_header_into(shard, all.substr(0, 8), [&](uint64_t length) { return all.substr(8, length); });
}

// The header alone, read from the file (a shard whose tensors are only listed).
void read_shard_header(Shard& shard) {
  std::ifstream in(shard.path, std::ios::binary);
  std::error_code error;
  shard.file_bytes = std::filesystem::file_size(shard.path, error);
  if (!in || error) throw Error(ErrorKind::io, fmt::format("{}: cannot open the shard", shard.path.string()));
  char first[8] = {};
  in.read(first, sizeof first);
  std::string json;
  read_header_into(shard, std::string_view(first, static_cast<size_t>(in.gcount())), [&](uint64_t length) {
    json.resize(length);
    in.read(json.data(), static_cast<std::streamsize>(length));
    if (static_cast<uint64_t>(in.gcount()) != length) {
      throw Error(ErrorKind::io, fmt::format("{}: cannot read the safetensors header", shard.path.string()));
    }
    return std::string_view(json);
  });
}

// A tensor of the checkpoint and the shard that holds it.
struct Located {
  size_t shard = 0;
  const SafetensorsTensor* tensor = nullptr;
};

class Checkpoint {
 public:
  // A single file, mapped.
  static Checkpoint single_file(const std::filesystem::path& path) {
    Checkpoint checkpoint(path);
    Shard shard;
    shard.path = path;
    map_shard(shard);
    checkpoint.shards_.push_back(std::move(shard));
    for (const SafetensorsTensor& tensor : checkpoint.shards_[0].header.tensors) {
      checkpoint.names_.push_back(tensor.name);
      checkpoint.shard_of_.emplace(tensor.name, 0);
    }
    return checkpoint;
  }

  // The shards an index lists: every header read, none mapped yet.
  static Checkpoint from_index(const std::filesystem::path& path) {
    Checkpoint checkpoint(path);
    checkpoint.sharded_ = true;
    std::map<std::string, size_t> shard_numbers;
    for (auto& [tensor, shard_name] : read_weight_map(path)) {
      auto [at, added] = shard_numbers.emplace(shard_name, checkpoint.shards_.size());
      if (added) {
        Shard shard;
        shard.path = path.parent_path() / shard_name;
        shard.name = shard_name;
        checkpoint.shards_.push_back(std::move(shard));
      }
      checkpoint.names_.push_back(tensor);
      checkpoint.shard_of_.emplace(tensor, at->second);
    }
    for (Shard& shard : checkpoint.shards_) {
      std::error_code error;
      if (!std::filesystem::exists(shard.path, error)) {
        shard.missing = true;
        continue;
      }
      read_shard_header(shard);
    }
    return checkpoint;
  }

  bool sharded() const { return sharded_; }
  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<Shard>& shards() const { return shards_; }
  bool has(std::string_view name) const { return shard_of_.contains(std::string(name)); }

  // The tensor of this name, its shard's header read (a missing shard is refused here).
  Located locate(const std::string& name) const {
    const size_t number = shard_number(name);
    const Shard& shard = shards_[number];
    if (shard.missing) {
      throw Error(ErrorKind::io, fmt::format("{}: tensor '{}' is in shard '{}', which is missing",
                                             path_.string(), name, shard.name));
    }
    const SafetensorsTensor* tensor = shard.header.find(name);
    if (tensor == nullptr) {
      refuse(path_, fmt::format("the index puts tensor '{}' in shard '{}', whose header has no such tensor",
                                name, shard.name));
    }
    return {number, tensor};
  }

  size_t shard_number(const std::string& name) const { return shard_of_.at(name); }
  bool missing(const std::string& name) const { return shards_[shard_number(name)].missing; }

  // Maps the shard of tensor `name` (re-reading its header from the mapping, which makes the
  // shard's earlier Located values stale) and returns the tensor as the mapped header has it.
  Located mapped(const std::string& name) {
    locate(name);  // refuses a tensor whose shard is missing, or whose header lacks it
    Shard& shard = shards_[shard_number(name)];
    if (!shard.mapping) map_shard(shard);
    return locate(name);
  }

  const std::byte* data(const Located& located) const {
    const Shard& shard = shards_[located.shard];
    return shard.mapping->data() + shard.header.data_offset + located.tensor->begin;
  }

 private:
  explicit Checkpoint(std::filesystem::path path) : path_(std::move(path)) {}

  static std::vector<std::pair<std::string, std::string>> read_weight_map(const std::filesystem::path& path) {
    simdjson::padded_string json;
    if (simdjson::padded_string::load(path.string()).get(json) != simdjson::SUCCESS) {
      throw Error(ErrorKind::io, fmt::format("{}: cannot read the index", path.string()));
    }
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (const auto error = parser.parse(json).get(document); error != simdjson::SUCCESS) {
      refuse(path, fmt::format("the safetensors index is not JSON ({})", simdjson::error_message(error)));
    }
    simdjson::dom::object weight_map;
    if (document["weight_map"].get_object().get(weight_map) != simdjson::SUCCESS) {
      refuse(path, "the safetensors index has no weight_map object (tensor name -> shard file)");
    }
    std::vector<std::pair<std::string, std::string>> entries;
    for (simdjson::dom::key_value_pair entry : weight_map) {
      std::string_view shard;
      if (entry.value.get_string().get(shard) != simdjson::SUCCESS) {
        refuse(path, fmt::format("the weight_map entry of '{}' is not a file name", entry.key));
      }
      check_shard_name(path, shard);
      entries.emplace_back(std::string(entry.key), std::string(shard));
    }
    if (entries.empty()) refuse(path, "the safetensors index's weight_map is empty");
    return entries;
  }

  // Shards lie beside the index: a name that would leave its directory is refused.
  static void check_shard_name(const std::filesystem::path& index, std::string_view name) {
    const std::filesystem::path shard(name);
    bool climbs = shard.empty() || shard.is_absolute();
    for (const auto& part : shard) climbs |= part == "..";
    if (climbs) refuse(index, fmt::format("the weight_map names shard '{}', which is not a file beside the index", name));
  }

  std::filesystem::path path_;
  bool sharded_ = false;
  std::vector<Shard> shards_;
  std::vector<std::string> names_;             // in the header's or the weight_map's order
  std::map<std::string, size_t> shard_of_;     // tensor name -> shard
};

bool is_matrix_of_rows(const Checkpoint& checkpoint, const std::string& name) {
  const Located located = checkpoint.locate(name);
  return located.tensor->shape.size() == 2;
}

// The token embedding: the first of the names real checkpoints use that this one has as a
// matrix, else a tensor whose name ends like one. Empty if there is none.
std::string find_input_embedding(const Checkpoint& checkpoint) {
  for (std::string_view name : token_embedding_names()) {
    if (checkpoint.has(name) && is_matrix_of_rows(checkpoint, std::string(name))) return std::string(name);
  }
  for (std::string_view suffix : kEmbeddingSuffixes) {
    for (const std::string& name : checkpoint.names()) {
      if (name.ends_with(suffix) && is_matrix_of_rows(checkpoint, name)) return name;
    }
  }
  return {};
}

std::string find_output_embedding(const Checkpoint& checkpoint) {
  for (std::string_view name : kOutputNames) {
    if (checkpoint.has(name)) return std::string(name);
  }
  return {};
}

std::string some_names(const Checkpoint& checkpoint) {
  const auto& names = checkpoint.names();
  const size_t shown = std::min(names.size(), kNamesListed);
  std::string text = fmt::format("{}", fmt::join(names.begin(), names.begin() + static_cast<ptrdiff_t>(shown), ", "));
  if (names.size() > shown) text += fmt::format(", ... ({} tensors in all)", names.size());
  return text;
}

std::string tensor_to_read(const Checkpoint& checkpoint, const LoadOptions& options, const std::string& input) {
  if (!options.tensor.empty()) {
    if (!checkpoint.has(options.tensor)) {
      throw Error(ErrorKind::not_found, fmt::format("{}: no tensor '{}'; it holds {}", checkpoint.path().string(),
                                                    options.tensor, some_names(checkpoint)));
    }
    return options.tensor;
  }
  if (input.empty()) {
    for (std::string_view name : token_embedding_names()) {
      if (checkpoint.has(name)) {
        const Located located = checkpoint.locate(std::string(name));
        refuse(checkpoint.path(), fmt::format("the token embedding '{}' has shape {}: not a matrix of rows",
                                              name, shape_text(located.tensor->shape)));
      }
    }
    throw Error(ErrorKind::not_found,
                fmt::format("{}: no token embedding under any of the names checkpoints give it (wte.weight, "
                            "model.embed_tokens.weight, ...); ask for one of its tensors by name: {}",
                            checkpoint.path().string(), some_names(checkpoint)));
  }
  return input;
}

Dtype matrix_dtype(const Checkpoint& checkpoint, const SafetensorsTensor& tensor) {
  if (tensor.dtype == "F32") return Dtype::f32;
  if (tensor.dtype == "F16") return Dtype::f16;
  if (tensor.dtype == "BF16") return Dtype::bf16;
  refuse(checkpoint.path(), fmt::format("tensor '{}' is {}; embtool reads F32, F16 and BF16 tensors",
                                        tensor.name, tensor.dtype));
}

DenseMatrix matrix_of(const Checkpoint& checkpoint, const Located& located, const LoadOptions& options) {
  const SafetensorsTensor& tensor = *located.tensor;
  if (tensor.shape.size() != 2) {
    refuse(checkpoint.path(), fmt::format("tensor '{}' has shape {}: not a matrix of rows (an embedding is 2-D)",
                                          tensor.name, shape_text(tensor.shape)));
  }
  const Dtype dtype = matrix_dtype(checkpoint, tensor);
  const uint64_t rows = tensor.shape[0];
  const uint64_t dim = tensor.shape[1];
  if (rows == 0 || dim == 0) {
    refuse(checkpoint.path(), fmt::format("tensor '{}' has shape {}: no values", tensor.name, shape_text(tensor.shape)));
  }
  if (dim > kMaxDim || rows > UINT32_MAX - 1) {
    refuse(checkpoint.path(), fmt::format("tensor '{}' has shape {}, more than embtool accepts ({} rows of at "
                                          "most {} values)",
                                          tensor.name, shape_text(tensor.shape), UINT32_MAX - 1, kMaxDim));
  }
  const Shard& shard = checkpoint.shards()[located.shard];
  const size_t kept = options.limit ? std::min<uint64_t>(rows, *options.limit) : rows;
  return dense_matrix({dtype, rows, dim, checkpoint.data(located), shard.mapping}, kept, options,
                      checkpoint.path().string());
}

OutputEmbedding compare(Checkpoint& checkpoint, const std::string& input, const std::string& output) {
  if (input.empty()) return OutputEmbedding::not_compared;
  if (output.empty()) return OutputEmbedding::absent;
  if (checkpoint.missing(input) || checkpoint.missing(output)) return OutputEmbedding::not_compared;
  const Located a = checkpoint.locate(input);
  const Located b = checkpoint.locate(output);
  if (a.shard == b.shard && a.tensor->begin == b.tensor->begin && a.tensor->end == b.tensor->end) {
    return OutputEmbedding::same_tensor;
  }
  if (a.tensor->dtype != b.tensor->dtype || a.tensor->shape != b.tensor->shape) return OutputEmbedding::differs;
  const Located mapped_a = checkpoint.mapped(input);
  const Located mapped_b = checkpoint.mapped(output);
  const bool equal = std::memcmp(checkpoint.data(mapped_a), checkpoint.data(mapped_b), mapped_a.tensor->bytes()) == 0;
  return equal ? OutputEmbedding::equal : OutputEmbedding::differs;
}

void add_metadata_facts(const Checkpoint& checkpoint, SourceInfo& source) {
  size_t kept = 0;
  for (const Shard& shard : checkpoint.shards()) {
    for (const auto& [key, value] : shard.header.metadata) {
      const std::string name = "metadata." + key;
      if (kept == kMaxMetadataFacts || source.fact(name) != nullptr) continue;
      source.facts.push_back({name, value.size() <= kMaxMetadataValue ? value : value.substr(0, kMaxMetadataValue) + "..."});
      ++kept;
    }
  }
}

void list_tensors(const Checkpoint& checkpoint, SourceInfo& source) {
  for (const Shard& shard : checkpoint.shards()) {
    if (shard.missing) {
      source.warnings.push_back({fmt::format("{}: shard '{}' is missing; its tensors are listed without a dtype "
                                             "or shape", checkpoint.path().string(), shard.name)});
      for (const std::string& name : checkpoint.names()) {
        if (&checkpoint.shards()[checkpoint.shard_number(name)] == &shard) source.tensors.push_back({name, "", {}, 0, shard.name});
      }
      continue;
    }
    for (const SafetensorsTensor& tensor : shard.header.tensors) {
      source.tensors.push_back({tensor.name, tensor.dtype, tensor.shape, tensor.bytes(), shard.name});
    }
  }
}

SourceInfo source_of(const Checkpoint& checkpoint, const SafetensorsTensor& tensor) {
  SourceInfo source;
  source.path = checkpoint.path().string();
  source.format = kName;
  for (const Shard& shard : checkpoint.shards()) source.file_bytes += shard.file_bytes;
  source.facts.push_back({"tensor", tensor.name});
  source.facts.push_back({"tensor_dtype", tensor.dtype});
  if (checkpoint.sharded()) source.facts.push_back({"shards", static_cast<int64_t>(checkpoint.shards().size())});
  add_metadata_facts(checkpoint, source);
  list_tensors(checkpoint, source);
  return source;
}

bool is_index_path(const std::filesystem::path& path) { return path.string().ends_with(kSafetensorsIndexSuffix); }

}  // namespace

std::span<const std::string_view> token_embedding_names() {
  static constexpr std::string_view kNames[] = {
      "wte.weight",                             // GPT-2 (transformers' GPT2Model)
      "transformer.wte.weight",                 // GPT-2, GPT-J, CodeGen (LM-head models)
      "model.embed_tokens.weight",              // Llama, Mistral, Qwen, Gemma, Phi-3, OPT's decoder
      "embed_tokens.weight",                    // the same, saved without the "model." prefix
      "tok_embeddings.weight",                  // Meta's own Llama checkpoints, InternLM
      "embeddings.word_embeddings.weight",      // BERT, RoBERTa (base models)
      "bert.embeddings.word_embeddings.weight", // BERT with a head
      "roberta.embeddings.word_embeddings.weight",
      "gpt_neox.embed_in.weight",               // Pythia, GPT-NeoX
      "shared.weight",                          // T5, BART (encoder and decoder share it)
      "model.decoder.embed_tokens.weight",      // OPT, BART, Whisper's decoder
      "transformer.word_embeddings.weight",     // BLOOM, Falcon
      "word_embeddings.weight",                 // BLOOM saved without a prefix
      "transformer.embedding.word_embeddings.weight",  // ChatGLM
      "model.embed_in.weight",
  };
  return kNames;
}

CheckpointMatrix read_safetensors_matrix(const std::filesystem::path& path, const LoadOptions& options) {
  Checkpoint checkpoint = is_index_path(path) ? Checkpoint::from_index(path) : Checkpoint::single_file(path);
  CheckpointMatrix result;
  result.input_tensor = find_input_embedding(checkpoint);
  result.output_tensor = find_output_embedding(checkpoint);
  result.tensor = tensor_to_read(checkpoint, options, result.input_tensor);
  const Located located = checkpoint.mapped(result.tensor);
  result.tensor_rows = located.tensor->shape.empty() ? 0 : located.tensor->shape[0];
  DenseMatrix dense = matrix_of(checkpoint, located, options);
  result.matrix = std::move(dense.matrix);
  result.norms = dense.norms;
  result.nonfinite_values = dense.nonfinite_values;
  result.output = compare(checkpoint, result.input_tensor, result.output_tensor);
  result.source = source_of(checkpoint, *located.tensor);
  return result;
}

std::string tied_embeddings_text(const CheckpointMatrix& checkpoint, std::optional<bool> config_ties) {
  // Phrased from the tensor read: the other one of the pair is named.
  const std::string& other = checkpoint.tensor == checkpoint.output_tensor ? checkpoint.input_tensor
                                                                            : checkpoint.output_tensor;
  switch (checkpoint.output) {
    case OutputEmbedding::absent:
      return config_ties == false ? "tied: no output tensor (though config.json says tie_word_embeddings: false)"
                                  : "tied: no output tensor";
    case OutputEmbedding::same_tensor: return "tied: the same tensor";
    case OutputEmbedding::equal: return "equal to " + other;
    case OutputEmbedding::differs: return fmt::format("not tied: {} differs", checkpoint.output_tensor);
    case OutputEmbedding::not_compared: return {};
  }
  return {};
}

Embeddings checkpoint_embeddings(CheckpointMatrix checkpoint, TokenVocabulary tokens, std::optional<bool> config_ties) {
  const std::string tied = tied_embeddings_text(checkpoint, config_ties);
  if (!tied.empty()) checkpoint.source.facts.push_back({"tied_embeddings", tied});
  // A limit keeps the first rows, and so the first tokens (more tokens than the whole tensor
  // has rows are refused below all the same).
  const size_t rows = checkpoint.matrix.rows();
  if (rows < checkpoint.tensor_rows && tokens.keys.size() > rows && tokens.keys.size() <= checkpoint.tensor_rows) {
    tokens.keys.resize(rows);
    tokens.kinds.resize(rows);
  }
  if (checkpoint.nonfinite_values > 0) {
    checkpoint.source.warnings.push_back(
        {fmt::format("{}: {} NaN/Inf values kept", checkpoint.source.path, checkpoint.nonfinite_values), false});
  }
  const std::string matrix_name = fmt::format("{}: tensor '{}'", checkpoint.source.path, checkpoint.tensor);
  return embeddings_with_tokens(std::move(checkpoint.matrix), std::move(tokens), std::move(checkpoint.source),
                                checkpoint.nonfinite_values, matrix_name, checkpoint.norms);
}

}  // namespace embtool::formats
