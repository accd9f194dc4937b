// ggml's quantized blocks: each value where ggml-common.h's layout puts it. Random quants and
// scales with power-of-two super-block scales, so that every product here is exact and only
// the unpacking is tested; bit-identity with ggml's own rounding is tested against ggml itself
// (tests/peer/gguf_peer_test.py).
#include "kernels/ggml_blocks.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "kernels/quantized.hpp"

using namespace embtool;
using kernels::ggml::BlockType;

namespace {

using Block = std::vector<uint8_t>;

void put_half(Block& block, size_t at, float value) {
  const uint16_t half = kernels::scalar::float_to_half(value);
  std::memcpy(block.data() + at, &half, 2);
}

Block random_block(BlockType type, uint32_t seed) {
  Block block(kernels::ggml::block_layout(type).bytes);
  std::mt19937 rng(seed);
  for (uint8_t& b : block) b = static_cast<uint8_t>(rng() & 0xFF);
  return block;
}

std::vector<float> decoded(BlockType type, const Block& block) {
  std::vector<float> out(kernels::ggml::block_layout(type).values);
  kernels::ggml::dequantize(type, reinterpret_cast<const std::byte*>(block.data()), 1, out.data());
  return out;
}

void require_values(BlockType type, const Block& block,
                    const std::function<float(size_t)>& expected) {
  const std::vector<float> got = decoded(type, block);
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(kernels::ggml::block_type_name(type) << " value " << i);
    REQUIRE(got[i] == expected(i));
  }
}

float f(int value) {
  return static_cast<float>(value);
}

}  // namespace

TEST_CASE("ggml block sizes are ggml-common.h's", "[ggml]") {
  CHECK(kernels::ggml::block_layout(BlockType::q8_0).bytes == 34);
  CHECK(kernels::ggml::block_layout(BlockType::q4_0).bytes == 18);
  CHECK(kernels::ggml::block_layout(BlockType::q4_1).bytes == 20);
  CHECK(kernels::ggml::block_layout(BlockType::q5_0).bytes == 22);
  CHECK(kernels::ggml::block_layout(BlockType::q5_1).bytes == 24);
  CHECK(kernels::ggml::block_layout(BlockType::q2_K).bytes == 84);
  CHECK(kernels::ggml::block_layout(BlockType::q3_K).bytes == 110);
  CHECK(kernels::ggml::block_layout(BlockType::q4_K).bytes == 144);
  CHECK(kernels::ggml::block_layout(BlockType::q5_K).bytes == 176);
  CHECK(kernels::ggml::block_layout(BlockType::q6_K).bytes == 210);
  CHECK(kernels::ggml::block_layout(BlockType::q4_0).values == 32);
  CHECK(kernels::ggml::block_layout(BlockType::q6_K).values == 256);
  CHECK(kernels::ggml::block_type_name(BlockType::q5_K) == "Q5_K");
}

TEST_CASE("ggml's 32-value blocks decode as d * q (+ m)", "[ggml]") {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Block q8 = random_block(BlockType::q8_0, seed);
    put_half(q8, 0, -0.5f);
    require_values(BlockType::q8_0, q8,
                   [&](size_t i) { return f(static_cast<int8_t>(q8[2 + i])) * -0.5f; });

    Block q4 = random_block(BlockType::q4_0, seed);
    put_half(q4, 0, 0.25f);
    require_values(BlockType::q4_0, q4, [&](size_t i) {
      const uint8_t byte = q4[2 + i % 16];
      return f((i < 16 ? byte & 0xF : byte >> 4) - 8) * 0.25f;
    });

    Block q41 = random_block(BlockType::q4_1, seed);
    put_half(q41, 0, 2.0f);
    put_half(q41, 2, -3.0f);
    require_values(BlockType::q4_1, q41, [&](size_t i) {
      const uint8_t byte = q41[4 + i % 16];
      return f(i < 16 ? byte & 0xF : byte >> 4) * 2.0f + -3.0f;
    });

    // Q5: the fifth bit of value i is bit i of the 32-bit qh.
    Block q5 = random_block(BlockType::q5_0, seed);
    put_half(q5, 0, 0.125f);
    uint32_t qh;
    std::memcpy(&qh, q5.data() + 2, 4);
    require_values(BlockType::q5_0, q5, [&](size_t i) {
      const uint8_t byte = q5[6 + i % 16];
      const int low = i < 16 ? byte & 0xF : byte >> 4;
      return f((low | static_cast<int>(((qh >> i) & 1) << 4)) - 16) * 0.125f;
    });

    Block q51 = random_block(BlockType::q5_1, seed);
    put_half(q51, 0, 4.0f);
    put_half(q51, 2, 1.0f);
    std::memcpy(&qh, q51.data() + 4, 4);
    require_values(BlockType::q5_1, q51, [&](size_t i) {
      const uint8_t byte = q51[8 + i % 16];
      const int low = i < 16 ? byte & 0xF : byte >> 4;
      return f(low | static_cast<int>(((qh >> i) & 1) << 4)) * 4.0f + 1.0f;
    });
  }
}

