#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

using namespace embtool;
using namespace embtool::formats;
using namespace embtool::testing;

namespace {

using Reader = std::function<TokenVocabulary(const std::filesystem::path&)>;

// Reading `path` must fail with one line of `kind` naming the file and holding `fragment`.
void require_refused(const Reader& read, const std::filesystem::path& path, const std::string& fragment,
                     ErrorKind kind = ErrorKind::bad_data) {
  try {
    read(path);
    FAIL("read a file that should be refused: " << path);
  } catch (const Error& e) {
    CHECK(e.kind() == kind);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path.filename().string()));
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

std::filesystem::path directory_with(const std::string& name,
                                     const std::vector<std::pair<std::string, std::string>>& files) {
  const auto dir = scratch_dir() / name;
  std::filesystem::create_directories(dir);
  for (const auto& [file, bytes] : files) write_file(name + "/" + file, bytes);
  return dir;
}

const std::filesystem::path shared_llm = std::filesystem::path(EMBTOOL_SHARED_DATA_DIR) / "llm";

const char* byte_level_bpe = R"({
  "added_tokens": [
    {"id": 3, "content": "<|endoftext|>", "special": true},
    {"id": 4, "content": "<|user|>", "special": false}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split"}, {"type": "ByteLevel"}]},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "vocab": {"Ġking": 2, "a": 0, "b": 1, "<|endoftext|>": 3}, "merges": []}
})";

}  // namespace

TEST_CASE("vocab.json gives GPT-2's tokens by id, whatever order the file lists them in") {
  const auto path = write_file("vocab.json", R"({"b": 1, "Ġking": 2, "a": 0})");
  const TokenVocabulary tokens = read_vocab_json(path);
  CHECK(tokens.keys == std::vector<std::string>{"a", "b", "Ġking"});
  CHECK(tokens.kinds == std::vector<TokenKind>(3, TokenKind::normal));
  CHECK(tokens.spelling == TokenSpelling::byte_level);
  CHECK(tokens.tokenizer == "gpt2");
  CHECK(tokens.source == path.string());
}

TEST_CASE("ids no token has are filled with <unused N>") {
  const TokenVocabulary tokens = read_vocab_json(write_file("sparse.json", R"({"c": 3, "a": 0})"));
  CHECK(tokens.keys == std::vector<std::string>{"a", "<unused 1>", "<unused 2>", "c"});
  CHECK(tokens.kinds ==
        std::vector<TokenKind>{TokenKind::normal, TokenKind::unused, TokenKind::unused, TokenKind::normal});
}

TEST_CASE("keys that are not UTF-8 are kept as their bytes") {
  const TokenVocabulary tokens = read_vocab_json(write_file("bytes.json", "{\"\xff\xfe" "ab\": 0, \"\xc3\xa9\": 1}"));
  CHECK(tokens.keys == std::vector<std::string>{"\xff\xfe" "ab", "\xc3\xa9"});
}

TEST_CASE("vocab.json refusals name the file and the problem in one line") {
  const Reader read = read_vocab_json;
  require_refused(read, write_file("twice.json", R"({"a": 0, "b": 0})"), "id 0 names two tokens, \"a\" and \"b\"");
  require_refused(read, write_file("negative.json", R"({"a": -1})"), "token \"a\" has the negative id -1");
  require_refused(read, write_file("huge.json", R"({"a": 2147483648})"), "beyond the largest accepted");
  require_refused(read, write_file("huger.json", R"({"a": 18446744073709551615})"), "beyond the largest accepted");
  require_refused(read, write_file("fraction.json", R"({"a": 1.5})"), "not a whole number");
  require_refused(read, write_file("text_id.json", R"({"a": "0"})"), "token \"a\" has an id that is not a number");
  require_refused(read, write_file("array.json", R"([1, 2])"), "is not a JSON object of tokens");
  require_refused(read, write_file("broken.json", R"({"a": 0,)"), "is not JSON");
  require_refused(read, write_file("empty.json", "{}"), "names no tokens");
  // One token with the largest id would need two billion fillers: refused before allocating.
  require_refused(read, write_file("too_sparse.json", R"({"a": 2147483647})"), "the ids reach 2147483647");
  require_refused(read, scratch_dir() / "absent.json", "cannot be opened", ErrorKind::io);
}

