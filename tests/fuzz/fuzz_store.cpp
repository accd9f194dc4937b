// libFuzzer target: an embtool store (.emb): the header, the section table and what the
// sections say of each other, as open_store checks them; the seeds are real stores.
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  embtool::LoadOptions options;
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".emb"), options);
  options.limit = 2;
  embtool::fuzz::load_and_use(embtool::fuzz::write_input(file, ".emb"), options);
  return 0;
}
