// Each decoder below follows its counterpart in ggml/src/ggml-quants.c line for line: the
// block layouts of ggml-common.h, read at byte offsets (the blocks lie back to back, so their
// float16 fields are not aligned); the integers unpacked with the same types; every float
// product and sum in ggml's order. Changing an expression's shape (hoisting a product,
// reassociating) changes bits: compare with ggml's source before touching any of them. The
// pointers are __restrict, as ggml's are GGML_RESTRICT: no store to the output changes a block.
#include "kernels/ggml_blocks.hpp"

#include <bit>
#include <cstring>

#include "kernels/quantized.hpp"

namespace embtool::kernels::ggml {
namespace {

static_assert(std::endian::native == std::endian::little, "ggml blocks are little-endian");

constexpr int kQK = 32;    // QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0
constexpr int kQK_K = 256;  // the K types' super-block

// ggml-common.h's block sizes: sizeof(block_q8_0) and the rest.
constexpr size_t kQ8_0Bytes = 2 + kQK;
constexpr size_t kQ4_0Bytes = 2 + kQK / 2;
constexpr size_t kQ4_1Bytes = 2 + 2 + kQK / 2;
constexpr size_t kQ5_0Bytes = 2 + 4 + kQK / 2;
constexpr size_t kQ5_1Bytes = 2 + 2 + 4 + kQK / 2;
constexpr size_t kQ2_KBytes = kQK_K / 16 + kQK_K / 4 + 2 + 2;
constexpr size_t kQ3_KBytes = kQK_K / 8 + kQK_K / 4 + 12 + 2;
constexpr size_t kQ4_KBytes = 2 + 2 + 12 + kQK_K / 2;
constexpr size_t kQ5_KBytes = 2 + 2 + 12 + kQK_K / 8 + kQK_K / 2;
constexpr size_t kQ6_KBytes = kQK_K / 2 + kQK_K / 4 + kQK_K / 16 + 2;

// GGML_FP16_TO_FP32: exact (every float16 is a float32).
float fp16_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof(h));
  return half_to_float(h);
}

// block_q8_0 { ggml_half d; int8_t qs[32]; }
void dequantize_q8_0(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const auto* qs = reinterpret_cast<const int8_t*>(x + 2);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(qs[j]) * d;
}

// block_q4_0 { ggml_half d; uint8_t qs[16]; }
void dequantize_q4_0(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const uint8_t* qs = x + 2;
  for (int j = 0; j < kQK / 2; ++j) {
    const int x0 = (qs[j] & 0x0F) - 8;
    const int x1 = (qs[j] >> 4) - 8;
    y[j + 0] = static_cast<float>(x0) * d;
    y[j + kQK / 2] = static_cast<float>(x1) * d;
  }
}

// block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[16]; }
void dequantize_q4_1(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const float m = fp16_at(x + 2);
  const uint8_t* qs = x + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    const int x0 = (qs[j] & 0x0F);
    const int x1 = (qs[j] >> 4);
    y[j + 0] = static_cast<float>(x0) * d + m;
    y[j + kQK / 2] = static_cast<float>(x1) * d + m;
  }
}

// block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; }
void dequantize_q5_0(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  uint32_t qh;
  std::memcpy(&qh, x + 2, sizeof(qh));
  const uint8_t* qs = x + 6;
  for (int j = 0; j < kQK / 2; ++j) {
    const auto xh_0 = static_cast<uint8_t>(((qh >> (j + 0)) << 4) & 0x10);
    const auto xh_1 = static_cast<uint8_t>(((qh >> (j + 12))) & 0x10);
    const int32_t x0 = ((qs[j] & 0x0F) | xh_0) - 16;
    const int32_t x1 = ((qs[j] >> 4) | xh_1) - 16;
    y[j + 0] = static_cast<float>(x0) * d;
    y[j + kQK / 2] = static_cast<float>(x1) * d;
  }
}

