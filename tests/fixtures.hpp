// Test fixtures: vector files of every format variant, written fresh by each test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace embtool {
class Embeddings;
}

namespace embtool::testing {

// Whether loading `e` warned with a message holding `words`: how tests see what a reader
// noticed (CR LF line ends, data after the announced words), as the log shows it.
bool warned(const Embeddings& e, std::string_view words);

struct WordVector {
  std::string word;
  std::vector<float> values;
};

// A directory of its own for this test process, removed at exit.
std::filesystem::path scratch_dir();
std::filesystem::path write_file(const std::string& name, const std::string& bytes);

std::string word2vec_binary(const std::vector<WordVector>& words, bool newline_after_vector = true);
// `header` replaces the "<count> <dim>" line when given.
std::string word2vec_binary_with_header(const std::vector<WordVector>& words, const std::string& header,
                                        bool newline_after_vector = true);
std::string word2vec_text(const std::vector<WordVector>& words, bool trailing_space = false,
                          const std::string& line_end = "\n");
std::string glove_text(const std::vector<WordVector>& words);
std::string gzip(const std::string& bytes);

// `count` words of `dim` seeded Gaussian values, named w0, w1, ...
std::vector<WordVector> random_words(size_t count, size_t dim, uint32_t seed);

// A small model with real structure: royalty, gender, animals, and a few spellings.
std::vector<WordVector> toy_words();

struct CliResult {
  int code;
  std::string out;
  std::string err;
};
CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");

// ../shared/data when it exists beside the repository, else nullopt (tests then skip).
std::optional<std::filesystem::path> shared_data_dir();

}  // namespace embtool::testing
