// safetensors: a checkpoint's tensors in one file, or in shards that a
// "*.safetensors.index.json" maps tensor by tensor (weight_map). The file is mapped and the
// embedding matrix (F32, F16 or BF16) is used where it lies; only the shards that hold the
// tensors needed are mapped. The tensor read is the one asked for by name, else the token
// embedding under any of the names real checkpoints give it.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"
#include "formats/token_vocabulary.hpp"

namespace embtool::formats {

// safetensors as a registered format (name "safetensors"); it also opens a Hugging Face model
// directory given as the model (formats/hf_dir/hf_dir.hpp).
const FormatDescriptor& safetensors_format();

// How the index of a sharded checkpoint is named: model.safetensors.index.json.
inline constexpr std::string_view kSafetensorsIndexSuffix = ".safetensors.index.json";

// The names a token embedding goes by in real checkpoints, most common first.
std::span<const std::string_view> token_embedding_names();

// What a checkpoint's output embedding (lm_head.weight) is to its input embedding.
enum class OutputEmbedding {
  absent,        // no output tensor: the model ties them (or has no language-model head)
  same_tensor,   // both names point at the same bytes of the same file
  equal,         // two copies with equal bytes
  differs,       // a tensor of its own
  not_compared,  // no input embedding was found to compare it with
};

// A checkpoint's matrix as read, before its rows are named.
struct CheckpointMatrix {
  Matrix matrix;                 // in place from the mapping (or copied, if misaligned)
  std::span<const float> norms;  // its rows' norms, kept alive by the matrix's owner
  uint64_t nonfinite_values = 0;
  SourceInfo source;             // path, format, bytes, facts (tensor, tensor_dtype, shards,
                                 // metadata.*) and every tensor of the checkpoint
  std::string tensor;            // the name of the tensor read
  uint64_t tensor_rows = 0;      // its rows, before a limit kept the first ones
  std::string input_tensor;      // the token embedding's name, if the checkpoint has one
  std::string output_tensor;     // the output embedding's name, if it has one
  OutputEmbedding output = OutputEmbedding::absent;
};

// Reads the matrix of a safetensors file or of the shards an index file lists. Throws a
// bad_data Error naming the file for a damaged header or a tensor that is no matrix of F32,
// F16 or BF16, a not_found Error (listing some of the names there are) for a tensor the
// checkpoint lacks.
CheckpointMatrix read_safetensors_matrix(const std::filesystem::path& path, const LoadOptions& options);

// The "tied_embeddings" fact: "tied: no output tensor", "tied: the same tensor", "equal to
// <name>", "not tied: <name> differs". `config_ties` is config.json's tie_word_embeddings,
// when a model directory has one that says.
std::string tied_embeddings_text(const CheckpointMatrix& checkpoint, std::optional<bool> config_ties);

// The model of `checkpoint`'s rows named by `tokens` (cut to the rows a limit kept), with the
// tied_embeddings fact.
Embeddings checkpoint_embeddings(CheckpointMatrix checkpoint, TokenVocabulary tokens,
                                 std::optional<bool> config_ties);

}  // namespace embtool::formats
