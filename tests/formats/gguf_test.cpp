// GGUF: small files built here byte by byte (every metadata value type, v2 and v3, each kind
// of damage), and llama.cpp's own vocabulary files from ../shared/data/llm when present.
#include "formats/gguf/gguf.hpp"

#include <fmt/format.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "formats/gguf/gguf_file.hpp"
#include "formats/registry.hpp"
#include "kernels/quantized.hpp"

using namespace embtool;
using namespace embtool::testing;
namespace gguf = embtool::formats::gguf;

namespace {

// ggml type ids and GGUF value types, as the file numbers them.
constexpr uint32_t kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_0 = 8, kQ4_K = 12, kIQ2_XXS = 16, kBF16 = 30;
enum : uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 };

template <class T>
std::string bytes_of(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

std::string gguf_string(std::string_view text) {
  return bytes_of<uint64_t>(text.size()) + std::string(text);
}

struct Tensor {
  std::string name;
  std::vector<uint64_t> ne;
  uint32_t type = kF32;
  std::string data;
  std::optional<uint64_t> offset;  // from the data section; default: the next aligned place
};

// A GGUF file, byte by byte as the format lays it out; every count can be made to lie.
struct GgufBuilder {
  uint32_t version = 3;
  uint64_t alignment = 32;
  std::string metadata;
  uint64_t kv_count = 0;
  std::vector<Tensor> tensors;
  std::optional<uint64_t> tensor_count_override, kv_count_override;

  GgufBuilder& raw(std::string_view key, uint32_t type, const std::string& value) {
    metadata += gguf_string(key) + bytes_of(type) + value;
    ++kv_count;
    return *this;
  }
  GgufBuilder& text(std::string_view key, std::string_view value) {
    return raw(key, STRING, gguf_string(value));
  }
  GgufBuilder& u32(std::string_view key, uint32_t value) { return raw(key, U32, bytes_of(value)); }
  GgufBuilder& strings(std::string_view key, const std::vector<std::string>& values) {
    std::string body = bytes_of<uint32_t>(STRING) + bytes_of<uint64_t>(values.size());
    for (const std::string& v : values) body += gguf_string(v);
    return raw(key, ARRAY, body);
  }
  GgufBuilder& i32s(std::string_view key, const std::vector<int32_t>& values) {
    std::string body = bytes_of<uint32_t>(I32) + bytes_of<uint64_t>(values.size());
    for (int32_t v : values) body += bytes_of(v);
    return raw(key, ARRAY, body);
  }
  GgufBuilder& tokens(const std::vector<std::string>& keys, std::string_view model = "gpt2") {
    return text("tokenizer.ggml.model", model).strings("tokenizer.ggml.tokens", keys);
  }
  GgufBuilder& tensor(Tensor t) {
    tensors.push_back(std::move(t));
    return *this;
  }

  std::string build() const {
    std::string out = "GGUF" + bytes_of(version) +
                      bytes_of<uint64_t>(tensor_count_override.value_or(tensors.size())) +
                      bytes_of<uint64_t>(kv_count_override.value_or(kv_count)) + metadata;
    std::vector<uint64_t> offsets;
    uint64_t next = 0;
    for (const Tensor& t : tensors) {
      const uint64_t offset = t.offset.value_or(next);
      offsets.push_back(offset);
      next = std::max(next, (offset + t.data.size() + alignment - 1) / alignment * alignment);
      out += gguf_string(t.name) + bytes_of<uint32_t>(static_cast<uint32_t>(t.ne.size()));
      for (uint64_t n : t.ne) out += bytes_of(n);
      out += bytes_of(t.type) + bytes_of(offset);
    }
    if (!tensors.empty()) out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    const size_t data_start = out.size();
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (tensors[i].data.empty()) continue;  // a tensor placed past the end of the file
      if (out.size() < data_start + offsets[i] + tensors[i].data.size()) {
        out.resize(data_start + offsets[i] + tensors[i].data.size(), '\0');
      }
      out.replace(data_start + offsets[i], tensors[i].data.size(), tensors[i].data);
    }
    return out;
  }
};

std::string f32_bytes(const std::vector<float>& values) {
  std::string out;
  for (float v : values) out += bytes_of(v);
  return out;
}

std::string half_bytes(const std::vector<float>& values) {
  std::string out;
  for (float v : values) out += bytes_of(kernels::scalar::float_to_half(v));
  return out;
}

std::string bf16_bytes(const std::vector<float>& values) {
  std::string out;
  for (float v : values) out += bytes_of(kernels::scalar::float_to_bf16(v));
  return out;
}

// rows x dim float32 values with exact binary fractions, distinct per row.
std::vector<float> small_matrix(size_t rows, size_t dim) {
  std::vector<float> values(rows * dim);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.25f +
                0.125f * static_cast<float>(i / dim);
  return values;
}

