// libFuzzer target: the word2vec binary reader (the first byte picks the load options).
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".bin"),
                              embtool::fuzz::options_from(data[0], "word2vec-binary"));
  return 0;
}
