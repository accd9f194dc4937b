#include "base/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"

namespace embtool {
namespace {

constexpr size_t kBufferBytes = size_t{4} << 20;

// Permissions a plain open(O_CREAT, 0666) would give, which mkstemp's 0600 does not.
mode_t default_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself has happened
  ::fsync(fd);
  ::close(fd);
}

// What a file of this type is, in words, for a refusal; nullptr for a regular file.
const char* what_is_not_regular(mode_t mode) {
  if (S_ISREG(mode)) return nullptr;
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void refuse(const std::filesystem::path& target, std::string_view what) {
  throw Error(ErrorKind::invalid_argument,
              fmt::format("{} is {}; only a regular file is ever replaced", target.string(), what));
}

// Whether `target` exists; refuses one that is there but is not a regular file (following
// links, and refusing a link that leads nowhere, which rename() would replace by a file).
bool regular_or_absent(const std::filesystem::path& target) {
  struct stat link {};
  if (::lstat(target.c_str(), &link) != 0) return false;  // absent (or unreachable: said later)
  const bool is_link = S_ISLNK(link.st_mode);
  struct stat status {};
  if (::stat(target.c_str(), &status) != 0) {
    if (is_link) refuse(target, "a symbolic link to nothing");
    return false;
  }
  if (const char* what = what_is_not_regular(status.st_mode)) {
    refuse(target, is_link ? fmt::format("a symbolic link to {}", what) : std::string(what));
  }
  return true;
}

}  // namespace

void check_output_file(const std::filesystem::path& target, bool replace_existing) {
  if (regular_or_absent(target) && !replace_existing) {
    throw Error(ErrorKind::invalid_argument, fmt::format("{} already exists", target.string()),
                Remedy::replace_existing);
  }
}

AtomicFile::AtomicFile(std::filesystem::path target, bool replace_existing)
    : target_(std::move(target)), buffer_(kBufferBytes) {
  check_output_file(target_, replace_existing);
  // Through a link: the temporary file goes beside the file the link names (rename() works
  // within one file system) and replaces that file, not the link.
  std::error_code error;
  if (std::filesystem::is_symlink(target_, error)) {
    std::filesystem::path resolved = std::filesystem::canonical(target_, error);
    if (error) {
      throw Error(ErrorKind::io, fmt::format("{}: cannot follow the link: {}", target_.string(),
                                            error.message()));
    }
    target_ = std::move(resolved);
  }
  directory_ = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  fd_ = ::open(directory_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd_ >= 0) return;
  std::string pattern = temporary_name("XXXXXX").string();
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot create a file in {}: {}", target_.string(),
                                          directory_.string(), std::strerror(errno)));
  }
  temporary_ = pattern;
}

std::filesystem::path AtomicFile::temporary_name(std::string_view suffix) const {
  return directory_ / fmt::format(".{}.tmp-{}", target_.filename().string(), suffix);
}

// An unnamed (O_TMPFILE) file gets a temporary name in the target's directory, for rename().
void AtomicFile::name_unnamed_file() {
  const std::string fd_path = fmt::format("/proc/self/fd/{}", fd_);
  for (int attempt = 0;; ++attempt) {
    const auto name = temporary_name(fmt::format("{}-{}", ::getpid(), attempt));
    if (::linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      temporary_ = name;
      return;
    }
    if (errno != EEXIST || attempt > 100) fail("name the finished file");
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void AtomicFile::fail(std::string_view what) const {
  throw Error(ErrorKind::io, fmt::format("{}: cannot {}: {}", target_.string(), what,
                                        std::strerror(errno)));
}

void AtomicFile::write(const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    if (buffered_ == buffer_.size()) flush_buffer();
    const size_t n = std::min(size, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, bytes, n);
    buffered_ += n;
    bytes += n;
    size -= n;
  }
}

void AtomicFile::flush_buffer() {
  const char* bytes = buffer_.data();
  size_t left = buffered_;
  while (left > 0) {
    const ssize_t n = ::write(fd_, bytes, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    bytes += n;
    left -= static_cast<size_t>(n);
  }
  buffered_ = 0;
}

void AtomicFile::commit() {
  flush_buffer();
  if (::fchmod(fd_, default_file_mode()) != 0) fail("set the permissions of");
  if (::fsync(fd_) != 0) fail("flush to disk");
  if (temporary_.empty()) name_unnamed_file();
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("close");
  }
  fd_ = -1;
  regular_or_absent(target_);  // still no device or FIFO there, however long the write took
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("rename the finished file to");
  committed_ = true;
  sync_directory(directory_);
}

}  // namespace embtool
