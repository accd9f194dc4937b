// A file written so that it appears whole or not at all: the bytes go to a temporary file in
// the target's directory, which commit() flushes to disk and renames over the target. If the
// writer fails, is destroyed without commit() or is killed, the target is untouched.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace embtool {

class AtomicFile {
 public:
  // Refuses (usage Error) an existing `target` unless `replace_existing`.
  AtomicFile(std::filesystem::path target, bool replace_existing);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void commit();

 private:
  void flush_buffer();
  [[noreturn]] void fail(std::string_view what) const;

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool committed_ = false;
  std::vector<char> buffer_;
  size_t buffered_ = 0;
};

}  // namespace embtool
