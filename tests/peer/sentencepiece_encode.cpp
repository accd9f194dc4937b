// Encodes texts with embtool's tokenizer of a SentencePiece model file, for
// sentencepiece_peer.py to compare with python sentencepiece: reads texts separated by NUL
// bytes on stdin, prints one line a text: the ids, then "|", then begin:end spans.
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <string>

#include "formats/tokenizer_vocab/sentencepiece_model_file.hpp"
#include "tokenize/make_tokenizer.hpp"

using namespace embtool;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sentencepiece_encode MODEL < NUL-separated texts\n");
    return 2;
  }
  try {
    const auto tokenizer = tokenize::make_tokenizer(formats::read_sentencepiece_model(argv[1]));
    const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    size_t start = 0;
    while (start <= input.size()) {
      size_t end = input.find('\0', start);
      if (end == std::string::npos) end = input.size();
      const auto pieces = tokenizer->encode(std::string_view(input).substr(start, end - start));
      std::string line;
      for (const auto& p : pieces) line += std::to_string(p.id) + " ";
      line += "|";
      for (const auto& p : pieces) {
        line += ' ';
        line += std::to_string(p.begin);
        line += ':';
        line += std::to_string(p.end);
      }
      std::printf("%s\n", line.c_str());
      start = end + 1;
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