// block_q5_1 { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16]; }
void dequantize_q5_1(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const float m = fp16_at(x + 2);
  uint32_t qh;
  std::memcpy(&qh, x + 4, sizeof(qh));
  const uint8_t* qs = x + 8;
  for (int j = 0; j < kQK / 2; ++j) {
    const auto xh_0 = static_cast<uint8_t>(((qh >> (j + 0)) << 4) & 0x10);
    const auto xh_1 = static_cast<uint8_t>(((qh >> (j + 12))) & 0x10);
    const int x0 = (qs[j] & 0x0F) | xh_0;
    const int x1 = (qs[j] >> 4) | xh_1;
    y[j + 0] = static_cast<float>(x0) * d + m;
    y[j + kQK / 2] = static_cast<float>(x1) * d + m;
  }
}

// block_q2_K { uint8_t scales[16]; uint8_t qs[64]; ggml_half d; ggml_half dmin; }
void dequantize_q2_K(const uint8_t* __restrict x, float* __restrict y) {
  const uint8_t* scales = x;
  const uint8_t* q = x + kQK_K / 16;
  const float d = fp16_at(x + kQK_K / 16 + kQK_K / 4);
  const float min = fp16_at(x + kQK_K / 16 + kQK_K / 4 + 2);
  int is = 0;
  float dl, ml;
  for (int n = 0; n < kQK_K; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      uint8_t sc = scales[is++];
      dl = d * static_cast<float>(sc & 0xF);
      ml = min * static_cast<float>(sc >> 4);
      for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>(static_cast<int8_t>((q[l] >> shift) & 3)) - ml;

      sc = scales[is++];
      dl = d * static_cast<float>(sc & 0xF);
      ml = min * static_cast<float>(sc >> 4);
      for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>(static_cast<int8_t>((q[l + 16] >> shift) & 3)) - ml;

      shift += 2;
    }
    q += 32;
  }
}

// block_q3_K { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; ggml_half d; }
void dequantize_q3_K(const uint8_t* __restrict x, float* __restrict y) {
  constexpr uint32_t kmask1 = 0x03030303;
  constexpr uint32_t kmask2 = 0x0f0f0f0f;
  const uint8_t* hm = x;
  const uint8_t* q = x + kQK_K / 8;
  const uint8_t* packed_scales = x + kQK_K / 8 + kQK_K / 4;
  const float d_all = fp16_at(packed_scales + 12);

  // The 16 6-bit scales, unpacked as ggml does it: four uint32 words, then read as int8.
  uint32_t aux[4];
  std::memcpy(aux, packed_scales, 12);
  const uint32_t tmp = aux[2];
  aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
  aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
  aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
  aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
  int8_t scales[16];
  std::memcpy(scales, aux, sizeof(scales));

  uint8_t m = 1;
  int is = 0;
  float dl;
  for (int n = 0; n < kQK_K; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      dl = d_all * static_cast<float>(scales[is++] - 32);
      for (int l = 0; l < 16; ++l) {
        *y++ = dl * static_cast<float>(static_cast<int8_t>((q[l + 0] >> shift) & 3) - ((hm[l + 0] & m) ? 0 : 4));
      }
      dl = d_all * static_cast<float>(scales[is++] - 32);
      for (int l = 0; l < 16; ++l) {
        *y++ = dl * static_cast<float>(static_cast<int8_t>((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
      }
      shift += 2;
      m = static_cast<uint8_t>(m << 1);
    }
    q += 32;
  }
}

// get_scale_min_k4: the j-th 6-bit scale and min of a Q4_K / Q5_K block's 12 scale bytes.
void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
  }
}