TEST_CASE("ggml's Q2_K and Q3_K blocks put 2-bit quants in 16 groups of 16", "[ggml]") {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    // Q2_K: scales[16] (scale low nibble, min high nibble), qs[64], d, dmin.
    Block q2 = random_block(BlockType::q2_K, seed);
    put_half(q2, 80, 0.5f);
    put_half(q2, 82, 0.25f);
    require_values(BlockType::q2_K, q2, [&](size_t i) {
      const size_t n = i / 128, j = (i % 128) / 32, h = (i % 32) / 16, l = i % 16;
      const uint8_t sc = q2[n * 8 + j * 2 + h];
      const int q = (q2[16 + n * 32 + h * 16 + l] >> (2 * j)) & 3;
      return 0.5f * f(sc & 0xF) * f(q) - 0.25f * f(sc >> 4);
    });

    // Q3_K: hmask[32], qs[64], 12 bytes of 6-bit scales, d.
    Block q3 = random_block(BlockType::q3_K, seed);
    put_half(q3, 108, -0.5f);
    const uint8_t* s = q3.data() + 96;
    require_values(BlockType::q3_K, q3, [&](size_t i) {
      const size_t n = i / 128, j = (i % 128) / 32, h = (i % 32) / 16, l = i % 16;
      const size_t k = n * 8 + j * 2 + h;
      const int low = k < 8 ? s[k] & 0xF : s[k - 8] >> 4;
      const int high = (s[8 + k % 4] >> (2 * (k / 4))) & 3;
      const int q = (q3[32 + n * 32 + h * 16 + l] >> (2 * j)) & 3;
      const bool high_bit = (q3[h * 16 + l] >> (n * 4 + j)) & 1;
      return -0.5f * f((low | (high << 4)) - 32) * f(q - (high_bit ? 0 : 4));
    });
  }
}

namespace {

// get_scale_min_k4 spelled out: sub-block k's 6-bit scale and min in the 12 scale bytes.
std::pair<int, int> scale_and_min(const uint8_t* s, size_t k) {
  if (k < 4) return {s[k] & 63, s[k + 4] & 63};
  return {(s[k + 4] & 0xF) | ((s[k - 4] >> 6) << 4), (s[k + 4] >> 4) | ((s[k] >> 6) << 4)};
}

}  // namespace

TEST_CASE("ggml's Q4_K, Q5_K and Q6_K blocks put each value where ggml does", "[ggml]") {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    // Q4_K: d, dmin, scales[12], qs[128]; 64 values per 32 bytes of qs, low nibbles first.
    Block q4 = random_block(BlockType::q4_K, seed);
    put_half(q4, 0, 0.25f);
    put_half(q4, 2, 2.0f);
    require_values(BlockType::q4_K, q4, [&](size_t i) {
      const size_t c = i / 64, r = i % 64;
      const auto [sc, m] = scale_and_min(q4.data() + 4, 2 * c + (r >= 32));
      const uint8_t byte = q4[16 + c * 32 + r % 32];
      return 0.25f * f(sc) * f(r < 32 ? byte & 0xF : byte >> 4) - 2.0f * f(m);
    });

    // Q5_K: d, dmin, scales[12], qh[32], qs[128]; the fifth bit of sub-block k is bit k of qh.
    Block q5 = random_block(BlockType::q5_K, seed);
    put_half(q5, 0, 0.5f);
    put_half(q5, 2, 0.125f);
    require_values(BlockType::q5_K, q5, [&](size_t i) {
      const size_t c = i / 64, r = i % 64, k = 2 * c + (r >= 32);
      const auto [sc, m] = scale_and_min(q5.data() + 4, k);
      const uint8_t byte = q5[48 + c * 32 + r % 32];
      const int high = (q5[16 + r % 32] >> k) & 1;
      return 0.5f * f(sc) * f((r < 32 ? byte & 0xF : byte >> 4) + 16 * high) - 0.125f * f(m);
    });

    // Q6_K: ql[128], qh[64], int8 scales[16], d.
    Block q6 = random_block(BlockType::q6_K, seed);
    put_half(q6, 208, -0.25f);
    require_values(BlockType::q6_K, q6, [&](size_t i) {
      const size_t n = i / 128, quarter = (i % 128) / 32, l = i % 32;
      const uint8_t ql = q6[n * 64 + (quarter % 2) * 32 + l];
      const int low = quarter < 2 ? ql & 0xF : ql >> 4;
      const int high = (q6[128 + n * 32 + l] >> (2 * quarter)) & 3;
      const auto scale = static_cast<int8_t>(q6[192 + n * 8 + l / 16 + 2 * quarter]);
      return -0.25f * f(scale) * f((low | (high << 4)) - 32);
    });
  }
}

TEST_CASE("ggml blocks decode back to back, and at any alignment", "[ggml]") {
  for (BlockType type : {BlockType::q8_0, BlockType::q4_K, BlockType::q6_K}) {
    const Block a = random_block(type, 11), b = random_block(type, 12);
    std::vector<uint8_t> both(1);  // one byte first: the blocks start at an odd address
    both.insert(both.end(), a.begin(), a.end());
    both.insert(both.end(), b.begin(), b.end());
    Block a_fixed = a, b_fixed = b;
    std::vector<float> together(2 * kernels::ggml::block_layout(type).values);
    kernels::ggml::dequantize(type, reinterpret_cast<const std::byte*>(both.data() + 1), 2,
                              together.data());
    std::vector<float> separate = decoded(type, a_fixed);
    const std::vector<float> second = decoded(type, b_fixed);
    separate.insert(separate.end(), second.begin(), second.end());
    // NaN scales (random bytes) compare unequal to themselves: compare bits.
    REQUIRE(std::memcmp(together.data(), separate.data(), together.size() * sizeof(float)) == 0);
  }
}
