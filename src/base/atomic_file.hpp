// A file written so that it appears whole or not at all: the bytes go to a temporary file in
// the target's directory, which commit() flushes to disk and renames over the target. If the
// writer fails, is destroyed without commit() or is killed, the target is untouched. Where the
// file system allows (Linux O_TMPFILE) the temporary file has no name until commit(), so that
// even a SIGKILL leaves nothing behind.
//
// Only a regular file is ever replaced: renaming over a device, a FIFO or a socket would put a
// file where the node was (as root, over /dev/null), and over a directory fails late. A target
// that is a symbolic link to a regular file is written through the link: the file it names is
// replaced and the link stays.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

namespace embtool {

// Refuses, with an invalid_argument Error naming the path and what it is, a `target` that
// exists and is not a regular file (nor a link to one), or is a link to nothing; then, unless
// `replace_existing`, one that exists at all. Cheap: for checking an output before a long load.
void check_output_file(const std::filesystem::path& target, bool replace_existing);

class AtomicFile {
 public:
  // Checks `target` as check_output_file does.
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