TEST_CASE("a byte-level BPE tokenizer.json: vocabulary, added tokens and their marks") {
  const TokenVocabulary tokens = read_tokenizer_json(write_file("tokenizer.json", byte_level_bpe));
  CHECK(tokens.keys == std::vector<std::string>{"a", "b", "Ġking", "<|endoftext|>", "<|user|>"});
  CHECK(tokens.kinds == std::vector<TokenKind>{TokenKind::normal, TokenKind::normal, TokenKind::normal,
                                               TokenKind::control, TokenKind::user_defined});
  CHECK(tokens.spelling == TokenSpelling::byte_level);
  CHECK(tokens.tokenizer == "gpt2");
}

TEST_CASE("a SentencePiece-style BPE tokenizer.json: byte tokens, <unk>, the llama tokenizer") {
  const auto path = write_file("llama_tokenizer.json", R"({
    "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}],
    "pre_tokenizer": null,
    "decoder": {"type": "Sequence", "decoders": [
      {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}]},
    "model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
              "vocab": {"<unk>": 0, "<s>": 1, "<0x0A>": 2, "▁king": 3}, "merges": []}
  })");
  const TokenVocabulary tokens = read_tokenizer_json(path);
  CHECK(tokens.keys == std::vector<std::string>{"<unk>", "<s>", "<0x0A>", "▁king"});
  CHECK(tokens.kinds ==
        std::vector<TokenKind>{TokenKind::unknown, TokenKind::control, TokenKind::byte, TokenKind::normal});
  CHECK(tokens.spelling == TokenSpelling::sentencepiece);
  CHECK(tokens.tokenizer == "llama");
}

TEST_CASE("a Metaspace pre-tokenizer alone makes a BPE model SentencePiece-spelled") {
  const TokenVocabulary tokens = read_tokenizer_json(write_file("metaspace.json", R"({
    "pre_tokenizer": {"type": "Metaspace", "replacement": "▁"},
    "model": {"type": "BPE", "vocab": {"▁a": 0, "<0x0A>": 1}, "merges": []}})"));
  CHECK(tokens.spelling == TokenSpelling::sentencepiece);
  CHECK(tokens.tokenizer == "llama");
  CHECK(tokens.kinds[1] == TokenKind::normal);  // without byte fallback, <0x0A> is a plain token
}

TEST_CASE("a WordPiece tokenizer.json is BERT's") {
  const TokenVocabulary tokens = read_tokenizer_json(write_file("bert.json", R"({
    "added_tokens": [{"id": 1, "content": "[CLS]", "special": true}],
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
              "vocab": {"[UNK]": 0, "[CLS]": 1, "king": 2, "##ing": 3}}})"));
  CHECK(tokens.keys == std::vector<std::string>{"[UNK]", "[CLS]", "king", "##ing"});
  CHECK(tokens.kinds ==
        std::vector<TokenKind>{TokenKind::unknown, TokenKind::control, TokenKind::normal, TokenKind::normal});
  CHECK(tokens.spelling == TokenSpelling::wordpiece);
  CHECK(tokens.tokenizer == "bert");
}

TEST_CASE("a Unigram tokenizer.json lists its pieces by position") {
  const TokenVocabulary tokens = read_tokenizer_json(write_file("unigram.json", R"({
    "added_tokens": [{"id": 3, "content": "</s>", "special": true}],
    "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true,
              "vocab": [["<unk>", 0.0], ["▁king", -7.5], ["<0xFF>", 0.0], ["</s>", 0.0]]}})"));
  CHECK(tokens.keys == std::vector<std::string>{"<unk>", "▁king", "<0xFF>", "</s>"});
  CHECK(tokens.kinds ==
        std::vector<TokenKind>{TokenKind::unknown, TokenKind::normal, TokenKind::byte, TokenKind::control});
  CHECK(tokens.spelling == TokenSpelling::sentencepiece);
  CHECK(tokens.tokenizer == "t5");
}