const std::vector<std::string> kKeys = {"Ġking", "Ġqueen", "king", "<|endoftext|>"};

GgufBuilder gpt2_like(uint32_t type, const std::string& data, size_t dim = 3, size_t rows = 4) {
  GgufBuilder b;
  b.text("general.architecture", "gpt2")
      .text("general.name", "tiny")
      .u32("gpt2.context_length", 1024);
  b.text("tokenizer.ggml.pre", "gpt-2")
      .tokens(kKeys)
      .i32s("tokenizer.ggml.token_type", {1, 1, 1, 3});
  b.strings("tokenizer.ggml.merges", {"Ġ k", "i n"});
  b.tensor({"token_embd.weight", {dim, rows}, type, data, {}});
  return b;
}

std::filesystem::path write_gguf(const std::string& name, const GgufBuilder& builder) {
  return write_file(name, builder.build());
}

void require_same_bits(const Embeddings& e, const std::vector<float>& values) {
  REQUIRE(e.rows() * e.dim() == values.size());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    const std::vector<float> row = e.row_values(r);
    for (size_t i = 0; i < e.dim(); ++i) {
      INFO("row " << r << " dimension " << i);
      CHECK(std::bit_cast<uint32_t>(row[i]) == std::bit_cast<uint32_t>(values[r * e.dim() + i]));
    }
  }
}

// Refused with a bad-data error (or `kind`) whose one-line message names the file and says `words`.
void require_refused(const std::string& name, const std::string& bytes, const std::string& words,
                     LoadOptions options = {}, ErrorKind kind = ErrorKind::bad_data) {
  const auto path = write_file(name, bytes);
  try {
    // Rows used in place are checked on first need (their norms), not at open.
    const Embeddings e = load(path, options);
    (void)e.norms();
    FAIL("loaded a file that should be refused: " << name);
  } catch (const Error& e) {
    CHECK(e.kind() == kind);
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains(name));
    CHECK_THAT(message, Catch::Contains(words));
    CHECK(message.find('\n') == std::string::npos);
  }
}

// Room after a damaged entry, so that the header's counts are not what is refused.
std::string padded(const std::string& bytes) {
  return bytes + std::string(32, '\0');
}

std::string fact_text(const Embeddings& e, std::string_view name) {
  return e.source().text(name);
}

}  // namespace

TEST_CASE("GGUF metadata of every value type reads back as written", "[gguf]") {
  GgufBuilder b;
  b.raw("u8", U8, bytes_of<uint8_t>(200)).raw("i8", I8, bytes_of<int8_t>(-100));
  b.raw("u16", U16, bytes_of<uint16_t>(60000)).raw("i16", I16, bytes_of<int16_t>(-30000));
  b.raw("u32", U32, bytes_of<uint32_t>(4000000000u))
      .raw("i32", I32, bytes_of<int32_t>(-2000000000));
  b.raw("f32", F32, bytes_of(1.5f)).raw("bool", BOOL, bytes_of<uint8_t>(1));
  b.text("string", "hé\nllo").raw("u64", U64, bytes_of<uint64_t>(UINT64_MAX));
  b.raw("i64", I64, bytes_of<int64_t>(INT64_MIN)).raw("f64", F64, bytes_of(-2.25));
  b.raw("array_u16", ARRAY,
        bytes_of<uint32_t>(U16) + bytes_of<uint64_t>(3) + bytes_of<uint16_t>(1) +
            bytes_of<uint16_t>(2) + bytes_of<uint16_t>(65535));
  b.raw("array_f64", ARRAY,
        bytes_of<uint32_t>(F64) + bytes_of<uint64_t>(2) + bytes_of(0.5) + bytes_of(-1.0));
  b.raw("array_bool", ARRAY,
        bytes_of<uint32_t>(BOOL) + bytes_of<uint64_t>(2) + std::string("\x01\x00", 2));
  b.raw("empty_array", ARRAY, bytes_of<uint32_t>(I64) + bytes_of<uint64_t>(0));
  b.strings("array_string", {"a", "", "ccc"});
  const std::string bytes = b.build();
  const gguf::File file =
      gguf::parse(std::as_bytes(std::span(bytes.data(), bytes.size())), "values.gguf");

  CHECK(file.version == 3);
  CHECK(file.metadata.size() == 17);
  CHECK(file.find("u8")->as_unsigned() == 200u);
  CHECK(file.find("i8")->as_signed() == -100);
  CHECK_FALSE(file.find("i8")->as_unsigned());
  CHECK(file.find("u16")->as_unsigned() == 60000u);
  CHECK(file.find("i16")->as_signed() == -30000);
  CHECK(file.find("u32")->as_unsigned() == 4000000000u);
  CHECK(file.find("i32")->as_signed() == -2000000000);
  CHECK(file.find("f32")->as_float() == 1.5);
  CHECK(file.find("bool")->as_bool() == true);
  CHECK(file.find("string")->as_string() == "hé\nllo");
  CHECK(file.find("u64")->as_unsigned() == UINT64_MAX);
  CHECK_FALSE(file.find("u64")->as_signed());
  CHECK(file.find("i64")->as_signed() == INT64_MIN);
  CHECK(file.find("f64")->as_float() == -2.25);
  CHECK(file.find("string")->as_unsigned() == std::nullopt);
  CHECK(file.find("array_u16")->integers() == std::vector<int64_t>{1, 2, 65535});
  CHECK(file.find("array_f64")->count == 2);
  CHECK(file.find("array_f64")->element_type == gguf::ValueType::f64);
  CHECK(file.find("array_bool")->count == 2);
  CHECK(file.find("empty_array")->integers().empty());
  CHECK(file.find("array_string")->strings() == std::vector<std::string_view>{"a", "", "ccc"});
  CHECK(file.find("missing") == nullptr);
  CHECK(file.tensors.empty());
}

