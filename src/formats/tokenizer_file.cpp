#include "formats/tokenizer_file.hpp"

#include <fmt/format.h>

#include <string_view>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "formats/gguf/gguf_file.hpp"
#include "formats/gguf/gguf_tokenizer.hpp"

namespace embtool {
namespace {

constexpr std::string_view kGgufMagic = "GGUF";

bool starts_with_magic(const MappedFile& file, std::string_view magic) {
  const auto bytes = file.bytes();
  return bytes.size() >= magic.size() &&
         std::string_view(reinterpret_cast<const char*>(bytes.data()), magic.size()) == magic;
}

}  // namespace

tokenize::Spec read_tokenizer_spec(const std::filesystem::path& path) {
  const auto file = MappedFile::open(path);
  const std::string name = path.string();
  if (!starts_with_magic(*file, kGgufMagic)) {
    throw Error(
        ErrorKind::invalid_argument,
        fmt::format("{}: --tokenizer reads the tokenizer of a GGUF file, and this is not one",
                    name));
  }
  // The spec copies what it keeps, so the mapping may go once it is read.
  const formats::gguf::File gguf = formats::gguf::parse(file->bytes(), name);
  return formats::gguf::tokenizer_spec(gguf, name);
}

}  // namespace embtool
