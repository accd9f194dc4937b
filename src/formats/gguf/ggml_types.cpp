#include "formats/gguf/ggml_types.hpp"

namespace embtool::formats::gguf {
namespace {

using kernels::ggml::BlockType;

constexpr size_t kQK_K = 256;

// ggml.c's type_traits (blck_size, type_size), for every type a GGUF file may hold. The
// numbers ggml retired (4, 5: Q4_2, Q4_3; 31-33, 36-38: repacked layouts that files no longer
// carry) are absent, so that a file naming them is refused as ggml refuses it.
const GgmlType kTypes[] = {
    {0, "F32", 1, 4, Dtype::f32, {}},
    {1, "F16", 1, 2, Dtype::f16, {}},
    {2, "Q4_0", 32, 2 + 16, {}, BlockType::q4_0},
    {3, "Q4_1", 32, 2 + 2 + 16, {}, BlockType::q4_1},
    {6, "Q5_0", 32, 2 + 4 + 16, {}, BlockType::q5_0},
    {7, "Q5_1", 32, 2 + 2 + 4 + 16, {}, BlockType::q5_1},
    {8, "Q8_0", 32, 2 + 32, {}, BlockType::q8_0},
    {9, "Q8_1", 32, 2 + 2 + 32, {}, {}},
    {10, "Q2_K", kQK_K, 2 + 2 + kQK_K / 16 + kQK_K / 4, {}, BlockType::q2_K},
    {11, "Q3_K", kQK_K, 2 + kQK_K / 4 + kQK_K / 8 + 12, {}, BlockType::q3_K},
    {12, "Q4_K", kQK_K, 2 + 2 + 12 + kQK_K / 2, {}, BlockType::q4_K},
    {13, "Q5_K", kQK_K, 2 + 2 + 12 + kQK_K / 8 + kQK_K / 2, {}, BlockType::q5_K},
    {14, "Q6_K", kQK_K, 2 + kQK_K / 2 + kQK_K / 4 + kQK_K / 16, {}, BlockType::q6_K},
    {15, "Q8_K", kQK_K, 4 + kQK_K + kQK_K / 16 * 2, {}, {}},
    {16, "IQ2_XXS", kQK_K, 2 + kQK_K / 4, {}, {}},
    {17, "IQ2_XS", kQK_K, 2 + kQK_K / 4 + kQK_K / 32, {}, {}},
    {18, "IQ3_XXS", kQK_K, 2 + 3 * kQK_K / 8, {}, {}},
    {19, "IQ1_S", kQK_K, 2 + kQK_K / 8 + kQK_K / 16, {}, {}},
    {20, "IQ4_NL", 32, 2 + 16, {}, {}},
    {21, "IQ3_S", kQK_K, 2 + kQK_K / 4 + kQK_K / 32 + kQK_K / 8 + kQK_K / 64, {}, {}},
    {22, "IQ2_S", kQK_K, 2 + kQK_K / 4 + kQK_K / 16, {}, {}},
    {23, "IQ4_XS", kQK_K, 2 + 2 + kQK_K / 64 + kQK_K / 2, {}, {}},
    {24, "I8", 1, 1, {}, {}},
    {25, "I16", 1, 2, {}, {}},
    {26, "I32", 1, 4, {}, {}},
    {27, "I64", 1, 8, {}, {}},
    {28, "F64", 1, 8, {}, {}},
    {29, "IQ1_M", kQK_K, kQK_K / 8 + kQK_K / 16 + kQK_K / 32, {}, {}},
    {30, "BF16", 1, 2, Dtype::bf16, {}},
    {34, "TQ1_0", kQK_K, 2 + kQK_K / 64 + (kQK_K - 4 * kQK_K / 64) / 5, {}, {}},
    {35, "TQ2_0", kQK_K, 2 + kQK_K / 4, {}, {}},
    {39, "MXFP4", 32, 1 + 16, {}, {}},
    {40, "NVFP4", 64, 4 + 32, {}, {}},
    {41, "Q1_0", 128, 2 + 128 / 8, {}, {}},
    {42, "Q2_0", 64, 2 + 64 / 4, {}, {}},
};

}  // namespace

const GgmlType* ggml_type(uint32_t id) {
  for (const GgmlType& type : kTypes) {
    if (type.id == id) return &type;
  }
  return nullptr;
}

std::string readable_type_names() {
  std::string names;
  for (const GgmlType& type : kTypes) {
    if (!type.in_place && !type.decoded) continue;
    if (!names.empty()) names += ", ";
    names += type.name;
  }
  return names;
}

}  // namespace embtool::formats::gguf
