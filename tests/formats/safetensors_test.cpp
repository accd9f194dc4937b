#include <catch2/catch.hpp>

#include <bit>
#include <cstring>
#include <fstream>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "formats/safetensors/safetensors_header.hpp"
#include "formats/safetensors_files.hpp"
#include "kernels/quantized.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

void require_rows(const Embeddings& e, const std::vector<float>& values, size_t dim) {
  REQUIRE(e.dim() == dim);
  REQUIRE(e.rows() * dim == values.size());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    const std::vector<float> row = e.row_values(r);
    for (size_t i = 0; i < dim; ++i) {
      CHECK(std::bit_cast<uint32_t>(row[i]) == std::bit_cast<uint32_t>(values[r * dim + i]));
    }
  }
}

void require_refused(const std::filesystem::path& path, const std::string& fragment, LoadOptions options = {},
                     ErrorKind kind = ErrorKind::bad_data) {
  try {
    load(path, options);
    FAIL("loaded a file that should be refused: " << path);
  } catch (const Error& e) {
    CHECK(e.kind() == kind);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path.filename().string()));
  }
}

}  // namespace

TEST_CASE("safetensors: an F32 embedding is found by its name and read in place", "[formats][safetensors]") {
  const auto path = write_file("gpt2.safetensors",
                               safetensors({{"wpe.weight", "F32", {4, 3}, f32_bytes(exact_values(12, 5))},
                                            f32_tensor("wte.weight", 5, 3), {"ln_f.bias", "F32", {3}, f32_bytes({1, 2, 3})}}));
  const Embeddings e = load(path);
  CHECK(e.source().format == "safetensors");
  CHECK(e.dtype() == Dtype::f32);
  CHECK(e.rows() == 5);
  require_rows(e, exact_values(15), 3);
  CHECK(e.vocabulary().word(0) == "0");
  CHECK(e.vocabulary().word(4) == "4");
  CHECK(e.source().text("tensor") == "wte.weight");
  CHECK(e.source().text("tensor_dtype") == "F32");
  CHECK(e.source().text("metadata.format") == "pt");
  CHECK(e.source().text("tied_embeddings") == "tied: no output tensor");
  REQUIRE(e.source().tensors.size() == 3);
  CHECK(e.source().tensors[0].name == "wpe.weight");  // file order
  CHECK(e.source().tensors[1].shape == std::vector<uint64_t>{5, 3});
  CHECK(e.source().tensors[1].bytes == 60);
  CHECK(e.source().tensors[2].dtype == "F32");
}

TEST_CASE("safetensors: F16 and BF16 rows are served as they lie, decoded exactly", "[formats][safetensors]") {
  const std::vector<float> values = exact_values(4 * 6, 0.5f);
  const auto f16 = load(write_file("f16.safetensors",
                                   safetensors({{"model.embed_tokens.weight", "F16", {4, 6}, u16_bytes(to_f16(values))}})));
  CHECK(f16.dtype() == Dtype::f16);
  CHECK(f16.matrix().stride() == 6);
  require_rows(f16, values, 6);
  const auto bf16 = load(write_file("bf16.safetensors",
                                    safetensors({{"model.embed_tokens.weight", "BF16", {4, 6}, u16_bytes(to_bf16(values))}})));
  CHECK(bf16.dtype() == Dtype::bf16);
  CHECK(bf16.source().text("tensor_dtype") == "BF16");
  require_rows(bf16, values, 6);
}

TEST_CASE("safetensors: rows at an offset their dtype is not aligned to are copied and read right",
          "[formats][safetensors]") {
  const std::vector<float> values = exact_values(3 * 5);
  for (size_t pad = 0; pad < 4; ++pad) {
    const auto e = load(write_file("odd" + std::to_string(pad) + ".safetensors",
                                   safetensors({{"wte.weight", "F32", {3, 5}, f32_bytes(values)}}, "", pad)));
    require_rows(e, values, 5);
    const auto bf = load(write_file("odd_bf" + std::to_string(pad) + ".safetensors",
                                    safetensors({{"wte.weight", "BF16", {3, 5}, u16_bytes(to_bf16(values))}}, "", pad)));
    require_rows(bf, values, 5);
  }
}

