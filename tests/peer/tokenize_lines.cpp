// Tokenizes a file line by line, for tokenizer_peer_test.py to compare with the peers' ids:
// one output line of space-separated ids per input line (its "\n" not included; add_special
// and parse_special off). With --decode it also checks that decode(ids) gives each line back,
// and exits 1 naming the first line that does not. With --cases FILE is a llama.cpp test input
// (.inp: texts separated by lines "__ggml_vocab_test__", as tests/test-tokenizer-0.cpp splits
// them) and each of its texts gives one output line.
//
//   tokenize_lines TOKENIZER FILE [--decode] [--cases]
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "any_tokenizer.hpp"

using namespace embtool;

namespace {

std::vector<int32_t> ids_of(const std::vector<tokenize::Piece>& pieces) {
  std::vector<int32_t> ids;
  ids.reserve(pieces.size());
  for (const tokenize::Piece& piece : pieces) ids.push_back(piece.id);
  return ids;
}

void print_ids(const std::vector<int32_t>& ids, std::string& buffer) {
  buffer.clear();
  for (int32_t id : ids) {
    if (!buffer.empty()) buffer += ' ';
    buffer += std::to_string(id);
  }
  buffer += '\n';
  std::fwrite(buffer.data(), 1, buffer.size(), stdout);
}

// The texts to tokenize: FILE's lines, or its llama.cpp test cases.
std::vector<std::string> texts_of(const std::string& file, bool cases) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, "cannot open " + file + ".");
  std::vector<std::string> texts;
  if (!cases) {
    for (std::string line; std::getline(in, line);) texts.push_back(std::move(line));
    return texts;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  const std::string all = contents.str();
  const std::string separator = "\n__ggml_vocab_test__\n";
  for (size_t pos = 0; pos < all.size();) {
    const size_t next = all.find(separator, pos);
    texts.push_back(all.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + separator.size();
  }
  return texts;
}

}  // namespace

int main(int argc, char** argv) {
  bool decode = false;
  bool cases = false;
  for (int i = 3; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--decode") decode = true;
    else if (flag == "--cases") cases = true;
    else argc = 0;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: tokenize_lines TOKENIZER FILE [--decode] [--cases]\n");
    return 2;
  }
  try {
    const AnyTokenizer tokenizer(argv[1]);
    std::string buffer;
    size_t number = 0;
    for (const std::string& text : texts_of(argv[2], cases)) {
      ++number;
      const std::vector<int32_t> ids = ids_of(tokenizer->encode(text));
      print_ids(ids, buffer);
      if (decode && tokenizer->decode(ids) != text) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s %zu does not decode back: %s\n   gave %s\n", cases ? "case" : "line", number,
                     text.c_str(), tokenizer->decode(ids).c_str());
        return 1;
      }
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
