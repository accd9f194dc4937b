// The tokenizer of any file embtool reads one from, for the peer tools and the benchmark: a
// GGUF through embtool::load (the model's own tokenizer), anything else (tokenizer.json, a
// directory with vocab.json + merges.txt, vocab.txt, a *.tiktoken rank file) through
// find_tokenizer_spec and make_tokenizer.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "base/error.hpp"
#include "formats/formats.hpp"
#include "formats/tokenizer_vocab/tokenizer_spec.hpp"
#include "tokenize/make_tokenizer.hpp"

namespace embtool {

// Holds what the tokenizer lives in: a GGUF's tokenizer belongs to its Embeddings.
class AnyTokenizer {
 public:
  explicit AnyTokenizer(const std::filesystem::path& path) {
    if (path.extension() == ".gguf") {
      model_.emplace(load(path));
      tokenizer_ = &model_->tokenizer();
      return;
    }
    std::optional<tokenize::Spec> spec = formats::find_tokenizer_spec(path);
    if (!spec) throw Error(ErrorKind::not_found, path.string() + " holds no tokenizer embtool can run.");
    owned_ = tokenize::make_tokenizer(std::move(*spec));
    tokenizer_ = owned_.get();
  }
  const tokenize::Tokenizer& operator*() const { return *tokenizer_; }
  const tokenize::Tokenizer* operator->() const { return tokenizer_; }

 private:
  std::optional<Embeddings> model_;
  std::unique_ptr<const tokenize::Tokenizer> owned_;
  const tokenize::Tokenizer* tokenizer_ = nullptr;
};

}  // namespace embtool