TEST_CASE("tokenizer.json refusals") {
  const Reader read = read_tokenizer_json;
  require_refused(read, write_file("no_model.json", R"({"added_tokens": []})"), "has no tokenizer model");
  require_refused(read, write_file("no_vocab.json", R"({"model": {"type": "BPE", "merges": []}})"),
                  "has no vocabulary");
  require_refused(read,
                  write_file("clash.json", R"({"added_tokens": [{"id": 0, "content": "<s>", "special": true}],
                              "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
                  "id 0 names two tokens, \"a\" and \"<s>\"");
  require_refused(read,
                  write_file("added_no_id.json", R"({"added_tokens": [{"content": "<s>"}],
                              "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
                  "added token 0 has no id");
  require_refused(read,
                  write_file("bad_piece.json", R"({"model": {"type": "Unigram", "vocab": [["a", 0.0], [1, 2]]}})"),
                  "entry 1 is not [piece, score]");
}

TEST_CASE("tiktoken ranks: base64 bytes spelled as GPT-2 spells them") {
  // "!" "\"" " king" and the byte 0xFF, which is not UTF-8 on its own.
  const TokenVocabulary tokens = read_tiktoken_ranks(write_file("ranks.tiktoken", "IQ== 0\nIg== 1\nIGtpbmc= 2\n/w== 3\n"));
  CHECK(tokens.keys == std::vector<std::string>{"!", "\"", "Ġking", "ÿ"});
  CHECK(tokens.spelling == TokenSpelling::byte_level);
  CHECK(tokens.tokenizer == "tiktoken");
}

TEST_CASE("tiktoken refusals name the line") {
  const Reader read = read_tiktoken_ranks;
  require_refused(read, write_file("bad64.tiktoken", "IQ== 0\nI*== 1\n"), "bad64.tiktoken line 2: the token is not base64");
  require_refused(read, write_file("badrank.tiktoken", "IQ== 0\nIg== x\n"), "line 2: the rank is not a whole number");
  require_refused(read, write_file("negrank.tiktoken", "IQ== -1\n"), "line 1: the rank is not a whole number");
  require_refused(read, write_file("farrank.tiktoken", "IQ== 2147483648\n"), "line 1: the rank 2147483648 is beyond");
  require_refused(read, write_file("nospace.tiktoken", "IQ==\n"), "line 1: is not \"base64-token rank\"");
  require_refused(read, write_file("twice.tiktoken", "IQ== 0\nIg== 0\n"),
                  "id 0 names two tokens, \"!\" and \"\\\"\" (lines 1 and 2)");
}

TEST_CASE("one token a line, as spelled, CR LF line ends taken off") {
  CHECK(read_token_lines(write_file("lines.txt", "king\nqueen\n")).keys == std::vector<std::string>{"king", "queen"});
  const TokenVocabulary crlf = read_token_lines(write_file("crlf.txt", "king\r\nqueen\r\n"));
  CHECK(crlf.keys == std::vector<std::string>{"king", "queen"});
  CHECK(crlf.spelling == TokenSpelling::raw);
  CHECK(read_token_lines(write_file("no_end.txt", "a b\n c")).keys == std::vector<std::string>{"a b", " c"});
  require_refused(read_token_lines, write_file("gap.txt", "king\n\nqueen\n"), "gap.txt line 2: is empty");
  require_refused(read_token_lines, write_file("nothing.txt", ""), "names no tokens");
}

TEST_CASE("read_token_file tells the kinds of token file apart by their content") {
  CHECK(read_token_file(write_file("a_tokenizer.txt", byte_level_bpe)).tokenizer == "gpt2");
  CHECK(read_token_file(write_file("a_tokenizer.txt", byte_level_bpe)).keys.size() == 5);
  CHECK(read_token_file(write_file("a_vocab.txt", R"({"x": 0, "y": 1})")).keys == std::vector<std::string>{"x", "y"});
  // GPT-2's vocabulary has the token "model": a vocab.json still, as its value is an id.
  CHECK(read_token_file(write_file("model_token.txt", R"({"model": 0})")).keys == std::vector<std::string>{"model"});
  CHECK(read_token_file(write_file("a_ranks.txt", "IQ== 0\nIg== 1\n")).tokenizer == "tiktoken");
  const TokenVocabulary lines = read_token_file(write_file("a_lines.txt", "{\nking\n"));
  CHECK(lines.keys == std::vector<std::string>{"{", "king"});
  CHECK(lines.tokenizer.empty());
  require_refused(read_token_file, write_file("broken_vocab.json", "{\nking\n"), "is not JSON");
}

TEST_CASE("a model directory: vocab.json and merges.txt, marks from its config files") {
  const auto dir = directory_with("gpt2_dir", {
      {"vocab.json", R"({"a": 0, "<unk>": 1, "<|endoftext|>": 2})"},
      {"merges.txt", "#version: 0.2\n"},
      {"tokenizer_config.json", R"({"added_tokens_decoder": {
          "2": {"content": "<|endoftext|>", "special": true}, "4": {"content": "<pad>", "special": false}}})"},
      {"special_tokens_map.json", R"({"unk_token": {"content": "<unk>"}, "additional_special_tokens": ["<pad>"]})"},
  });
  const TokenVocabulary tokens = read_hf_tokenizer(dir);
  CHECK(tokens.keys == std::vector<std::string>{"a", "<unk>", "<|endoftext|>", "<unused 3>", "<pad>"});
  CHECK(tokens.kinds == std::vector<TokenKind>{TokenKind::normal, TokenKind::unknown, TokenKind::control,
                                               TokenKind::unused, TokenKind::control});
  CHECK(tokens.spelling == TokenSpelling::byte_level);
  CHECK(tokens.tokenizer == "gpt2");
  CHECK(tokens.source == (dir / "vocab.json").string());
}

