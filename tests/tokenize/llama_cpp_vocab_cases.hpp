// Reading llama.cpp's tokenizer test cases (.inp: texts separated by lines
// "__ggml_vocab_test__"; .out: the ids of each, one line each), as test-tokenizer-0.cpp does.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace embtool {

struct VocabCase {
  size_t number = 0;
  std::string text;
  std::vector<int32_t> ids;
};

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& vocab) {
  const std::string inp = slurp(vocab.string() + ".inp");
  std::istringstream out(slurp(vocab.string() + ".out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<VocabCase> cases;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t next = inp.find(sep, pos);
    VocabCase c;
    c.number = cases.size() + 1;
    c.text = inp.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    cases.push_back(std::move(c));
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  std::string line;
  for (VocabCase& c : cases) {
    if (!std::getline(out, line)) break;
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) c.ids.push_back(id);
  }
  return cases;
}

inline std::vector<int32_t> ids_of(const std::vector<tokenize::Piece>& pieces) {
  std::vector<int32_t> ids;
  for (const tokenize::Piece& p : pieces) ids.push_back(p.id);
  return ids;
}

inline std::string join(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) {
    if (!s.empty()) s += ' ';
    s += std::to_string(id);
  }
  return s;
}

inline std::string printable(const std::string& text) {
  std::string s = "'";
  for (unsigned char c : text) {
    if (c == '\n') s += "\\n";
    else if (c == '\t') s += "\\t";
    else if (c < 0x20) {
      s += "\\x";
      s += std::to_string(c);
    }
    else s += static_cast<char>(c);
  }
  return s + "'";
}

}  // namespace embtool
