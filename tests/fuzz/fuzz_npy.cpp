// libFuzzer target: a .npy file (magic, version, header length, the header dict as numpy's
// Python literal, the data its shape claims); the first byte picks the options.
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const embtool::LoadOptions options = embtool::fuzz::options_from(data[0], "npy");
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".npy"), options);
  return 0;
}