TEST_CASE("safetensors: the embedding under the other names checkpoints use", "[formats][safetensors]") {
  for (const std::string name : {"transformer.wte.weight", "model.embed_tokens.weight", "tok_embeddings.weight",
                                 "bert.embeddings.word_embeddings.weight", "gpt_neox.embed_in.weight", "shared.weight",
                                 "model.decoder.embed_tokens.weight", "word_embeddings.weight",
                                 "model.language_model.embed_tokens.weight"}) {
    const auto e = load(write_file("named.safetensors", safetensors({f32_tensor("other.weight", 2, 2),
                                                                     f32_tensor(name, 3, 2)})));
    CHECK(e.source().text("tensor") == name);
    CHECK(e.rows() == 3);
  }
  // A 1-D tensor of an embedding's name is passed over for a matrix of another name.
  const auto e = load(write_file("vector_wte.safetensors", safetensors({{"wte.weight", "F32", {4}, f32_bytes({1, 2, 3, 4})},
                                                                        f32_tensor("transformer.wte.weight", 3, 2)})));
  CHECK(e.source().text("tensor") == "transformer.wte.weight");
}

TEST_CASE("safetensors: a tensor named by the caller, and one the file lacks", "[formats][safetensors]") {
  const auto path = write_file("with_head.safetensors",
                               safetensors({f32_tensor("wte.weight", 4, 2), f32_tensor("lm_head.weight", 4, 2, 1)}));
  LoadOptions options;
  options.tensor = "lm_head.weight";
  const auto head = load(path, options);
  CHECK(head.source().text("tensor") == "lm_head.weight");
  require_rows(head, exact_values(8, 1), 2);
  CHECK(head.source().text("tied_embeddings") == "not tied: lm_head.weight differs");
  options.tensor = "no.such.weight";
  require_refused(path, "no tensor 'no.such.weight'; it holds wte.weight, lm_head.weight", options, ErrorKind::not_found);
  options.tensor = "wte";
  require_refused(path, "'wte'", options, ErrorKind::not_found);
  const auto none = write_file("no_embedding.safetensors", safetensors({f32_tensor("h.0.mlp.weight", 2, 2)}));
  require_refused(none, "h.0.mlp.weight", {}, ErrorKind::not_found);
}

TEST_CASE("safetensors: whether the output embedding is tied to the input one", "[formats][safetensors]") {
  const std::string rows = f32_bytes(exact_values(6));
  // One tensor under two names: the very same bytes.
  const std::string json = R"({"wte.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},)"
                           R"("lm_head.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}})";
  const auto same = load(write_file("same.safetensors", raw_safetensors(json, rows)));
  CHECK(same.source().text("tied_embeddings") == "tied: the same tensor");

  const auto copy_path = write_file("copy.safetensors", safetensors({{"wte.weight", "F32", {3, 2}, rows},
                                                                     {"lm_head.weight", "F32", {3, 2}, rows}}));
  CHECK(load(copy_path).source().text("tied_embeddings") == "equal to lm_head.weight");
  LoadOptions head;
  head.tensor = "lm_head.weight";
  CHECK(load(copy_path, head).source().text("tied_embeddings") == "equal to wte.weight");

  const auto other_shape = load(write_file("other_shape.safetensors",
                                           safetensors({f32_tensor("wte.weight", 3, 2), f32_tensor("lm_head.weight", 2, 3)})));
  CHECK(other_shape.source().text("tied_embeddings") == "not tied: lm_head.weight differs");
}

TEST_CASE("safetensors: a limit keeps the first rows", "[formats][safetensors]") {
  LoadOptions options;
  options.limit = 2;
  const auto e = load(write_file("limited.safetensors", safetensors({f32_tensor("wte.weight", 5, 3)})), options);
  CHECK(e.rows() == 2);
  const std::vector<float> all = exact_values(15);
  require_rows(e, std::vector<float>(all.begin(), all.begin() + 6), 3);
}

