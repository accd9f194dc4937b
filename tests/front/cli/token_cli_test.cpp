// The token commands through the command line: a model without a tokenizer, a tokenizer's
// file without a matrix, llama.cpp's own test cases through `--tokenizer FILE tokenize --ids`,
// and a GGUF file with its own tokenizer. (Their answers in every format are in
// tests/app/token_commands_test.cpp; split so that the two compile side by side.)
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "kernels/quantized.hpp"

using namespace embtool;
using namespace embtool::testing;
using nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("the command line: a model without a tokenizer says how to name one", "[cli][tokens]") {
  const std::string toy = write_file("tokens_toy.bin", word2vec_binary(toy_words())).string();
  const auto r = run_cli({"-m", toy, "tokenize", "hello"});
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("--tokenizer"));
  const auto bad = run_cli({"-m", toy, "--tokenizer", toy, "tokenize", "hello"});
  CHECK(bad.code == 3);
  CHECK_THAT(bad.err, Catch::Contains("holds no tokenizer"));
  // Diagnostics answer on word vectors too, without kinds.
  const auto d = run_cli({"-m", toy, "tokens", "--k", "2", "--json"});
  REQUIRE(d.code == 0);
  const json j = json::parse(d.out);
  CHECK(j["low_norm"].size() == 2);
  CHECK_FALSE(j.contains("kinds"));
}

TEST_CASE("the command line: a tokenizer's file without a matrix is said to be one",
          "[cli][tokens][shared]") {
  const auto data = shared_data_dir();
  if (!data) return;
  const std::string vocab = (*data / "llm/vocab/ggml-vocab-llama-spm.gguf").string();
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"embed", "hello"}, {"tokens"}}) {
    std::vector<std::string> args{"-m", vocab};
    args.insert(args.end(), command.begin(), command.end());
    const auto r = run_cli(args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("no embedding matrix"));
  }
}

