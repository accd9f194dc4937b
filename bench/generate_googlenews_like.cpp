// Writes a word2vec binary file shaped like GoogleNews-vectors-negative300.bin: by default
// 3,000,000 words x 300 float32, word2vec.c's layout (a "\n" after each vector), words of
// realistic length (phrases joined by '_', some capitalized), seeded and reproducible.
// With --text: the same words and values as a fastText .vec file (a "<count> <dim>" header,
// then "word v1 ... vD \n" with four decimals a value, as crawl-300d-2M.vec is written).
//
//   generate_googlenews_like OUT [--words N] [--dim D] [--seed S] [--text]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string out;
  uint64_t words = 3'000'000;
  uint64_t dim = 300;
  uint64_t seed = 1;
  bool text = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (arg == "--text") {
      o.text = true;
    } else if (arg == "--words") {
      o.words = next();
    } else if (arg == "--dim") {
      o.dim = next();
    } else if (arg == "--seed") {
      o.seed = next();
    } else {
      o.out = arg;
    }
  }
  if (o.out.empty() || o.words == 0 || o.dim == 0) {
    std::fprintf(stderr, "usage: generate_googlenews_like OUT [--words N] [--dim D] [--seed S] [--text]\n");
    std::exit(2);
  }
  return o;
}

// A unique word: random letters of a GoogleNews-like length, then the row number in base 26
// so that no two rows share a word.
std::string make_word(uint64_t row, std::mt19937_64& rng) {
  static const char* kLetters = "abcdefghijklmnopqrstuvwxyz";
  std::geometric_distribution<int> extra_parts(0.75);  // most entries are single words
  std::uniform_int_distribution<int> part_length(2, 11);
  std::uniform_int_distribution<int> letter(0, 25);
  std::uniform_real_distribution<double> chance(0.0, 1.0);
  std::string word;
  const int parts = 1 + extra_parts(rng);
  for (int p = 0; p < parts; ++p) {
    if (p > 0) word += '_';
    const int length = part_length(rng);
    for (int i = 0; i < length; ++i) word += kLetters[letter(rng)];
    if (chance(rng) < 0.3) word[word.size() - static_cast<size_t>(length)] -= 32;  // Capitalized
  }
  word += '_';
  do {
    word += kLetters[row % 26];
    row /= 26;
  } while (row > 0);
  return word;
}

// `value` with four decimals ("-0.0231"), as fastText writes its .vec files; by hand, since
// printf would take most of the time of writing 600 million values.
void append_four_decimals(float value, std::string& out) {
  long scaled = std::lround(static_cast<double>(value) * 10000.0);
  if (scaled < 0) {
    out += '-';
    scaled = -scaled;
  }
  out += std::to_string(scaled / 10000);
  out += '.';
  const long fraction = scaled % 10000;
  for (long unit = 1000; unit > 0; unit /= 10) out += static_cast<char>('0' + fraction / unit % 10);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::FILE* f = std::fopen(o.out.c_str(), "wb");
  if (f == nullptr) {
    std::perror(o.out.c_str());
    return 1;
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 22);
  std::fprintf(f, "%llu %llu\n", static_cast<unsigned long long>(o.words),
               static_cast<unsigned long long>(o.dim));
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<float> value(0.0f, 0.12f);  // GoogleNews values are about this size
  std::vector<float> vector(o.dim);
  for (uint64_t row = 0; row < o.words; ++row) {
    const std::string word = make_word(row, rng);
    for (float& v : vector) v = value(rng);
    if (o.text) {
      std::string line = word;
      for (float v : vector) {
        line += ' ';
        append_four_decimals(v, line);
      }
      line += " \n";
      std::fwrite(line.data(), 1, line.size(), f);
      continue;
    }
    std::fwrite(word.data(), 1, word.size(), f);
    std::fputc(' ', f);
    std::fwrite(vector.data(), sizeof(float), vector.size(), f);
    std::fputc('\n', f);
  }
  if (std::fclose(f) != 0) {
    std::perror(o.out.c_str());
    return 1;
  }
  return 0;
}
