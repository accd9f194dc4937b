// libFuzzer target: a tokenizer.json (its model, vocabulary, merges in both forms, normalizer,
// pre-tokenizer, post-processor and decoder read into a tokenizer), then used: a few texts
// encoded and decoded back. embtool::Error is the expected answer to a file it cannot use.
#include <string>

#include "base/error.hpp"
#include "formats/tokenizer_vocab/tokenizer_spec.hpp"
#include "fuzz_input.hpp"
#include "tokenize/make_tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  try {
    const auto spec = embtool::formats::read_tokenizer_json_spec(embtool::fuzz::write_input(file, "-tokenizer.json"));
    const auto tokenizer = embtool::tokenize::make_tokenizer(spec);
    for (const char* text : {"Hello world", " lower newer 123", "caf\xC3\xA9 \xE2\x96\x81x  \n\t<s>", ""}) {
      for (bool special : {false, true}) {
        const auto pieces = tokenizer->encode(text, {.add_special = special, .parse_special = special});
        std::vector<int32_t> ids;
        for (const auto& p : pieces) ids.push_back(p.id);
        (void)tokenizer->decode(ids);
      }
    }
  } catch (const embtool::Error&) {
  }
  return 0;
}
