// A Hugging Face model directory given as the model: the weights (model.safetensors, or the
// shards model.safetensors.index.json lists), the tokenizer that names their rows
// (tokenizer.json, vocab.json + merges.txt, ...) and config.json's facts (architecture,
// context length, whether input and output embeddings are tied, vocab_size). The safetensors
// format opens directories through this.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "formats/formats.hpp"
#include "model/embeddings.hpp"

namespace embtool::formats {

// What config.json says that embtool shows; every field is optional in the file.
struct ModelConfig {
  std::string architecture;               // architectures[0], else model_type
  std::string model_name;                 // _name_or_path
  std::optional<int64_t> context_length;  // max_position_embeddings, n_positions or n_ctx
  std::optional<bool> tie_word_embeddings;
  std::optional<int64_t> vocab_size;
};

// Reads `file` (config.json); the fields of a nested "text_config" fill in those the top
// level lacks (multimodal models). Throws a bad_data Error naming the file for one that is
// not a JSON object.
ModelConfig read_model_config(const std::filesystem::path& file);

// The weights file of `directory`: model.safetensors, model.safetensors.index.json, else the
// only *.safetensors.index.json or *.safetensors there is. Throws a bad_data Error for a
// directory holding only PyTorch (pytorch_model.bin) or other weights, saying to convert them,
// and not_found for one without any.
std::filesystem::path model_weights_file(const std::filesystem::path& directory);

// The model of a Hugging Face model directory (see above).
Embeddings open_model_directory(const std::filesystem::path& directory, const LoadOptions& options);

}  // namespace embtool::formats