TEST_CASE("GGUF v2 and v3 read alike; other versions are refused", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  for (uint32_t version : {2u, 3u}) {
    GgufBuilder b = gpt2_like(kF32, f32_bytes(values));
    b.version = version;
    const Embeddings e = load(write_gguf(fmt::format("v{}.gguf", version), b));
    CHECK(e.source().number("gguf_version") == version);
    require_same_bits(e, values);
  }
  for (uint32_t version : {0u, 1u, 4u}) {
    GgufBuilder b = gpt2_like(kF32, f32_bytes(values));
    b.version = version;
    require_refused(fmt::format("version{}.gguf", version), b.build(),
                    fmt::format("GGUF version {}: embtool reads GGUF versions 2 and 3", version));
  }
  GgufBuilder big_endian = gpt2_like(kF32, f32_bytes(values));
  big_endian.version = 0x03000000;
  require_refused("big-endian.gguf", big_endian.build(), "big-endian");
}

TEST_CASE("a GGUF F32 embedding opens with its tokens, facts and rows", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  const auto path = write_gguf("f32.gguf", gpt2_like(kF32, f32_bytes(values)));
  const Embeddings e = load(path);
  CHECK(e.source().format == "gguf");
  CHECK(e.rows() == 4);
  CHECK(e.dim() == 3);
  CHECK(e.dtype() == Dtype::f32);
  require_same_bits(e, values);
  for (uint32_t r = 0; r < kKeys.size(); ++r) CHECK(e.vocabulary().word(r) == kKeys[r]);
  REQUIRE(e.tokens() != nullptr);
  CHECK(e.tokens()->spelling() == TokenSpelling::byte_level);
  CHECK(e.tokens()->tokenizer() == "gpt2");
  CHECK(e.tokens()->kind(3) == TokenKind::control);
  CHECK(e.tokens()->kind(0) == TokenKind::normal);
  CHECK(e.tokens()->find_text(" king") == 0u);
  CHECK(e.tokens()->find_text("king") == 2u);
  CHECK(e.source().number("alignment") == 32);
  CHECK(fact_text(e, "architecture") == "gpt2");
  CHECK(fact_text(e, "model_name") == "tiny");
  CHECK(e.source().number("context_length") == 1024);
  CHECK(fact_text(e, "tokenizer_pre") == "gpt-2");
  CHECK(e.source().number("merges") == 2);
  CHECK(fact_text(e, "tensor") == "token_embd.weight");
  CHECK(fact_text(e, "tensor_dtype") == "F32");
  CHECK(e.source().fact("decoded_to") == nullptr);
  CHECK(fact_text(e, "tied_embeddings") == "tied: no output tensor");
  CHECK(fact_text(e, "tokenizer") == "gpt2");
  CHECK(e.source().number("tokens") == 4);
  REQUIRE(e.source().tensors.size() == 1);
  CHECK(e.source().tensors[0].name == "token_embd.weight");
  CHECK(e.source().tensors[0].dtype == "F32");
  CHECK(e.source().tensors[0].shape == std::vector<uint64_t>{3, 4});
  CHECK(e.source().tensors[0].bytes == 48);
}

TEST_CASE("GGUF F16 and BF16 rows are used as they are, their values exact", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);  // binary fractions: exact in both
  const Embeddings f16 = load(write_gguf("f16.gguf", gpt2_like(kF16, half_bytes(values))));
  CHECK(f16.dtype() == Dtype::f16);
  CHECK(fact_text(f16, "tensor_dtype") == "F16");
  require_same_bits(f16, values);
  const Embeddings bf16 = load(write_gguf("bf16.gguf", gpt2_like(kBF16, bf16_bytes(values))));
  CHECK(bf16.dtype() == Dtype::bf16);
  CHECK(fact_text(bf16, "tensor_dtype") == "BF16");
  require_same_bits(bf16, values);
}

