// libFuzzer target: the vector-expression parser ("king - man + 2*woman").
#include <string_view>

#include "base/error.hpp"
#include "ops/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    embtool::ops::looks_like_expression(text);
    embtool::ops::parse_expression(text);
  } catch (const embtool::Error&) {
  }
  return 0;
}
