// Facts about this build and machine that front ends show (--version, logs).
#pragma once

#include <string_view>

namespace embtool::app {

// The instruction set the kernels chose for this CPU ("AVX3", "AVX2", "SSE4", ...).
std::string_view simd_target();

}  // namespace embtool::app