TEST_CASE("GGUF rows at an address their type cannot be loaded from are copied", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  // Alignment 1: the data section starts where the tensor infos end, moved by a padding key.
  for (size_t pad = 1; pad <= 3; ++pad) {
    GgufBuilder b = gpt2_like(kF32, f32_bytes(values));
    b.alignment = 1;
    b.u32("general.alignment", 1).text("pad", std::string(pad, 'x'));
    const std::string bytes = b.build();
    const gguf::File file =
        gguf::parse(std::as_bytes(std::span(bytes.data(), bytes.size())), "odd.gguf");
    if (file.data_offset % 4 == 0) continue;
    const Embeddings e = load(write_file("odd.gguf", bytes));
    CHECK(e.source().number("alignment") == 1);
    require_same_bits(e, values);
    return;
  }
  FAIL("no padding put the data section at an odd place");
}

TEST_CASE("GGUF quantized rows are decoded to float32 once, at open", "[gguf]") {
  // Two Q8_0 blocks a row: d = 0.5 then d = -2, quants -16 .. 15.
  std::string data;
  std::vector<float> expected;
  for (size_t row = 0; row < 4; ++row) {
    for (float d : {0.5f, -2.0f}) {
      data += bytes_of(kernels::scalar::float_to_half(d));
      for (int j = 0; j < 32; ++j) {
        const auto q = static_cast<int8_t>(j - 16 + static_cast<int>(row));
        data += static_cast<char>(q);
        expected.push_back(static_cast<float>(q) * d);
      }
    }
  }
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  LoadOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress.emplace_back(done, total); };
  const auto path = write_gguf("q8_0.gguf", gpt2_like(kQ8_0, data, 64, 4));
  const Embeddings e = load(path, options);
  CHECK(e.dtype() == Dtype::f32);
  CHECK(e.dim() == 64);
  CHECK(fact_text(e, "tensor_dtype") == "Q8_0");
  CHECK(fact_text(e, "decoded_to") == "f32");
  require_same_bits(e, expected);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().second == std::filesystem::file_size(path));
  CHECK(progress.back().first <= progress.back().second);

  // A NaN scale decodes to NaN values: refused, or kept and counted when allowed.
  std::string nan_data = data;
  const uint16_t nan_half = 0x7E00;
  std::memcpy(nan_data.data() + 34, &nan_half, 2);
  require_refused("q8_0-nan.gguf", gpt2_like(kQ8_0, nan_data, 64, 4).build(),
                  "token id 0 has the value nan at dimension 33");
  LoadOptions allow;
  allow.allow_nonfinite = true;
  const Embeddings kept =
      load(write_gguf("q8_0-nan-allowed.gguf", gpt2_like(kQ8_0, nan_data, 64, 4)), allow);
  CHECK(kept.nonfinite_values() == 32);
  CHECK(warned(kept, "32 NaN/Inf values kept"));
}

TEST_CASE("GGUF F16 rows with NaN or infinity are refused unless allowed", "[gguf]") {
  std::vector<float> values = small_matrix(4, 3);
  values[7] = INFINITY;
  const std::string bytes = gpt2_like(kF16, half_bytes(values)).build();
  require_refused("f16-inf.gguf", bytes, "token id 2 has the value inf at dimension 2");
  LoadOptions allow;
  allow.allow_nonfinite = true;
  CHECK(load(write_file("f16-inf-allowed.gguf", bytes), allow).nonfinite_values() == 1);
}

TEST_CASE("GGUF types embtool does not decode are refused by name", "[gguf]") {
  const std::string block(66, '\0');  // one IQ2_XXS block of 256 values
  require_refused("iq2.gguf", gpt2_like(kIQ2_XXS, block + block + block + block, 256, 4).build(),
                  "tensor 'token_embd.weight' is of type IQ2_XXS, which embtool does not read (it "
                  "reads F32, F16, "
                  "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, BF16)");
}

