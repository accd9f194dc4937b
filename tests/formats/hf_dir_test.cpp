#include <catch2/catch.hpp>

#include <bit>
#include <fstream>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "formats/hf_dir/hf_dir.hpp"
#include "formats/safetensors_files.hpp"

using namespace embtool;
using namespace embtool::testing;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the scratch directory, with `files` (name -> bytes) in it.
fs::path model_dir(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path dir = scratch_dir() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& [file, bytes] : files) std::ofstream(dir / file, std::ios::binary) << bytes;
  return dir;
}

// GPT-2's files for a vocabulary of `tokens` (vocab.json, merges.txt) and its config.json.
const std::string kVocabJson = R"({"a":0,"b":1,"\u0120a":2,"<|endoftext|>":3})";
const std::string kMerges = "#version: 0.2\n\xc4\xa0 a\n";
const std::string kConfig = R"({"architectures":["GPT2LMHeadModel"],"model_type":"gpt2","n_positions":1024,)"
                            R"("vocab_size":4,"_name_or_path":"tiny"})";

void require_refused(const fs::path& path, const std::string& fragment, ErrorKind kind = ErrorKind::bad_data,
                     LoadOptions options = {}) {
  try {
    load(path, options);
    FAIL("loaded what should be refused: " << path);
  } catch (const Error& e) {
    CHECK(e.kind() == kind);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path.filename().string()));
  }
}

}  // namespace

TEST_CASE("hf_dir: a GPT-2 directory: the weights, its tokenizer's tokens and config.json's facts", "[formats][hf_dir]") {
  const fs::path dir = model_dir("gpt2", {{"model.safetensors", safetensors({f32_tensor("wpe.weight", 8, 3, 1),
                                                                             f32_tensor("wte.weight", 4, 3)})},
                                          {"config.json", kConfig},
                                          {"vocab.json", kVocabJson},
                                          {"merges.txt", kMerges}});
  const Embeddings e = load(dir);
  CHECK(e.rows() == 4);
  CHECK(e.dim() == 3);
  CHECK(e.source().path == dir.string());
  CHECK(e.vocabulary().word(2) == "\xc4\xa0" "a");  // "Ġa", the tokenizer's own spelling
  REQUIRE(e.tokens() != nullptr);
  CHECK(e.tokens()->find_text(" a") == 2u);
  CHECK(e.source().text("tensor") == "wte.weight");
  CHECK(e.source().text("weights") == "model.safetensors");
  CHECK(e.source().text("architecture") == "GPT2LMHeadModel");
  CHECK(e.source().text("model_name") == "tiny");
  CHECK(e.source().number("context_length") == 1024);
  CHECK(e.source().number("vocab_size") == 4);
  CHECK(e.source().text("tied_embeddings") == "tied: no output tensor");
  CHECK(e.source().text("tokenizer") == "gpt2");
  CHECK_FALSE(warned(e, "vocab_size"));

  // Another tensor, by name, has rows of its own: numbered, not tokens.
  LoadOptions wpe;
  wpe.tensor = "wpe.weight";
  const Embeddings positions = load(dir, wpe);
  CHECK(positions.rows() == 8);
  CHECK(positions.vocabulary().word(2) == "2");
  CHECK_FALSE(warned(positions, "vocab_size"));
}

TEST_CASE("hf_dir: rows past the tokenizer's tokens, and fewer rows than tokens", "[formats][hf_dir]") {
  const fs::path padded = model_dir("padded", {{"model.safetensors", safetensors({f32_tensor("transformer.wte.weight", 6, 2)})},
                                               {"vocab.json", kVocabJson},
                                               {"merges.txt", kMerges},
                                               {"config.json", R"({"model_type":"gpt2","vocab_size":6})"}});
  const Embeddings e = load(padded);
  CHECK(e.rows() == 6);
  CHECK(e.vocabulary().word(5) == "<row 5>");
  CHECK(e.source().text("architecture") == "gpt2");  // model_type, when architectures is absent
  const fs::path short_matrix = model_dir("short", {{"model.safetensors", safetensors({f32_tensor("wte.weight", 3, 2)})},
                                                    {"vocab.json", kVocabJson}});
  require_refused(short_matrix, "has 3 rows but the tokenizer");
}

