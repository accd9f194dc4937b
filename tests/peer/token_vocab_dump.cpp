// Prints what a tokenizer-vocabulary reader gives, for tokenizer_vocab_peer.py to compare with
// python's own reading of the same file: a header line, then "id<TAB>kind<TAB>hex(key)" a row.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "formats/tokenizer_vocab/tokenizer_vocab.hpp"

using namespace embtool;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: token_vocab_dump tokenizer_json|vocab_json|tiktoken|lines|file|hf_dir PATH\n");
    return 2;
  }
  const std::string_view reader = argv[1];
  const std::string path = argv[2];
  try {
    formats::TokenVocabulary tokens;
    if (reader == "tokenizer_json") tokens = formats::read_tokenizer_json(path);
    else if (reader == "vocab_json") tokens = formats::read_vocab_json(path);
    else if (reader == "tiktoken") tokens = formats::read_tiktoken_ranks(path);
    else if (reader == "lines") tokens = formats::read_token_lines(path);
    else if (reader == "file") tokens = formats::read_token_file(path);
    else if (reader == "hf_dir") tokens = formats::read_hf_tokenizer(path);
    else throw std::runtime_error("unknown reader " + std::string(reader));
    std::printf("tokens %zu spelling %s tokenizer %s\n", tokens.keys.size(),
                std::string(token_spelling_name(tokens.spelling)).c_str(), tokens.tokenizer.c_str());
    std::string hex;
    for (size_t id = 0; id < tokens.keys.size(); ++id) {
      hex.clear();
      for (unsigned char c : tokens.keys[id]) {
        static const char digits[] = "0123456789abcdef";
        hex += digits[c >> 4];
        hex += digits[c & 15];
      }
      std::printf("%zu\t%s\t%s\n", id, std::string(token_kind_name(tokens.kinds[id])).c_str(), hex.c_str());
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