TEST_CASE("GGUF tokens: types, spellings, and rows without tokens", "[gguf]") {
  const std::vector<float> values = small_matrix(6, 3);
  for (const auto& [model, spelling] :
       std::vector<std::pair<std::string, TokenSpelling>>{{"gpt2", TokenSpelling::byte_level},
                                                          {"llama", TokenSpelling::sentencepiece},
                                                          {"bert", TokenSpelling::wordpiece},
                                                          {"t5", TokenSpelling::raw}}) {
    GgufBuilder b;
    b.tokens({"▁king", "##ing", "<0x0A>"}, model).i32s("tokenizer.ggml.token_type", {1, 4, 6});
    b.tensor({"token_embd.weight", {3, 6}, kF32, f32_bytes(values), {}});
    const Embeddings e = load(write_gguf(fmt::format("spelling-{}.gguf", model), b));
    INFO(model);
    REQUIRE(e.tokens() != nullptr);
    CHECK(e.tokens()->spelling() == spelling);
    CHECK(e.tokens()->kind(1) == TokenKind::user_defined);
    CHECK(e.tokens()->kind(2) == TokenKind::byte);
    // Rows past the tokens: there, named by number and unused.
    CHECK(e.rows() == 6);
    CHECK(e.vocabulary().word(4) == "<row 4>");
    CHECK(e.tokens()->kind(5) == TokenKind::unused);
    CHECK(e.source().number("rows_past_tokens") == 3);
  }
  GgufBuilder no_types;
  no_types.tokens({"a", "b", "c", "d"});
  no_types.tensor({"token_embd.weight", {3, 4}, kF32, f32_bytes(small_matrix(4, 3)), {}});
  const Embeddings normal = load(write_gguf("no-token-types.gguf", no_types));
  CHECK(normal.tokens()->kind(3) == TokenKind::normal);

  GgufBuilder no_tokens;
  no_tokens.tensor({"token_embd.weight", {3, 4}, kF32, f32_bytes(small_matrix(4, 3)), {}});
  const Embeddings numbered = load(write_gguf("no-tokens.gguf", no_tokens));
  CHECK(numbered.vocabulary().word(0) == "0");
  CHECK(numbered.vocabulary().word(3) == "3");

  GgufBuilder fewer_rows;
  fewer_rows.tokens({"a", "b", "c", "d", "e"});
  fewer_rows.tensor({"token_embd.weight", {3, 4}, kF32, f32_bytes(small_matrix(4, 3)), {}});
  require_refused("fewer-rows.gguf", fewer_rows.build(),
                  "tensor 'token_embd.weight' has 4 rows but the tokenizer");
  require_refused("fewer-rows.gguf", fewer_rows.build(), "has 5 tokens");

  GgufBuilder bad_types;
  bad_types.tokens({"a", "b"}).i32s("tokenizer.ggml.token_type", {1});
  require_refused("token-type-count.gguf", bad_types.build(),
                  "tokenizer.ggml.token_type has 1 entries for the 2 tokens");
  GgufBuilder unknown_type;
  unknown_type.tokens({"a", "b"}).i32s("tokenizer.ggml.token_type", {1, 9});
  require_refused("token-type-9.gguf", unknown_type.build(), "token 1 has the token type 9");
  GgufBuilder not_strings;
  not_strings.i32s("tokenizer.ggml.tokens", {1, 2});
  require_refused("tokens-not-strings.gguf", not_strings.build(),
                  "tokenizer.ggml.tokens is not an array of strings");
}

TEST_CASE("a GGUF file with a vocabulary and no tensors opens with a matrix of dimension 0",
          "[gguf]") {
  GgufBuilder b;
  b.text("general.architecture", "llama")
      .u32("llama.context_length", 4096)
      .tokens({"<s>", "▁the", "<0x0A>"}, "llama");
  const Embeddings e = load(write_gguf("vocab-only.gguf", b));
  CHECK(e.rows() == 3);
  CHECK(e.dim() == 0);
  CHECK(e.vocabulary().word(1) == "▁the");
  CHECK(e.tokens()->spelling() == TokenSpelling::sentencepiece);
  CHECK(e.source().number("context_length") == 4096);
  CHECK(e.source().fact("tensor") == nullptr);
  CHECK(e.source().fact("tied_embeddings") == nullptr);
  LoadOptions limited;
  limited.limit = 2;
  CHECK(load(write_gguf("vocab-only-limited.gguf", b), limited).rows() == 2);

  require_refused("nothing.gguf", GgufBuilder{}.text("general.name", "x").build(),
                  "the file holds neither tensors nor a vocabulary");
}

TEST_CASE("a GGUF tensor is chosen by name; a missing one is named with some that exist",
          "[gguf]") {
  const std::vector<float> embedding = small_matrix(4, 3);
  std::vector<float> output = embedding;
  output[0] = 100;
  GgufBuilder b = gpt2_like(kF32, f32_bytes(embedding));
  b.tensor({"output.weight", {3, 4}, kF32, f32_bytes(output), {}});
  b.tensor({"output_norm.weight", {3}, kF32, f32_bytes({1, 2, 3}), {}});
  const auto path = write_gguf("two-embeddings.gguf", b);
  CHECK(fact_text(load(path), "tied_embeddings") == "not tied: output.weight differs");
  LoadOptions named;
  named.tensor = "output.weight";
  const Embeddings out = load(path, named);
  CHECK(fact_text(out, "tensor") == "output.weight");
  CHECK(out.row_values(0)[0] == 100);
  CHECK(out.source().tensors.size() == 3);
  CHECK(out.source().tensors[2].shape == std::vector<uint64_t>{3});

  named.tensor = "lm_head.weight";
  require_refused("two-embeddings.gguf", b.build(),
                  "no tensor 'lm_head.weight'; its tensors: token_embd.weight, output.weight, "
                  "output_norm.weight",
                  named, ErrorKind::not_found);
  named.tensor = "output_norm.weight";
  require_refused("two-embeddings.gguf", b.build(),
                  "tensor 'output_norm.weight' has 1 dimension [3]; an embedding matrix has 2",
                  named);

  GgufBuilder no_embedding;
  no_embedding.tokens(kKeys).tensor({"output.weight", {3, 4}, kF32, f32_bytes(embedding), {}});
  require_refused("no-token-embd.gguf", no_embedding.build(),
                  "no tensor 'token_embd.weight' (the token embedding)", {}, ErrorKind::not_found);
}