TEST_CASE("hf_dir: a sharded Llama-style checkpoint with a tokenizer.json and an untied head", "[formats][hf_dir]") {
  const std::string tokenizer = R"({"model":{"type":"BPE","vocab":{"<s>":0,"\u2581the":1,"x":2},"byte_fallback":true},)"
                                R"("added_tokens":[{"id":0,"content":"<s>","special":true}],)"
                                R"("decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"\u2581"},"content":" "}]}})";
  const fs::path dir = model_dir(
      "llama", {{"model-00001-of-00002.safetensors",
                 safetensors({{"model.embed_tokens.weight", "BF16", {3, 4}, u16_bytes(to_bf16(exact_values(12)))}})},
                {"model-00002-of-00002.safetensors", safetensors({f32_tensor("lm_head.weight", 3, 4)})},
                {"model.safetensors.index.json",
                 R"({"metadata":{},"weight_map":{"model.embed_tokens.weight":"model-00001-of-00002.safetensors",)"
                 R"("lm_head.weight":"model-00002-of-00002.safetensors"}})"},
                {"config.json", R"({"architectures":["LlamaForCausalLM"],"max_position_embeddings":8192,)"
                                R"("tie_word_embeddings":false,"text_config":{"n_ctx":5}})"},
                {"tokenizer.json", tokenizer}});
  const Embeddings e = load(dir);
  CHECK(e.dtype() == Dtype::bf16);
  CHECK(e.source().text("weights") == "model.safetensors.index.json");
  CHECK(e.source().number("shards") == 2);
  CHECK(e.source().number("context_length") == 8192);  // the top level's, before text_config's
  CHECK(e.source().text("tied_embeddings") == "not tied: lm_head.weight differs");
  CHECK(e.tokens()->find_text(" the") == 1u);
  LoadOptions head;
  head.tensor = "lm_head.weight";
  const Embeddings output = load(dir, head);
  CHECK(output.dtype() == Dtype::f32);
  CHECK(output.vocabulary().word(1) == "\xe2\x96\x81the");  // the output embedding's rows are tokens too
}

TEST_CASE("hf_dir: config.json's tie_word_embeddings and the nested text_config", "[formats][hf_dir]") {
  const fs::path dir = model_dir("untied_claim", {{"model.safetensors", safetensors({f32_tensor("wte.weight", 2, 2)})},
                                                  {"config.json", R"({"tie_word_embeddings":false,"text_config":)"
                                                                  R"({"architectures":["Gemma3ForCausalLM"],"max_position_embeddings":32768}})"}});
  const Embeddings e = load(dir);
  CHECK(e.source().text("tied_embeddings") == "tied: no output tensor (though config.json says tie_word_embeddings: false)");
  CHECK(e.source().text("architecture") == "Gemma3ForCausalLM");
  CHECK(e.source().number("context_length") == 32768);
  CHECK(warned(e, "no tokenizer"));  // rows by number, said
  CHECK(e.vocabulary().word(1) == "1");
}

TEST_CASE("hf_dir: a vocabulary file given by the caller names the rows", "[formats][hf_dir]") {
  const fs::path dir = model_dir("given_vocab", {{"model.safetensors", safetensors({f32_tensor("wte.weight", 3, 2)})},
                                                 {"vocab.json", kVocabJson},
                                                 {"tokens.txt", "one\ntwo\nthree\n"}});
  LoadOptions options;
  options.vocab_file = dir / "tokens.txt";
  const Embeddings e = load(dir, options);
  CHECK(e.vocabulary().word(2) == "three");
}

TEST_CASE("hf_dir: what a directory cannot be read as is refused, naming it", "[formats][hf_dir]") {
  require_refused(model_dir("pytorch", {{"pytorch_model.bin", "PK\x03\x04"}, {"config.json", kConfig}}),
                  "pytorch_model.bin, which embtool does not read; convert them to safetensors");
  require_refused(model_dir("empty", {}), "no model.safetensors", ErrorKind::not_found);
  require_refused(model_dir("two", {{"a.safetensors", safetensors({f32_tensor("wte.weight", 2, 2)})},
                                    {"b.safetensors", safetensors({f32_tensor("wte.weight", 2, 2)})}}),
                  "several");
  const fs::path broken_config = model_dir("broken_config", {{"model.safetensors", safetensors({f32_tensor("wte.weight", 2, 2)})},
                                                             {"config.json", "{\"vocab_size\": "}});
  try {
    load(broken_config);
    FAIL("a broken config.json was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK_THAT(e.what(), Catch::Contains("config.json: not JSON"));
  }
  // The only *.safetensors of a directory is its weights.
  const fs::path single = model_dir("single", {{"adapter.safetensors", safetensors({f32_tensor("wte.weight", 2, 2)})}});
  CHECK(formats::model_weights_file(single).filename() == "adapter.safetensors");
}

TEST_CASE("hf_dir: the tiny GPT-2 that transformers wrote", "[formats][hf_dir][shared]") {
  const auto shared = shared_data_dir();
  if (!shared || !fs::is_directory(*shared / "llm/tiny_gpt2")) {
    WARN("skipped: ../shared/data/llm/tiny_gpt2 is absent");
    return;
  }
  const Embeddings e = load(*shared / "llm/tiny_gpt2");
  CHECK(e.rows() == 21);
  CHECK(e.dim() == 2);
  CHECK(e.source().text("tied_embeddings") == "tied: no output tensor");
  CHECK(e.source().text("architecture") == "GPT2Model");
  CHECK(e.source().number("context_length") == 1024);
  CHECK(e.source().text("tokenizer") == "gpt2");
}
