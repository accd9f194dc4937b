// A whole file mapped read-only into memory. The pages are the page cache's own: opening
// costs no copy, and several processes serving the same store share one copy in memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

namespace embtool {

class MappedFile {
 public:
  // Throws an io Error naming the file when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }

  // Hints that the whole file will be read soon, in order (read-ahead, no page-by-page faults).
  void will_read_sequentially() const;

 private:
  MappedFile(const std::byte* data, size_t size) : data_(data), size_(size) {}

  const std::byte* data_;
  size_t size_;
};

}  // namespace embtool