TEST_CASE("GGUF says whether the output embedding is tied to the input one", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  GgufBuilder same = gpt2_like(kF32, f32_bytes(values));
  same.tensor({"output.weight", {3, 4}, kF32, f32_bytes(values), 0});
  CHECK(fact_text(load(write_gguf("tied-same.gguf", same)), "tied_embeddings") ==
        "tied: the same tensor");
  GgufBuilder copy = gpt2_like(kF32, f32_bytes(values));
  copy.tensor({"output.weight", {3, 4}, kF32, f32_bytes(values), {}});
  CHECK(fact_text(load(write_gguf("tied-copy.gguf", copy)), "tied_embeddings") ==
        "equal to token_embd.weight");
  GgufBuilder other_type = gpt2_like(kF32, f32_bytes(values));
  other_type.tensor({"output.weight", {3, 4}, kF16, half_bytes(values), {}});
  CHECK(fact_text(load(write_gguf("tied-f16.gguf", other_type)), "tied_embeddings") ==
        "not tied: output.weight differs");
}

TEST_CASE("a GGUF limit reads the first rows", "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  LoadOptions options;
  options.limit = 2;
  const Embeddings e = load(write_gguf("limit.gguf", gpt2_like(kF32, f32_bytes(values))), options);
  CHECK(e.rows() == 2);
  CHECK(e.vocabulary().word(1) == "Ġqueen");
  require_same_bits(e, std::vector<float>(values.begin(), values.begin() + 6));
  // More tokens than the whole tensor has rows: refused, limit or not.
  GgufBuilder fewer_rows = gpt2_like(kF32, f32_bytes(small_matrix(3, 3)), 3, 3);
  require_refused("limit-fewer-rows.gguf", fewer_rows.build(), "has 3 rows but the tokenizer",
                  options);
}

TEST_CASE("GGUF is found by its magic number, its name and its extension, and never written",
          "[gguf][registry]") {
  const auto path =
      write_gguf("named-otherwise.bin", gpt2_like(kF32, f32_bytes(small_matrix(4, 3))));
  CHECK(load(path).source().format == "gguf");
  LoadOptions forced;
  forced.format = "word2vec-text";  // a magic number wins over the name given
  CHECK(load(path, forced).source().format == "gguf");
  CHECK(find_format("gguf") == &formats::gguf_format());
  CHECK(find_format_by_extension(".gguf") == &formats::gguf_format());
  CHECK_FALSE(formats::gguf_format().writable());
  forced.format = "gguf";
  CHECK(load(path, forced).source().format == "gguf");
  CHECK(run_cli({"-m", path.string(), "--format", "gguf", "info"}).code == 0);
  const auto convert = run_cli({"convert", path.string(), (scratch_dir() / "out.gguf").string()});
  CHECK(convert.code == 2);  // read only: no output is written as GGUF
  CHECK_FALSE(std::filesystem::exists(scratch_dir() / "out.gguf"));
  require_refused("not-gguf.gguf", "3 2\na 1 2\n",
                  "not a GGUF file: it starts with '3 2\\x0A', not 'GGUF'", forced);
  require_refused("compressed.gguf.gz",
                  gzip(gpt2_like(kF32, f32_bytes(small_matrix(4, 3))).build()),
                  "a compressed GGUF file cannot be mapped");
}

TEST_CASE("the command line reads a GGUF model", "[gguf][cli]") {
  const auto path = write_gguf("cli.gguf", gpt2_like(kF32, f32_bytes(small_matrix(4, 3)))).string();
  const auto info = run_cli({"-m", path, "info", "--json"});
  REQUIRE(info.code == 0);
  CHECK_THAT(info.out, Catch::Contains("\"format\":\"gguf\""));
  CHECK_THAT(info.out, Catch::Contains("\"tied_embeddings\":\"tied: no output tensor\""));
  const auto vector = run_cli({"-m", path, "vector", "Ġqueen", "--json"});
  REQUIRE(vector.code == 0);
  CHECK_THAT(vector.out, Catch::Contains("\"row\":1"));
  CHECK(run_cli({"-m", path, "neighbors", "Ġking", "--k", "2"}).code == 0);
}