// llama.cpp's own test cases (tests/test-tokenizer-0.cpp: add_special and parse_special off),
// through `--tokenizer FILE tokenize --ids`. One test case a vocabulary, so that ctest runs
// them side by side (each case is a process's worth of work: a load and a tokenize).
namespace {

void check_llama_cpp_cases(const std::string& name) {
  const auto data = shared_data_dir();
  if (!data) return;
  const auto base = *data / "llm/vocab" / (name + ".gguf");
  std::ifstream inp(base.string() + ".inp"), out(base.string() + ".out");
  std::stringstream cases;
  cases << inp.rdbuf();
  const std::string all = cases.str();
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t begin = 0; begin < all.size();) {
    const size_t end = all.find(separator, begin);
    texts.push_back(all.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + separator.size();
  }
  const auto probe = run_cli({"--tokenizer", base.string(), "tokenize", "--ids", "a"});
  if (probe.err.find("not built yet") != std::string::npos) {
    WARN(name << ": its tokenizer is not built yet");
    return;
  }
  size_t checked = 0;
  for (const std::string& text : texts) {
    std::string expected;
    if (!std::getline(out, expected)) break;
    const auto r = run_cli({"--tokenizer", base.string(), "tokenize", "--ids", "--", text});
    INFO(name << ": " << text);
    REQUIRE(r.code == 0);
    // The .out lines have a blank before each id.
    const size_t first = expected.find_first_not_of(' ');
    const std::string trimmed = first == std::string::npos ? "" : expected.substr(first);
    CHECK(r.out == trimmed + "\n");
    ++checked;
  }
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("tokenize --ids gives llama.cpp's ids for its test vocabularies: llama-spm", "[cli][tokens][shared]") {
  check_llama_cpp_cases("ggml-vocab-llama-spm");
}
TEST_CASE("tokenize --ids gives llama.cpp's ids for its test vocabularies: bert-bge", "[cli][tokens][shared]") {
  check_llama_cpp_cases("ggml-vocab-bert-bge");
}
TEST_CASE("tokenize --ids gives llama.cpp's ids for its test vocabularies: gpt-2", "[cli][tokens][shared]") {
  check_llama_cpp_cases("ggml-vocab-gpt-2");
}
TEST_CASE("tokenize --ids gives llama.cpp's ids for its test vocabularies: llama-bpe", "[cli][tokens][shared]") {
  check_llama_cpp_cases("ggml-vocab-llama-bpe");
}
TEST_CASE("tokenize --ids gives llama.cpp's ids for its test vocabularies: qwen2", "[cli][tokens][shared]") {
  check_llama_cpp_cases("ggml-vocab-qwen2");
}

namespace {

template <class T>
std::string bytes_of(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}
std::string gguf_string(std::string_view text) {
  return bytes_of<uint64_t>(text.size()) + std::string(text);
}

// A GPT-2 style GGUF file: byte-level tokens with merges, and an F16 token embedding of
// `dim` x tokens, laid out as the format says (v3, 32-byte alignment).
std::string small_gpt2_gguf(const std::vector<std::string>& keys,
                            const std::vector<std::string>& merges,
                            const std::vector<float>& values, uint64_t dim) {
  enum : uint32_t { kString = 8, kArray = 9, kF16 = 1 };
  std::string metadata;
  auto text = [&](std::string_view key, std::string_view value) {
    metadata += gguf_string(key) + bytes_of(uint32_t{kString}) + gguf_string(value);
  };
  auto strings = [&](std::string_view key, const std::vector<std::string>& list) {
    metadata += gguf_string(key) + bytes_of(uint32_t{kArray}) + bytes_of(uint32_t{kString}) +
                bytes_of<uint64_t>(list.size());
    for (const std::string& s : list) metadata += gguf_string(s);
  };
  text("general.architecture", "gpt2");
  text("tokenizer.ggml.model", "gpt2");
  text("tokenizer.ggml.pre", "gpt-2");
  strings("tokenizer.ggml.tokens", keys);
  strings("tokenizer.ggml.merges", merges);
  std::string out =
      "GGUF" + bytes_of(uint32_t{3}) + bytes_of(uint64_t{1}) + bytes_of(uint64_t{5}) + metadata;
  out += gguf_string("token_embd.weight") + bytes_of(uint32_t{2}) + bytes_of(dim) +
         bytes_of<uint64_t>(keys.size());
  out += bytes_of(uint32_t{kF16}) + bytes_of(uint64_t{0});
  out.resize((out.size() + 31) / 32 * 32, '\0');
  for (const float v : values) out += bytes_of(kernels::scalar::float_to_half(v));
  return out;
}

}  // namespace

// The whole way, with llama.cpp's BPE: a GGUF file's tokenizer and F16 rows, on the command line.
TEST_CASE("the command line: embed on a GGUF file with its own tokenizer and F16 rows",
          "[cli][tokens][embed]") {
  const std::vector<std::string> keys = {"h", "e", "l", "o", "Ġ", "w", "he", "ll", "llo", "Ġw"};
  std::vector<float> values;
  for (size_t r = 0; r < keys.size(); ++r) {
    for (const float f : {0.5f, -1.25f, 3.0f}) values.push_back(f * static_cast<float>(r + 1));
  }
  values[2 * 3 + 0] = -0.0f;  // a -0 in row 2 ("l"): no token of "hello" uses it
  const std::string path =
      write_file("tokens_small.gguf",
                 small_gpt2_gguf(keys, {"h e", "l l", "ll o", "Ġ w"}, values, 3))
          .string();
  const auto tokens = run_cli({"-m", path, "tokenize", "hello w", "--json"});
  REQUIRE(tokens.code == 0);
  CHECK(json::parse(tokens.out)["ids"] == json({6, 8, 9}));
  const auto r = run_cli({"-m", path, "embed", "hello w", "--check-one-hot", "--json"});
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["one_hot_check"]["equal_bits"] == 3);
  CHECK(j["one_hot_check"]["matrix_rows"] == keys.size());
  const auto text = lines_of(run_cli({"-m", path, "embed", "hello w"}).out);
  REQUIRE(text.size() == 6);
  for (size_t i = 0; i < 3; ++i) {
    const auto vector =
        run_cli({"-m", path, "vector", "--id", std::to_string(j["ids"][i].get<int>())});
    CHECK(text[2 * i + 1] + "\n" == vector.out);
  }
  // The tokenizer named apart from the weights: a word-vector model, the GGUF's tokenizer.
  const std::string toy = write_file("tokens_toy2.bin", word2vec_binary(toy_words())).string();
  const auto apart = run_cli({"-m", toy, "--tokenizer", path, "tokenize", "--ids", "hello w"});
  CHECK(apart.code == 0);
  CHECK(apart.out == "6 8 9\n");
  const auto round_trip = run_cli({"--tokenizer", path, "detokenize", "6", "8", "9"});
  CHECK(round_trip.out == "hello w");
}
