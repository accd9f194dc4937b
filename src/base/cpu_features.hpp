// What the CPU can do, probed once. Most kernels do not ask: Highway compiles them for every
// instruction set and its dynamic dispatch picks the best (kernels/simd.hpp names the one it
// picked). This probe is for the few kernels compiled for one instruction set of their own
// (the bfloat16 block product needs AVX512_BF16 and the int8 one AVX512-VNNI or AVX-VNNI, which
// no Highway target of Debian's version guarantees), so that all of them decide the same way, from one cached answer.
#pragma once

namespace embtool {

struct CpuFeatures {
  bool avx512f = false;     // AVX-512 Foundation, usable (the OS saves the registers)
  bool avx512bf16 = false;  // vdpbf16ps and friends, with AVX-512F
  bool avx512vnni = false;  // vpdpbusd on 512-bit registers, with AVX-512F
  bool avx_vnni = false;    // vpdpbusd on 256-bit registers (VEX encoding), with AVX2
};

// This CPU's features, probed on the first call and cached.
const CpuFeatures& cpu_features();

}  // namespace embtool