TEST_CASE("safetensors: NaN and Inf are refused with the token id and dimension, or kept when allowed",
          "[formats][safetensors]") {
  std::vector<float> values = exact_values(4 * 3);
  values[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
  const auto path = write_file("nan.safetensors", safetensors({{"wte.weight", "BF16", {4, 3}, u16_bytes(to_bf16(values))}}));
  require_refused(path, "token id 2 has the value nan at dimension 2");
  LoadOptions allow;
  allow.allow_nonfinite = true;
  const auto e = load(path, allow);
  CHECK(e.nonfinite_values() == 1);
  CHECK(warned(e, "1 NaN/Inf values kept"));
  values[0] = std::numeric_limits<float>::infinity();
  const auto f32 = write_file("inf.safetensors", safetensors({{"wte.weight", "F32", {4, 3}, f32_bytes(values)}}));
  require_refused(f32, "token id 0 has the value inf at dimension 1");
  CHECK(load(f32, allow).nonfinite_values() == 2);
}

TEST_CASE("safetensors: hostile headers are refused with the file and the problem", "[formats][safetensors]") {
  const std::string rows = f32_bytes(exact_values(6));
  const auto entry = [](const std::string& name, const std::string& dtype, const std::string& shape,
                        const std::string& offsets) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
  };
  require_refused(write_file("short.safetensors", "\x10\0\0"), "too short");
  require_refused(write_file("long_header.safetensors", length_prefix(1000) + "{}"), "beyond the end of the file");
  require_refused(write_file("huge_header.safetensors", length_prefix(UINT64_MAX) + "{}"), "beyond the end of the file");
  require_refused(write_file("not_json.safetensors", raw_safetensors("{not json at all", rows)), "not JSON");
  require_refused(write_file("array.safetensors", raw_safetensors("[1,2,3]", rows)), "not an object");
  require_refused(write_file("out_of_bounds.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[3,2]", "[0,240]") + "}", rows)),
                  "out of bounds");
  require_refused(write_file("reversed.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[3,2]", "[24,0]") + "}", rows)),
                  "reversed data offsets [24, 0]");
  require_refused(write_file("overlap.safetensors",
                             raw_safetensors("{" + entry("a", "F32", "[2,2]", "[0,16]") + "," +
                                                 entry("wte.weight", "F32", "[2,2]", "[8,24]") + "}", rows)),
                  "overlap");
  require_refused(write_file("size.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[3,3]", "[0,24]") + "}", rows)),
                  "[3, 3] x F32");
  require_refused(write_file("overflow.safetensors",
                             raw_safetensors("{" + entry("x", "F32", "[4294967296,4294967296]", "[0,24]") + "}", rows)),
                  "more than 2^64");
  require_refused(write_file("negative.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[-3,2]", "[0,24]") + "}", rows)),
                  "whole number");
  require_refused(write_file("offsets3.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[3,2]", "[0,12,24]") + "}", rows)),
                  "not two offsets");
  require_refused(write_file("no_dtype.safetensors",
                             raw_safetensors(R"({"wte.weight":{"shape":[3,2],"data_offsets":[0,24]}})", rows)),
                  "has no 'dtype'");
  require_refused(write_file("twice.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[1,2]", "[0,8]") + "," +
                                                 entry("wte.weight", "F32", "[1,2]", "[8,16]") + "}", rows)),
                  "twice");
  require_refused(write_file("metadata.safetensors", raw_safetensors(R"({"__metadata__":{"format":3}})", rows)),
                  "__metadata__");
  require_refused(write_file("vector.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[6]", "[0,24]") + "}", rows)),
                  "not a matrix");
  require_refused(write_file("cube.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F32", "[1,3,2]", "[0,24]") + "}", rows)),
                  "[1, 3, 2]");
  require_refused(write_file("int8.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "I8", "[4,6]", "[0,24]") + "}", rows)),
                  "is I8; embtool reads F32, F16 and BF16");
  require_refused(write_file("fp8.safetensors",
                             raw_safetensors("{" + entry("wte.weight", "F8_E4M3", "[4,6]", "[0,24]") + "}", rows)),
                  "F8_E4M3");
}

