// A tokenizer named apart from the weights (--tokenizer FILE): the file read into a Spec that
// tokenize::make_tokenizer builds. A GGUF file's tokenizer.ggml.* metadata today.
#pragma once

#include <filesystem>

#include "tokenize/spec.hpp"

namespace embtool {

// Throws Error(io) for a file that cannot be read, Error(invalid_argument) for one that is
// not a tokenizer file embtool reads, and what the file's reader throws for a damaged one.
tokenize::Spec read_tokenizer_spec(const std::filesystem::path& path);

}  // namespace embtool
