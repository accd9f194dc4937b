// The whole tokenizer a tokenizer file describes (not only its tokens): Hugging Face's
// tokenizer.json (normalizer, pre-tokenizer, model, post-processor, decoder), GPT-2's vocab.json
// with merges.txt, BERT's vocab.txt, tiktoken rank files, and a model directory holding one of
// them. What tokenize::make_tokenizer builds a tokenizer from.
#pragma once

#include <filesystem>
#include <optional>

#include "tokenize/spec.hpp"

namespace embtool::formats {

// tokenizer.json. Throws Error(bad_data) naming the file and the part it cannot use (an
// unknown normalizer or pre-tokenizer type, a malformed merge).
tokenize::Spec read_tokenizer_json_spec(const std::filesystem::path& file);
// vocab.json + merges.txt (GPT-2's byte-level BPE).
tokenize::Spec read_vocab_merges_spec(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt);
// A tiktoken rank file; the encoding (its split pattern and special tokens) is told by the
// file's name (gpt2, r50k_base, p50k_base, cl100k_base, o200k_base) or else its size.
tokenize::Spec read_tiktoken_spec(const std::filesystem::path& file);
// BERT's vocab.txt (WordPiece, "##" continuations; uncased unless `cased`).
tokenize::Spec read_vocab_txt_spec(const std::filesystem::path& file, bool cased);

// The tokenizer of a file or model directory, chosen by what it holds; nullopt when it holds
// no tokenizer embtool can run (a matrix alone, a vocabulary without merges).
std::optional<tokenize::Spec> find_tokenizer_spec(const std::filesystem::path& path);

}  // namespace embtool::formats