TEST_CASE("safetensors: the header parser checks what the offsets say of each other", "[formats][safetensors]") {
  const std::string json = R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                           R"("a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},)"
                           R"("empty":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                           R"("new":{"dtype":"F4","shape":[3],"data_offsets":[16,18]}})";
  const auto header = formats::parse_safetensors_header(json, 18, "x.safetensors");
  REQUIRE(header.tensors.size() == 4);
  CHECK(header.tensors[0].name == "a");  // by offset
  CHECK(header.tensors[2].name == "b");
  CHECK(header.find("new")->dtype == "F4");
  CHECK_THROWS_WITH(formats::parse_safetensors_header(json, 17, "x.safetensors"), Catch::Contains("out of bounds"));
}

namespace {

std::string index_json(const std::vector<std::pair<std::string, std::string>>& weight_map) {
  std::string json = R"({"metadata":{"total_size":0},"weight_map":{)";
  for (size_t i = 0; i < weight_map.size(); ++i) {
    if (i > 0) json += ',';
    json += "\"" + weight_map[i].first + "\":\"" + weight_map[i].second + "\"";
  }
  return json + "}}";
}

}  // namespace

TEST_CASE("safetensors: a sharded checkpoint through its index", "[formats][safetensors]") {
  const auto dir = scratch_dir() / "sharded";
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  write("model-00001-of-00002.safetensors",
        safetensors({f32_tensor("model.layers.0.weight", 2, 2), f32_tensor("lm_head.weight", 4, 3, 2)}));
  write("model-00002-of-00002.safetensors", safetensors({{"model.embed_tokens.weight", "BF16", {4, 3},
                                                          u16_bytes(to_bf16(exact_values(12)))}}));
  write("model.safetensors.index.json",
        index_json({{"model.layers.0.weight", "model-00001-of-00002.safetensors"},
                    {"lm_head.weight", "model-00001-of-00002.safetensors"},
                    {"model.embed_tokens.weight", "model-00002-of-00002.safetensors"}}));
  const Embeddings e = load(dir / "model.safetensors.index.json");
  CHECK(e.source().text("tensor") == "model.embed_tokens.weight");
  CHECK(e.source().number("shards") == 2);
  CHECK(e.dtype() == Dtype::bf16);
  require_rows(e, exact_values(12), 3);
  CHECK(e.source().text("tied_embeddings") == "not tied: lm_head.weight differs");
  REQUIRE(e.source().tensors.size() == 3);
  CHECK(e.source().tensors[0].file == "model-00001-of-00002.safetensors");
  CHECK(e.source().tensors[2].file == "model-00002-of-00002.safetensors");

  LoadOptions head;
  head.tensor = "lm_head.weight";
  require_rows(load(dir / "model.safetensors.index.json", head), exact_values(12, 2), 3);

  // A shard that is not needed may be missing: said, not refused.
  std::filesystem::remove(dir / "model-00001-of-00002.safetensors");
  const Embeddings partial = load(dir / "model.safetensors.index.json");
  CHECK(partial.rows() == 4);
  CHECK(warned(partial, "shard 'model-00001-of-00002.safetensors' is missing"));
  require_refused(dir / "model.safetensors.index.json", "missing", head, ErrorKind::io);

  write("climbing.safetensors.index.json", index_json({{"wte.weight", "../../etc/passwd"}}));
  require_refused(dir / "climbing.safetensors.index.json", "not a file beside the index");
  write("wrong.safetensors.index.json", index_json({{"wte.weight", "model-00002-of-00002.safetensors"}}));
  require_refused(dir / "wrong.safetensors.index.json", "whose header has no such tensor");
  write("bad.safetensors.index.json", R"({"metadata":{}})");
  require_refused(dir / "bad.safetensors.index.json", "no weight_map");
}

TEST_CASE("safetensors: the tiny GPT-2 written by transformers", "[formats][safetensors][shared]") {
  const auto shared = shared_data_dir();
  if (!shared || !std::filesystem::exists(*shared / "llm/tiny_gpt2/model.safetensors")) {
    WARN("skipped: ../shared/data/llm/tiny_gpt2 is absent");
    return;
  }
  const Embeddings e = load(*shared / "llm/tiny_gpt2/model.safetensors");
  CHECK(e.rows() == 21);
  CHECK(e.dim() == 2);
  CHECK(e.source().text("tensor") == "wte.weight");
  CHECK(e.source().text("metadata.format") == "pt");
  CHECK(e.source().tensors.size() == 16);
  CHECK(e.source().text("tied_embeddings") == "tied: no output tensor");
}
