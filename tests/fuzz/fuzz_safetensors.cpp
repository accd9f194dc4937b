// libFuzzer target: a safetensors file (the header's length, its JSON, the offsets, shapes and
// dtypes it gives, the data they point into); the first byte picks the options (a limit,
// NaN allowed, strict) and, with bit 16, asks for lm_head.weight by name, so that the tied
// comparison of two tensors runs too. The seeds are small valid and broken files.
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  embtool::LoadOptions options = embtool::fuzz::options_from(data[0], "safetensors");
  if (data[0] & 16) options.tensor = "lm_head.weight";
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".safetensors"), options);
  return 0;
}