TEST_CASE("damaged and hostile GGUF files are refused in one line that names the problem",
          "[gguf]") {
  const std::vector<float> values = small_matrix(4, 3);
  const std::string good = gpt2_like(kF32, f32_bytes(values)).build();
  require_refused("short.gguf", std::string("GGUF\x03\0\0\0", 8), "too short for a GGUF header");
  LoadOptions named_gguf;
  named_gguf.format = "gguf";
  require_refused("empty.gguf", "", "the file is empty", named_gguf);

  GgufBuilder counts = gpt2_like(kF32, f32_bytes(values));
  counts.tensor_count_override = uint64_t{1} << 40;
  require_refused("absurd-tensors.gguf", counts.build(),
                  "the header announces 1099511627776 tensors, more than the file can hold");
  counts = gpt2_like(kF32, f32_bytes(values));
  counts.kv_count_override = UINT64_MAX;
  require_refused("absurd-kv.gguf", counts.build(),
                  "18446744073709551615 metadata entries, more than the file can hold");
  counts = gpt2_like(kF32, f32_bytes(values));
  counts.kv_count_override = counts.kv_count + 3;
  require_refused("more-kv.gguf", counts.build(), "");

  GgufBuilder long_string;
  long_string.raw("general.name", STRING, bytes_of<uint64_t>(uint64_t{1} << 62) + "abc");
  require_refused("long-string.gguf", long_string.build(),
                  "the value of metadata 'general.name' at byte offset");
  require_refused("long-string.gguf", long_string.build(),
                  "is a string of 4611686018427387904 bytes, longer than the");
  GgufBuilder long_key;
  long_key.metadata = bytes_of<uint64_t>(1000) + "key";
  long_key.kv_count = 1;
  require_refused("long-key.gguf", padded(long_key.build()),
                  "the key of metadata entry 0 at byte offset 24 is a string of 1000 bytes");

  GgufBuilder unknown_value;
  unknown_value.raw("x", 13, "");
  require_refused("unknown-value-type.gguf", padded(unknown_value.build()),
                  "metadata 'x' has the unknown value type 13");
  GgufBuilder unknown_element;
  unknown_element.raw("x", ARRAY, bytes_of<uint32_t>(99) + bytes_of<uint64_t>(1));
  require_refused("unknown-element-type.gguf", unknown_element.build(),
                  "metadata 'x' is an array of the unknown value type 99");
  GgufBuilder nested;
  nested.raw("x", ARRAY, bytes_of<uint32_t>(ARRAY) + bytes_of<uint64_t>(1));
  require_refused("nested-array.gguf", nested.build(), "metadata 'x' is an array of arrays");
  GgufBuilder long_array;
  long_array.raw("x", ARRAY, bytes_of<uint32_t>(U32) + bytes_of<uint64_t>(uint64_t{1} << 61));
  require_refused("long-array.gguf", long_array.build(),
                  "metadata 'x' is an array of 2305843009213693952 uint32 values");
  GgufBuilder long_strings;
  long_strings.raw("x", ARRAY, bytes_of<uint32_t>(STRING) + bytes_of<uint64_t>(uint64_t{1} << 50));
  require_refused("long-string-array.gguf", long_strings.build(),
                  "an array of 1125899906842624 string values");
  GgufBuilder duplicate;
  duplicate.u32("a", 1).u32("a", 2);
  require_refused("duplicate-key.gguf", duplicate.build(), "metadata 'a' appears twice");
  GgufBuilder control_key;
  control_key.raw("a\nb", 13, "");
  require_refused("control-key.gguf", control_key.build(),
                  "metadata 'a\\x0Ab' has the unknown value type 13");

  GgufBuilder alignment = gpt2_like(kF32, f32_bytes(values));
  alignment.u32("general.alignment", 24);
  require_refused("alignment-24.gguf", alignment.build(),
                  "general.alignment is 24, not a power of 2");
  GgufBuilder alignment_type = gpt2_like(kF32, f32_bytes(values));
  alignment_type.raw("general.alignment", U64, bytes_of<uint64_t>(32));
  require_refused("alignment-u64.gguf", alignment_type.build(),
                  "general.alignment is of type uint64; GGUF requires uint32");

  auto with_tensor = [&](Tensor t) {
    return gpt2_like(kF32, f32_bytes(values)).tensor(std::move(t)).build();
  };
  require_refused("unknown-tensor-type.gguf", with_tensor({"t", {4}, 4, std::string(16, '\0'), {}}),
                  "tensor 't' has the unknown tensor type 4");
  require_refused("huge-tensor-type.gguf", with_tensor({"t", {4}, 1000, std::string(16, '\0'), {}}),
                  "tensor 't' has the unknown tensor type 1000");
  require_refused("past-end.gguf", with_tensor({"t", {4, 1000}, kF32, std::string(16, '\0'), {}}),
                  "tensor 't' (16000 bytes at byte offset 64 of the data section) ends past the "
                  "end of the file");
  require_refused("far-past-end.gguf", with_tensor({"t", {4}, kF32, "", uint64_t{1} << 62}),
                  "ends past the end of the file");
  require_refused("misaligned.gguf", with_tensor({"t", {4}, kF32, std::string(16, '\0'), 72}),
                  "tensor 't' starts at data offset 72, not a multiple of the alignment 32");
  require_refused("overlap.gguf", with_tensor({"t", {4, 2}, kF32, std::string(32, '\0'), 32}),
                  "tensors 'token_embd.weight' and 't' overlap (data bytes 0-48 and 32-64)");
  require_refused("ne-overflow.gguf",
                  with_tensor({"t", {uint64_t{1} << 32, uint64_t{1} << 32}, kF32, "", {}}),
                  "tensor 't' has the shape [4294967296, 4294967296], whose number of elements "
                  "overflows a signed 64-bit count");
  require_refused("ne-negative.gguf", with_tensor({"t", {UINT64_MAX, 1}, kF32, "", {}}),
                  "tensor 't' has a negative number of elements in dimension 0 (-1)");
  require_refused("bytes-overflow.gguf", with_tensor({"t", {uint64_t{1} << 62}, kF32, "", {}}),
                  "would take more than 2^63 bytes");
  require_refused("five-dims.gguf",
                  with_tensor({"t", {1, 1, 1, 1, 1}, kF32, std::string(4, '\0'), {}}),
                  "tensor 't' has 5 dimensions; GGUF tensors have at most 4");
  require_refused(
      "partial-block.gguf", with_tensor({"t", {100, 1}, kQ4_K, std::string(144, '\0'), {}}),
      "tensor 't' of type Q4_K has 100 values a row, not a multiple of its blocks of 256");
  require_refused("duplicate-tensor.gguf",
                  with_tensor({"token_embd.weight", {3}, kF32, std::string(12, '\0'), {}}),
                  "tensor 'token_embd.weight' appears twice");

  // Cut anywhere inside the header, the metadata and the tensor infos: refused, saying where.
  const size_t infos_end = good.size() - 64;  // the data section: 48 bytes of rows, padded
  for (size_t cut = 24; cut < infos_end; cut += 5) {
    INFO("cut at " << cut);
    const auto path = write_file("cut.gguf", good.substr(0, cut));
    try {
      load(path);
      FAIL("a cut file loaded");
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK(e.kind() == ErrorKind::bad_data);
      CHECK_THAT(message, Catch::Contains("cut.gguf"));
      const bool says_where = message.find("the file ends inside") != std::string::npos ||
                              message.find("bytes left in the file") != std::string::npos ||
                              message.find("more than the file can hold") != std::string::npos ||
                              message.find("past the end of the file") != std::string::npos;
      INFO(message);
      CHECK(says_where);
    }
  }
}

