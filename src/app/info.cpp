#include "app/info.hpp"

#include "kernels/simd.hpp"

namespace embtool::app {

std::string_view simd_target() { return kernels::simd_target_name(); }

}  // namespace embtool::app
