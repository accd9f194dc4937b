// Where a plain file that is too short for its header actually ends, said as a person would
// want it: which word, which part of it, at which byte. It walks the mapped file record by
// record without allocating, and only runs to explain a refusal.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "formats/readers.hpp"
#include "base/mapped_file.hpp"

namespace embtool::formats {
namespace {

// At most 40 bytes of a word, control bytes written \xNN: a message stays one line.
std::string printable_prefix(const char* bytes, size_t size) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(size, 40); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02X}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

}  // namespace

std::string where_binary_data_ends(const std::filesystem::path& path, uint64_t data_offset, uint64_t dim) {
  const auto file = MappedFile::open(path);
  const char* bytes = reinterpret_cast<const char*>(file->data());
  const uint64_t size = file->size();
  const uint64_t vector_bytes = dim * sizeof(float);
  uint64_t pos = std::min(data_offset, size);
  for (uint64_t record = 1;; ++record) {
    while (pos < size && bytes[pos] == '\n') ++pos;
    if (pos == size && record == 1) return fmt::format("no word follows it (byte offset {})", pos);
    if (pos == size) return fmt::format("the data ends after word {} (byte offset {})", record - 1, pos);
    const uint64_t search_end = std::min(size, pos + kMaxWordBytes + 1);
    const void* space = std::memchr(bytes + pos, ' ', search_end - pos);
    if (space == nullptr) {
      if (search_end < size) {
        return fmt::format("word {} at byte offset {} is longer than {} bytes", record, pos, kMaxWordBytes);
      }
      return fmt::format("the data ends inside word {} '{}', before the space that ends a word (byte offset {})",
                         record, printable_prefix(bytes + pos, size - pos), size);
    }
    const uint64_t vector_start = static_cast<uint64_t>(static_cast<const char*>(space) - bytes) + 1;
    if (size - vector_start < vector_bytes) {
      return fmt::format("the data ends inside the vector of word {} '{}': {} of its {} bytes are "
                         "there (byte offset {})",
                         record, printable_prefix(bytes + pos, vector_start - 1 - pos),
                         size - vector_start, vector_bytes, size);
    }
    pos = vector_start + vector_bytes;
  }
}

std::string where_text_data_ends(const std::filesystem::path& path, uint64_t data_offset) {
  const auto file = MappedFile::open(path);
  const char* bytes = reinterpret_cast<const char*>(file->data());
  const uint64_t size = file->size();
  uint64_t lines = 0;
  for (uint64_t pos = std::min(data_offset, size); pos < size;) {
    const void* newline = std::memchr(bytes + pos, '\n', size - pos);
    const uint64_t end = newline ? static_cast<uint64_t>(static_cast<const char*>(newline) - bytes) : size;
    if (end > pos && !(end == pos + 1 && bytes[pos] == '\r')) ++lines;
    pos = end + 1;
  }
  return fmt::format("the file holds {} line{} of vectors after the header ({} bytes)", lines,
                     lines == 1 ? "" : "s", size - std::min(data_offset, size));
}

}  // namespace embtool::formats
