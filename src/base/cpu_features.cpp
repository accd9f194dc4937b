#include "base/cpu_features.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

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
  // AVX-VNNI is CPUID leaf 7, sub-leaf 1, EAX bit 4: asked directly, because clang 14's
  // __builtin_cpu_supports does not know the name (GCC 12's does).
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool leaf = __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0;
  features.avx_vnni = __builtin_cpu_supports("avx2") && leaf && (eax & (1u << 4)) != 0;
#endif
  return features;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = probe();
  return features;
}

}  // namespace embtool
