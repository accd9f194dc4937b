#include "base/cpu_features.hpp"

namespace embtool {
namespace {

CpuFeatures probe() {
  CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
  // GCC's probe checks CPUID and that the OS enabled the AVX-512 state (XCR0).
  __builtin_cpu_init();
  features.avx512f = __builtin_cpu_supports("avx512f");
  features.avx512bf16 = features.avx512f && __builtin_cpu_supports("avx512bf16");
  features.avx512vnni = features.avx512f && __builtin_cpu_supports("avx512vnni");
  features.avx_vnni = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
#endif
  return features;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = probe();
  return features;
}

}  // namespace embtool
