// libFuzzer target: GGUF (llama.cpp's model file): the header's counts, the typed metadata,
// the tensor infos and what they say of the data, the tokens, and the rows in place or decoded
// from ggml's blocks. The first byte picks the load options (bit 16: read output.weight).
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  embtool::LoadOptions options = embtool::fuzz::options_from(data[0], "gguf");
  if (data[0] & 16) options.tensor = "output.weight";
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".gguf"), options);
  return 0;
}
