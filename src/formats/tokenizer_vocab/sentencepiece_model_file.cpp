#include "formats/tokenizer_vocab/sentencepiece_model_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <string>

#include "base/error.hpp"
#include "tokenize/sentencepiece_model.hpp"

namespace embtool::formats {

tokenize::Spec read_sentencepiece_model(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot open the file", file.string()));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorKind::io, fmt::format("{}: cannot read the file", file.string()));
  try {
    return tokenize::sentencepiece_model_spec(std::move(bytes));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::bad_data) throw;
    throw Error(ErrorKind::bad_data, fmt::format("{}: {}", file.string(), e.what()));
  }
}

}  // namespace embtool::formats