// block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; }
void dequantize_q4_K(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const float min = fp16_at(x + 2);
  const uint8_t* scales = x + 4;
  const uint8_t* q = x + 16;
  int is = 0;
  uint8_t sc, m;
  for (int j = 0; j < kQK_K; j += 64) {
    scale_min_k4(is + 0, scales, &sc, &m);
    const float d1 = d * static_cast<float>(sc);
    const float m1 = min * static_cast<float>(m);
    scale_min_k4(is + 1, scales, &sc, &m);
    const float d2 = d * static_cast<float>(sc);
    const float m2 = min * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    q += 32;
    is += 2;
  }
}

// block_q5_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; }
void dequantize_q5_K(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  const float min = fp16_at(x + 2);
  const uint8_t* scales = x + 4;
  const uint8_t* qh = x + 16;
  const uint8_t* ql = x + 16 + kQK_K / 8;
  int is = 0;
  uint8_t sc, m;
  uint8_t u1 = 1, u2 = 2;
  for (int j = 0; j < kQK_K; j += 64) {
    scale_min_k4(is + 0, scales, &sc, &m);
    const float d1 = d * static_cast<float>(sc);
    const float m1 = min * static_cast<float>(m);
    scale_min_k4(is + 1, scales, &sc, &m);
    const float d2 = d * static_cast<float>(sc);
    const float m2 = min * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    ql += 32;
    is += 2;
    u1 = static_cast<uint8_t>(u1 << 2);
    u2 = static_cast<uint8_t>(u2 << 2);
  }
}

// block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }
void dequantize_q6_K(const uint8_t* __restrict x, float* __restrict y) {
  const uint8_t* ql = x;
  const uint8_t* qh = x + kQK_K / 2;
  const auto* sc = reinterpret_cast<const int8_t*>(x + kQK_K / 2 + kQK_K / 4);
  const float d = fp16_at(x + kQK_K / 2 + kQK_K / 4 + kQK_K / 16);
  for (int n = 0; n < kQK_K; n += 128) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const auto q1 = static_cast<int8_t>(static_cast<int8_t>((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
      const auto q2 = static_cast<int8_t>(static_cast<int8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
      const auto q3 = static_cast<int8_t>(static_cast<int8_t>((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
      const auto q4 = static_cast<int8_t>(static_cast<int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
      y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
      y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
      y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
      y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

using BlockDecoder = void (*)(const uint8_t* __restrict block, float* __restrict out);

struct BlockFormat {
  std::string_view name;
  BlockLayout layout;
  BlockDecoder decode;
};

const BlockFormat& format_of(BlockType type) {
  static const BlockFormat kFormats[] = {
      {"Q8_0", {kQK, kQ8_0Bytes}, dequantize_q8_0},
      {"Q4_0", {kQK, kQ4_0Bytes}, dequantize_q4_0},
      {"Q4_1", {kQK, kQ4_1Bytes}, dequantize_q4_1},
      {"Q5_0", {kQK, kQ5_0Bytes}, dequantize_q5_0},
      {"Q5_1", {kQK, kQ5_1Bytes}, dequantize_q5_1},
      {"Q2_K", {kQK_K, kQ2_KBytes}, dequantize_q2_K},
      {"Q3_K", {kQK_K, kQ3_KBytes}, dequantize_q3_K},
      {"Q4_K", {kQK_K, kQ4_KBytes}, dequantize_q4_K},
      {"Q5_K", {kQK_K, kQ5_KBytes}, dequantize_q5_K},
      {"Q6_K", {kQK_K, kQ6_KBytes}, dequantize_q6_K},
  };
  return kFormats[static_cast<size_t>(type)];
}

}  // namespace

BlockLayout block_layout(BlockType type) { return format_of(type).layout; }

std::string_view block_type_name(BlockType type) { return format_of(type).name; }

void dequantize(BlockType type, const std::byte* in, size_t blocks, float* out) {
  const BlockFormat& format = format_of(type);
  const auto* block = reinterpret_cast<const uint8_t*>(in);
  for (size_t b = 0; b < blocks; ++b) {
    format.decode(block, out);
    block += format.layout.bytes;
    out += format.layout.values;
  }
}

}  // namespace embtool::kernels::ggml
