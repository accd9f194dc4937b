// Readers of tokenizers' vocabularies, the files beside an LLM's weights that name its rows:
// Hugging Face tokenizer.json, GPT-2's vocab.json, tiktoken rank files, one token a line, and
// a Hugging Face model directory holding some of them. Each gives the tokens by id 0..max id:
// an id no token has is "<unused N>" (kind unused); an id named twice with different tokens,
// a negative, fractional or too large id is refused in one line naming the file (and the line
// of a text file). Keys keep the tokenizer's own spelling, bytes that are not UTF-8 included.
// Facts for `info` are added when the rows are named (embeddings_with_tokens), not here.
#pragma once

#include <filesystem>

#include "formats/token_vocabulary.hpp"

namespace embtool::formats {

// tokenizer.json: model.vocab ({token: id} for BPE, WordPiece and WordLevel; [[piece, score],
// ...] by position for Unigram) plus added_tokens (special -> control, else user_defined).
// Spelling: BPE with a ByteLevel pre-tokenizer or decoder -> byte_level ("gpt2"); Metaspace,
// a decoder replacing "▁" or byte fallback -> sentencepiece ("llama"); WordPiece -> wordpiece
// ("bert"); Unigram -> sentencepiece ("t5"). <0xNN> tokens of a byte-fallback model -> byte.
TokenVocabulary read_tokenizer_json(const std::filesystem::path& file);

// vocab.json {token: id}: GPT-2's byte-level BPE vocabulary ("gpt2").
TokenVocabulary read_vocab_json(const std::filesystem::path& file);

// tiktoken rank files: lines "base64(token bytes) rank". Keys are the bytes in GPT-2's
// byte-level spelling, so that cl100k's keys look like Hugging Face's ("tiktoken").
TokenVocabulary read_tiktoken_ranks(const std::filesystem::path& file);

// One token a line, as it is spelled (raw); row N is line N + 1. An empty line is refused.
TokenVocabulary read_token_lines(const std::filesystem::path& file);

// Any of the above, chosen by content: a JSON object whose "model" is an object is a
// tokenizer.json, any other JSON object a vocab.json; lines "base64 number" are tiktoken
// ranks; else one token a line (also when a file not named .json starts with "{" but is not JSON).
TokenVocabulary read_token_file(const std::filesystem::path& file);

// A Hugging Face model directory: tokenizer.json, else vocab.json (byte-level BPE when
// merges.txt is beside it, raw otherwise), else vocab.txt (WordPiece); special tokens marked
// from tokenizer_config.json (added_tokens_decoder) and special_tokens_map.json when present.
// A directory with none of the three is not_found.
TokenVocabulary read_hf_tokenizer(const std::filesystem::path& directory);

}  // namespace embtool::formats