TEST_CASE("llama.cpp's vocabulary files open with their tokens and tokenizer", "[gguf][shared]") {
  const auto shared = shared_data_dir();
  if (!shared || !std::filesystem::exists(*shared / "llm" / "vocab")) {
    WARN("skipped: ../shared/data/llm/vocab is absent");
    return;
  }
  struct Expected {
    std::string name;
    size_t tokens;
    std::string tokenizer;
    TokenSpelling spelling;
  };
  for (const Expected& x :
       std::vector<Expected>{{"gpt-2", 50257, "gpt2", TokenSpelling::byte_level},
                             {"llama-bpe", 128256, "gpt2", TokenSpelling::byte_level},
                             {"qwen2", 151936, "gpt2", TokenSpelling::byte_level},
                             {"llama-spm", 32000, "llama", TokenSpelling::sentencepiece},
                             {"bert-bge", 30522, "bert", TokenSpelling::wordpiece}}) {
    INFO(x.name);
    const Embeddings e = load(*shared / "llm" / "vocab" / ("ggml-vocab-" + x.name + ".gguf"));
    CHECK(e.rows() == x.tokens);
    CHECK(e.dim() == 0);
    CHECK(fact_text(e, "tokenizer") == x.tokenizer);
    CHECK(e.tokens()->spelling() == x.spelling);
    CHECK(e.source().number("gguf_version") == 3);
    CHECK(fact_text(e, "model_name") == x.name);
  }
  const Embeddings gpt2 = load(*shared / "llm" / "vocab" / "ggml-vocab-gpt-2.gguf");
  CHECK(gpt2.tokens()->find_text(" king") == 5822u);
  CHECK(gpt2.vocabulary().word(50256) == "<|endoftext|>");
  CHECK(gpt2.tokens()->kind(50256) == TokenKind::control);
  CHECK(gpt2.source().number("merges") == 50000);
  CHECK(fact_text(gpt2, "tokenizer_pre") == "gpt-2");
  CHECK(gpt2.source().number("context_length") == 1024);
}
