#include "formats/hf_dir/hf_dir.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "base/error.hpp"
#include "formats/safetensors/safetensors.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

namespace embtool::formats {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const fs::path& file, const std::string& what) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", file.string(), what));
}

// Weights of other frameworks, which a directory may hold instead of safetensors.
constexpr std::string_view kOtherWeights[] = {"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5",
                                              "flax_model.msgpack", "model.ckpt.index"};

std::optional<std::string> string_field(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

std::optional<int64_t> number_field(simdjson::dom::object object, std::string_view key) {
  int64_t value = 0;
  if (object[key].get_int64().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

std::optional<bool> bool_field(simdjson::dom::object object, std::string_view key) {
  bool value = false;
  if (object[key].get_bool().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// The fields of one level of config.json, each only where `config` does not have it yet.
void fill_from(simdjson::dom::object object, ModelConfig& config) {
  if (config.architecture.empty()) {
    simdjson::dom::array architectures;
    std::string_view first;
    if (object["architectures"].get_array().get(architectures) == simdjson::SUCCESS && architectures.size() > 0 &&
        architectures.at(0).get_string().get(first) == simdjson::SUCCESS) {
      config.architecture = std::string(first);
    } else if (auto model_type = string_field(object, "model_type")) {
      config.architecture = *model_type;
    }
  }
  if (config.model_name.empty()) config.model_name = string_field(object, "_name_or_path").value_or("");
  for (std::string_view key : {"max_position_embeddings", "n_positions", "n_ctx"}) {
    if (!config.context_length) config.context_length = number_field(object, key);
  }
  if (!config.tie_word_embeddings) config.tie_word_embeddings = bool_field(object, "tie_word_embeddings");
  if (!config.vocab_size) config.vocab_size = number_field(object, "vocab_size");
}

std::vector<fs::path> files_ending_in(const fs::path& directory, std::string_view suffix) {
  std::vector<fs::path> found;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file(error) && entry.path().filename().string().ends_with(suffix)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The tokens that name the rows: a vocabulary file the caller gave, else the directory's own
// tokenizer, else the row numbers (a directory of weights alone), said in a warning.
TokenVocabulary tokens_of(const fs::path& directory, const LoadOptions& options, SourceInfo& source) {
  if (!options.vocab_file.empty()) return read_token_file(options.vocab_file);
  try {
    return read_hf_tokenizer(directory);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
  }
  source.warnings.push_back({fmt::format("{}: no tokenizer (tokenizer.json, vocab.json, vocab.txt) in the directory; "
                                         "rows are named by their id",
                                         directory.string()),
                             false});
  return {};
}

// `rows`: the token embedding's, when that is the tensor read (vocab_size counts its rows).
void add_config_facts(const ModelConfig& config, const fs::path& file, std::optional<uint64_t> rows,
                      SourceInfo& source) {
  source.facts.push_back({"config", file.filename().string()});
  if (!config.architecture.empty()) source.facts.push_back({"architecture", config.architecture});
  if (!config.model_name.empty()) source.facts.push_back({"model_name", config.model_name});
  if (config.context_length) source.facts.push_back({"context_length", *config.context_length});
  if (config.vocab_size) {
    source.facts.push_back({"vocab_size", *config.vocab_size});
    if (rows && static_cast<uint64_t>(*config.vocab_size) != *rows) {
      source.warnings.push_back({fmt::format("{}: vocab_size is {}, but the embedding has {} rows", file.string(),
                                             *config.vocab_size, *rows)});
    }
  }
}

}  // namespace

ModelConfig read_model_config(const fs::path& file) {
  simdjson::padded_string json;
  if (simdjson::padded_string::load(file.string()).get(json) != simdjson::SUCCESS) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot read the file", file.string()));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (const auto error = parser.parse(json).get(document); error != simdjson::SUCCESS) {
    refuse(file, fmt::format("not JSON ({})", simdjson::error_message(error)));
  }
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) refuse(file, "not a JSON object");
  ModelConfig config;
  fill_from(object, config);
  simdjson::dom::object text_config;
  if (object["text_config"].get_object().get(text_config) == simdjson::SUCCESS) fill_from(text_config, config);
  return config;
}

fs::path model_weights_file(const fs::path& directory) {
  std::error_code error;
  for (std::string_view name : {"model.safetensors", "model.safetensors.index.json"}) {
    if (fs::is_regular_file(directory / name, error)) return directory / name;
  }
  for (std::string_view suffix : {".safetensors.index.json", ".safetensors"}) {
    const std::vector<fs::path> found = files_ending_in(directory, suffix);
    if (found.size() == 1) return found[0];
    if (found.size() > 1) {
      refuse(directory, fmt::format("holds several *{} files ({}, {}, ...) and no model.safetensors: name the one to read",
                                    suffix, found[0].filename().string(), found[1].filename().string()));
    }
  }
  for (std::string_view name : kOtherWeights) {
    if (fs::exists(directory / name, error)) {
      refuse(directory, fmt::format("the weights are in {}, which embtool does not read; convert them to safetensors "
                                    "(transformers: model.save_pretrained(directory, safe_serialization=True))",
                                    name));
    }
  }
  throw Error(ErrorKind::not_found,
              fmt::format("{}: no model.safetensors or model.safetensors.index.json in this directory", directory.string()));
}

namespace {

// A directory of tokenizer files and no weights (GPT-2's vocab.json + merges.txt): the tokens
// with no matrix, so that tokenize and detokenize answer.
Embeddings tokenizer_directory(const fs::path& directory, const LoadOptions& options) {
  TokenVocabulary tokens = options.vocab_file.empty() ? read_hf_tokenizer(directory) : read_token_file(options.vocab_file);
  if (options.limit && tokens.keys.size() > *options.limit) {
    tokens.keys.resize(*options.limit);
    tokens.kinds.resize(*options.limit);
  }
  SourceInfo source;
  source.path = directory.string();
  source.format = "tokenizer";
  Matrix no_rows = Matrix::view(Dtype::f32, 0, 0, nullptr, 0, nullptr);
  return embeddings_with_tokens(std::move(no_rows), std::move(tokens), std::move(source), 0, directory.string());
}

bool holds_tokenizer_only(const fs::path& directory) {
  std::error_code error;
  for (std::string_view name : {"model.safetensors", "model.safetensors.index.json"}) {
    if (fs::exists(directory / name, error)) return false;
  }
  if (!files_ending_in(directory, ".safetensors").empty()) return false;
  for (std::string_view name : kOtherWeights) {
    if (fs::exists(directory / name, error)) return false;
  }
  for (std::string_view name : {"tokenizer.json", "vocab.json", "vocab.txt"}) {
    if (fs::is_regular_file(directory / name, error)) return true;
  }
  return false;
}

}  // namespace

Embeddings open_model_directory(const fs::path& directory, const LoadOptions& options) {
  if (holds_tokenizer_only(directory)) return tokenizer_directory(directory, options);
  const fs::path weights = model_weights_file(directory);
  CheckpointMatrix checkpoint = read_safetensors_matrix(weights, options);
  checkpoint.source.path = directory.string();
  checkpoint.source.facts.push_back({"weights", weights.filename().string()});
  // The tokenizer names the rows of the input and output embeddings; another tensor asked for
  // by name (position embeddings, a layer's weights) has rows of its own, named by number.
  const bool token_rows = checkpoint.tensor == checkpoint.input_tensor || checkpoint.tensor == checkpoint.output_tensor;
  ModelConfig config;
  std::error_code error;
  if (const fs::path file = directory / "config.json"; fs::exists(file, error)) {
    config = read_model_config(file);
    add_config_facts(config, file, token_rows ? std::optional<uint64_t>(checkpoint.tensor_rows) : std::nullopt,
                     checkpoint.source);
  }
  TokenVocabulary tokens = token_rows || !options.vocab_file.empty() ? tokens_of(directory, options, checkpoint.source) : TokenVocabulary{};
  if (tokens.keys.empty()) tokens = row_number_vocabulary(checkpoint.matrix.rows());
  return checkpoint_embeddings(std::move(checkpoint), std::move(tokens), config.tie_word_embeddings);
}

}  // namespace embtool::formats
