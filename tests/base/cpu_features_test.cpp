#include <catch2/catch.hpp>

#include <string>

#include "base/cpu_features.hpp"
#include "kernels/gemm.hpp"
#include "kernels/simd.hpp"

using namespace embtool;

TEST_CASE("the CPU is probed once and the answer kept", "[cpu_features]") {
  const CpuFeatures& first = cpu_features();
  CHECK(&cpu_features() == &first);
  INFO("AVX-512F " << first.avx512f << ", AVX512_BF16 " << first.avx512bf16);
  CHECK((!first.avx512bf16 || first.avx512f));  // the bf16 kernel needs both
}

TEST_CASE("the probe and Highway's dispatch agree about AVX-512", "[cpu_features]") {
  // Highway's AVX3 targets need AVX-512F (and more): where it picked one, the probe must have
  // seen AVX-512F, or the two ways of asking the CPU would disagree.
  const std::string target = kernels::simd_target_name();
  INFO("SIMD target " << target);
  if (target.rfind("AVX3", 0) == 0) CHECK(cpu_features().avx512f);
  // The bf16 batch kernel asks the same probe.
  CHECK(kernels::bf16_in_hardware() == cpu_features().avx512bf16);
}