TEST_CASE("a model directory prefers tokenizer.json; vocab.json alone is raw; vocab.txt is WordPiece") {
  const auto both = directory_with("both_dir", {{"tokenizer.json", byte_level_bpe}, {"vocab.json", R"({"z": 0})"}});
  CHECK(read_hf_tokenizer(both).keys.size() == 5);
  const auto plain = directory_with("plain_dir", {{"vocab.json", R"({"<pad>": 0, "a": 1})"}});
  CHECK(read_hf_tokenizer(plain).spelling == TokenSpelling::raw);
  const auto bert = directory_with("bert_dir", {{"vocab.txt", "[PAD]\n[UNK]\n##ing\n"},
                                                {"special_tokens_map.json", R"({"unk_token": "[UNK]", "pad_token": "[PAD]"})"}});
  const TokenVocabulary wordpiece = read_hf_tokenizer(bert);
  CHECK(wordpiece.spelling == TokenSpelling::wordpiece);
  CHECK(wordpiece.tokenizer == "bert");
  CHECK(wordpiece.kinds == std::vector<TokenKind>{TokenKind::control, TokenKind::unknown, TokenKind::normal});
}

TEST_CASE("model directory refusals") {
  const Reader read = read_hf_tokenizer;
  require_refused(read, directory_with("empty_dir", {}),
                  "no tokenizer found in the directory (looked for tokenizer.json, vocab.json and vocab.txt)",
                  ErrorKind::not_found);
  require_refused(read, scratch_dir() / "no_such_dir", "is not a directory", ErrorKind::not_found);
  require_refused(read,
                  directory_with("clash_dir", {{"vocab.json", R"({"a": 0})"},
                                               {"tokenizer_config.json",
                                                R"({"added_tokens_decoder": {"0": {"content": "<s>"}}})"}}),
                  "id 0 is token \"<s>\", but");
  require_refused(read,
                  directory_with("bad_id_dir", {{"vocab.json", R"({"a": 0})"},
                                                {"tokenizer_config.json",
                                                 R"({"added_tokens_decoder": {"-1": {"content": "<s>"}}})"}}),
                  "tokenizer_config.json: token \"<s>\" has the id \"-1\"");
  require_refused(read,
                  directory_with("bad_map_dir", {{"vocab.json", R"({"a": 0})"}, {"special_tokens_map.json", "[1]"}}),
                  "special_tokens_map.json: is not a JSON object of special tokens");
}

TEST_CASE("GPT-2's real vocab.json") {
  const auto path = shared_llm / "gpt2-bpe" / "vocab.json";
  if (!std::filesystem::exists(path)) {
    std::cout << "skipped: " << path << " is absent\n";
    return;
  }
  const TokenVocabulary tokens = read_vocab_json(path);
  REQUIRE(tokens.keys.size() == 50257);  // ids checked with python's json module
  CHECK(tokens.keys[50256] == "<|endoftext|>");
  CHECK(tokens.keys[5822] == "Ġking");
  CHECK(std::count(tokens.kinds.begin(), tokens.kinds.end(), TokenKind::unused) == 0);
  CHECK(read_token_file(path).keys == tokens.keys);
}

TEST_CASE("the tiny GPT-2 model directory") {
  const auto dir = shared_llm / "tiny_gpt2";
  if (!std::filesystem::exists(dir / "vocab.json")) {
    std::cout << "skipped: " << dir << " is absent\n";
    return;
  }
  const TokenVocabulary tokens = read_hf_tokenizer(dir);
  REQUIRE(tokens.keys.size() == 21);
  CHECK(tokens.keys[14] == "Ġlow");
  CHECK(tokens.keys[19] == "<unk>");
  CHECK(tokens.kinds[19] == TokenKind::unknown);
  CHECK(tokens.keys[20] == "<|endoftext|>");
  CHECK(tokens.kinds[20] == TokenKind::control);
  CHECK(tokens.kinds[0] == TokenKind::normal);
  CHECK(tokens.spelling == TokenSpelling::byte_level);
}
