// Each decoder below follows its counterpart in ggml/src/ggml-quants.c: the block layouts of
// ggml-common.h, read at byte offsets (the blocks lie back to back, so their float16 fields are
// not aligned); the integers unpacked to the same values; every value's float products and sums
// with ggml's operands in ggml's order. Where ggml's loops would keep the compiler from
// vectorizing (a shift that changes from step to step), the integer unpacking is written with
// constant shifts instead: integers are exact, so no bit changes. A float expression's shape
// (reassociating, fusing, a product moved) does change bits: compare with ggml's source first. The
// pointers are __restrict, as ggml's are GGML_RESTRICT: no store to the output changes a block.
#include "kernels/ggml_blocks.hpp"

#include <bit>
#include <cstring>

#include "kernels/quantized.hpp"

namespace embtool::kernels::ggml {
namespace {

static_assert(std::endian::native == std::endian::little, "ggml blocks are little-endian");

constexpr int kQK = 32;     // QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0
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

// The fifth bits of a Q5 block's 32 values, each already at bit 4 (ggml's xh_0 and xh_1: value j
// takes bit j of qh), spread out first so that the loop over the values has no variable shift.
void q5_high_bits(uint32_t qh, uint8_t* __restrict out) {
  for (int j = 0; j < kQK; ++j) out[j] = static_cast<uint8_t>(((qh >> j) << 4) & 0x10);
}

// block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; }
void dequantize_q5_0(const uint8_t* __restrict x, float* __restrict y) {
  const float d = fp16_at(x);
  uint32_t qh;
  std::memcpy(&qh, x + 2, sizeof(qh));
  uint8_t high[kQK];
  q5_high_bits(qh, high);
  const uint8_t* qs = x + 6;
  for (int j = 0; j < kQK / 2; ++j) {
    const int32_t x0 = ((qs[j] & 0x0F) | high[j]) - 16;
    const int32_t x1 = ((qs[j] >> 4) | high[j + 16]) - 16;
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
  uint8_t high[kQK];
  q5_high_bits(qh, high);
  const uint8_t* qs = x + 8;
  for (int j = 0; j < kQK / 2; ++j) {
    const int x0 = (qs[j] & 0x0F) | high[j];
    const int x1 = (qs[j] >> 4) | high[j + 16];
    y[j + 0] = static_cast<float>(x0) * d + m;
    y[j + kQK / 2] = static_cast<float>(x1) * d + m;
  }
}

// 16 values of a Q2_K group: ggml's `dl * ((int8_t)((q[l] >> shift) & 3)) - ml`, the shift a
// constant so that the loop vectorizes.
template <int kShift>
void q2_K_group(const uint8_t* __restrict q, float dl, float ml, float* __restrict y) {
  for (int l = 0; l < 16; ++l)
    y[l] = dl * static_cast<float>(static_cast<int8_t>((q[l] >> kShift) & 3)) - ml;
}

// One of ggml's `for j` steps: the two groups of 16 that take the quants' bits at `kShift`.
template <int kShift>
void q2_K_step(const uint8_t* __restrict scales, const uint8_t* __restrict q, float d, float min,
               float* __restrict y) {
  uint8_t sc = scales[0];
  float dl = d * static_cast<float>(sc & 0xF);
  float ml = min * static_cast<float>(sc >> 4);
  q2_K_group<kShift>(q, dl, ml, y);
  sc = scales[1];
  dl = d * static_cast<float>(sc & 0xF);
  ml = min * static_cast<float>(sc >> 4);
  q2_K_group<kShift>(q + 16, dl, ml, y + 16);
}

// block_q2_K { uint8_t scales[16]; uint8_t qs[64]; ggml_half d; ggml_half dmin; }
void dequantize_q2_K(const uint8_t* __restrict x, float* __restrict y) {
  const uint8_t* scales = x;
  const uint8_t* q = x + kQK_K / 16;
  const float d = fp16_at(x + kQK_K / 16 + kQK_K / 4);
  const float min = fp16_at(x + kQK_K / 16 + kQK_K / 4 + 2);
  for (int n = 0; n < kQK_K; n += 128) {
    q2_K_step<0>(scales + 0, q, d, min, y + 0);
    q2_K_step<2>(scales + 2, q, d, min, y + 32);
    q2_K_step<4>(scales + 4, q, d, min, y + 64);
    q2_K_step<6>(scales + 6, q, d, min, y + 96);
    scales += 8;
    q += 32;
    y += 128;
  }
}

// 16 values of a Q3_K group: ggml's `dl * ((int8_t)((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4))`,
// the shift a constant so that the loop vectorizes.
template <int kShift>
void q3_K_group(const uint8_t* __restrict q, const uint8_t* __restrict hm, uint8_t m, float dl,
                float* __restrict y) {
  for (int l = 0; l < 16; ++l) {
    y[l] =
        dl * static_cast<float>(static_cast<int8_t>((q[l] >> kShift) & 3) - ((hm[l] & m) ? 0 : 4));
  }
}

// One of ggml's `for j` steps: two groups of 16, their scales scales[0] and scales[1].
template <int kShift>
void q3_K_step(const int8_t* __restrict scales, const uint8_t* __restrict q,
               const uint8_t* __restrict hm, uint8_t m, float d_all, float* __restrict y) {
  q3_K_group<kShift>(q, hm, m, d_all * static_cast<float>(scales[0] - 32), y);
  q3_K_group<kShift>(q + 16, hm + 16, m, d_all * static_cast<float>(scales[1] - 32), y + 16);
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

  // ggml's hmask bit m walks 1, 2, ..., 128 over the eight steps.
  for (int n = 0; n < 2; ++n) {
    const int8_t* sc = scales + 8 * n;
    const auto m = static_cast<uint8_t>(1u << (4 * n));
    q3_K_step<0>(sc + 0, q, hm, m, d_all, y + 0);
    q3_K_step<2>(sc + 2, q, hm, static_cast<uint8_t>(m << 1), d_all, y + 32);
    q3_K_step<4>(sc + 4, q, hm, static_cast<uint8_t>(m << 2), d_all, y + 64);
    q3_K_step<6>(sc + 6, q, hm, static_cast<uint8_t>(m << 3), d_all, y + 96);
    q += 32;
    y += 128;
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
    for (int l = 0; l < 32; ++l)
      *y++ = d1 * static_cast<float>((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l)
      *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    ql += 32;
    is += 2;
    u1 = static_cast<uint8_t>(u1 << 2);
    u2 = static_cast<uint8_t>(u2 << 2);
  }
}

// 32 values of a Q6_K half-block's quarter: ggml's `d * sc[is] * q` with
// q = (int8_t)((ql nibble) | (2 bits of qh) << 4) - 32; the nibble and the qh bits at constant
// shifts, and d * sc taken once per 16 values (the same product ggml takes for each).
template <int kNibbleShift, int kHighShift>
void q6_K_quarter(const uint8_t* __restrict ql, const uint8_t* __restrict qh, float scale_low,
                  float scale_high, float* __restrict y) {
  for (int l = 0; l < 32; ++l) {
    const auto q = static_cast<int8_t>(
        static_cast<int8_t>(((ql[l] >> kNibbleShift) & 0xF) | (((qh[l] >> kHighShift) & 3) << 4)) -
        32);
    y[l] = (l < 16 ? scale_low : scale_high) * static_cast<float>(q);
  }
}

// block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }
void dequantize_q6_K(const uint8_t* __restrict x, float* __restrict y) {
  const uint8_t* ql = x;
  const uint8_t* qh = x + kQK_K / 2;
  const auto* sc = reinterpret_cast<const int8_t*>(x + kQK_K / 2 + kQK_K / 4);
  const float d = fp16_at(x + kQK_K / 2 + kQK_K / 4 + kQK_K / 16);
  for (int n = 0; n < kQK_K; n += 128) {
    float ds[8];
    for (int k = 0; k < 8; ++k) ds[k] = d * static_cast<float>(sc[k]);
    q6_K_quarter<0, 0>(ql, qh, ds[0], ds[1], y + 0);        // ggml's q1: ql[l] low, qh bits 0-1
    q6_K_quarter<0, 2>(ql + 32, qh, ds[2], ds[3], y + 32);  // q2: ql[l + 32] low, bits 2-3
    q6_K_quarter<4, 4>(ql, qh, ds[4], ds[5], y + 64);       // q3: ql[l] high, bits 4-5
    q6_K_quarter<4, 6>(ql + 32, qh, ds[6], ds[7], y + 96);  // q4: ql[l + 32] high, bits 6-7
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

BlockLayout block_layout(BlockType type) {
  return format_of(type).layout;
}

std::string_view block_type_name(BlockType type) {
  return format_of(type).name;
}

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
