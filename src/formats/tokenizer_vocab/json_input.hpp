// Tokenizers' JSON files read through simdjson, keeping the keys' bytes even when they are not
// UTF-8 (a byte-level vocabulary written by a tool that split a character): simdjson refuses
// such a document, so each stray byte is carried through the parse as a private-use code point
// and put back in the strings taken out of it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace embtool::formats::tokenizer_vocab {

class JsonFile {
 public:
  // Reads and parses `file`; refuses (naming it) a file that cannot be read or is not JSON.
  explicit JsonFile(const std::filesystem::path& file);
  JsonFile(const std::filesystem::path& file, std::string bytes);

  const std::filesystem::path& path() const { return path_; }
  simdjson::dom::element root() const { return root_; }
  // A string of the document as the file's bytes spell it.
  std::string text(std::string_view parsed) const;

  // `value` as a token id: an integer 0..max_token_id, else refused naming the file, `token`
  // and what is wrong.
  uint64_t token_id(simdjson::dom::element value, std::string_view token) const;
  // [[noreturn]] refusal naming the file.
  [[noreturn]] void refuse(const std::string& problem) const;

 private:
  void parse(std::string bytes);

  std::filesystem::path path_;
  bool marked_bytes_ = false;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

// The file's bytes; refuses (io, naming it) one that cannot be read.
std::string read_whole_file(const std::filesystem::path& file);

}  // namespace embtool::formats::tokenizer_vocab
