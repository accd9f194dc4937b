// A file written so that it appears whole or not at all: the bytes go to a temporary file in
// the target's directory, which commit() flushes to disk and renames over the target. If the
// writer fails, is destroyed without commit() or is killed, the target is untouched. Where the
// file system allows (Linux O_TMPFILE) the temporary file has no name until commit(), so that
// even a SIGKILL leaves nothing behind.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>
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
  std::filesystem::path temporary_name(std::string_view suffix) const;
  void name_unnamed_file();
  [[noreturn]] void fail(std::string_view what) const;

  std::filesystem::path target_;
  std::filesystem::path directory_;
  std::filesystem::path temporary_;  // empty while the file is unnamed (O_TMPFILE)
  int fd_ = -1;
  bool committed_ = false;
  std::vector<char> buffer_;
  size_t buffered_ = 0;
};

}  // namespace embtool
