// llama.cpp's tokenizer test vocabularies: a GGUF file with `.inp` (texts separated by lines
// "__ggml_vocab_test__") and `.out` (one line of ids per text), read as
// llama.cpp's tests/test-tokenizer-0.cpp reads them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace embtool::test {

struct VocabCase {
  std::string text;
  std::vector<int32_t> ids;
};

// The vocabulary's cases, or nullopt when the .inp/.out files are not there.
std::optional<std::vector<VocabCase>> read_vocab_cases(const std::filesystem::path& gguf);
// The tokenizer a GGUF file's metadata describes.
std::unique_ptr<const tokenize::Tokenizer> gguf_tokenizer(const std::filesystem::path& gguf);
// The shared test data's vocabulary directory (EMBTOOL_SHARED_DATA_DIR/llm/vocab).
std::filesystem::path shared_vocab_dir();
// llama.cpp's models/ directory as the environment variable EMBTOOL_LLAMA_CPP_MODELS names
// it, or empty.
std::filesystem::path llama_cpp_models_dir();
// How many cases give other ids than expected; prints the first few that do.
size_t count_mismatches(const tokenize::Tokenizer& tokenizer, const std::vector<VocabCase>& cases);

}  // namespace embtool::test
