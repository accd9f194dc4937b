#include "base/byte_source.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.hpp"

namespace embtool::formats {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;
// A small compressed file starts with a small buffer (it grows when a read needs more): the
// full one, cleared on every open, was most of the time spent opening a file of a few KB.
constexpr uint64_t kMinGzipBufferBytes = 64 << 10;
constexpr uint64_t kGzipExpansionGuess = 8;  // text of vectors compresses about 3 to 4 times

uint64_t gzip_buffer_bytes(uint64_t file_bytes) {
  return std::clamp<uint64_t>(file_bytes * kGzipExpansionGuess, kMinGzipBufferBytes, kBufferBytes);
}

class FileSource : public Source {
 public:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  uint64_t file_position() const override { return position_; }

  size_t read(char* buffer, size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) {
        position_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno == EINTR) continue;
      throw Error(ErrorKind::io, fmt::format("{}: read failed: {}", path_, std::strerror(errno)));
    }
  }

 private:
  int fd_;
  std::string path_;
  uint64_t position_ = 0;
};

class GzipSource : public Source {
 public:
  GzipSource(int fd, std::string path, uint64_t file_bytes) : path_(std::move(path)) {
    file_ = gzdopen(fd, "rb");
    if (file_ == nullptr) {
      ::close(fd);
      throw Error(ErrorKind::io, fmt::format("{}: cannot open the gzip stream", path_));
    }
    // zlib's input buffer: never larger than the file (zlib allocates twice this for output).
    gzbuffer(file_, static_cast<unsigned>(std::clamp<uint64_t>(file_bytes, 8 << 10, 256 << 10)));
  }
  ~GzipSource() override { gzclose(file_); }
  uint64_t file_position() const override {
    const z_off_t position = gzoffset(file_);
    return position > 0 ? static_cast<uint64_t>(position) : 0;
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  size_t read(char* buffer, size_t size) override {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size, 1U << 30));
    const int n = gzread(file_, buffer, chunk);
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    // zlib reports a stream cut short as Z_BUF_ERROR only once the data runs out.
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      if (n > 0) return static_cast<size_t>(n);
      std::string detail = code == Z_ERRNO ? std::strerror(errno) : message;
      if (detail.starts_with("<fd:") && detail.find(": ") != std::string::npos) {
        detail.erase(0, detail.find(": ") + 2);  // zlib names the descriptor; the path says more
      }
      throw DamagedStream{detail};
    }
    return static_cast<size_t>(n);
  }

 private:
  gzFile file_ = nullptr;
  std::string path_;
};

int open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  return fd;
}

}  // namespace

ByteReader::ByteReader(const std::filesystem::path& path) : path_(path.string()) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorKind::io, fmt::format("{}: is a directory, not a vector file", path_));
  }
  int fd = open_for_reading(path_);
  unsigned char magic[2] = {0, 0};
  const ssize_t got = ::pread(fd, magic, 2, 0);
  gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  file_bytes_ = size > 0 ? static_cast<uint64_t>(size) : 0;
  ::lseek(fd, 0, SEEK_SET);
  if (gzip_) {
    source_ = std::make_unique<GzipSource>(fd, path_, file_bytes_);
  } else {
    source_ = std::make_unique<FileSource>(fd, path_);
  }
  buffer_.resize(gzip_ ? gzip_buffer_bytes(file_bytes_) : std::min<uint64_t>(kBufferBytes, file_bytes_ + 1));
}

// Makes at least `wanted` unread bytes available, unless the data ends first.
bool ByteReader::fill(size_t wanted) {
  if (end_ - pos_ >= wanted) return true;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    consumed_before_buffer_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (wanted > buffer_.size()) {
    // A plain file holds no more than its size: a small one never needs a big buffer.
    const uint64_t at_most = file_bytes_ - std::min(file_bytes_, consumed_before_buffer_) + 1;
    // A compressed one may hold any amount: its buffer doubles as the data keeps coming.
    if (!gzip_) buffer_.resize(std::max<size_t>(buffer_.size(), std::min<uint64_t>(wanted, at_most)));
  }
  while (end_ < wanted && !source_done_) {
    if (end_ == buffer_.size()) buffer_.resize(std::min(wanted, 2 * buffer_.size()));
    size_t n = 0;
    try {
      n = source_->read(buffer_.data() + end_, buffer_.size() - end_);
    } catch (const DamagedStream& damage) {
      // Said only when a reader needs the missing bytes, so that the message can name the word.
      damage_ = damage.detail;
      damaged_at_ = consumed_before_buffer_ + end_;
    }
    if (n == 0) source_done_ = true;
    end_ += n;
  }
  return end_ - pos_ >= wanted;
}

bool ByteReader::more() {
  if (fill(1)) return true;
  if (damage_) {
    const std::string place = record_ > 0 ? fmt::format("in word {}, ", record_) : "";
    throw Error(ErrorKind::bad_data,
                fmt::format("{}: the gzip stream is damaged or truncated {}after {} bytes of "
                            "decompressed data ({})",
                            path_, place, damaged_at_, *damage_));
  }
  return false;
}

std::string_view ByteReader::peek(size_t size) {
  fill(size);
  return {buffer_.data() + pos_, std::min(size, end_ - pos_)};
}

bool ByteReader::at_end() { return !more(); }

void ByteReader::skip(size_t size) {
  while (size > 0 && more()) {
    const size_t step = std::min(size, end_ - pos_);
    pos_ += step;
    size -= step;
  }
}

int ByteReader::get() {
  if (!more()) return -1;
  return static_cast<unsigned char>(buffer_[pos_++]);
}

size_t ByteReader::read(char* dst, size_t size) {
  size_t done = 0;
  while (done < size && more()) {
    const size_t step = std::min(size - done, end_ - pos_);
    std::memcpy(dst + done, buffer_.data() + pos_, step);
    pos_ += step;
    done += step;
  }
  return done;
}

ByteReader::Until ByteReader::read_until(char delimiter, std::string& out, size_t max_size) {
  while (more()) {
    const char* begin = buffer_.data() + pos_;
    const size_t available = end_ - pos_;
    const void* hit = std::memchr(begin, delimiter, available);
    const size_t take = hit ? static_cast<size_t>(static_cast<const char*>(hit) - begin) : available;
    if (out.size() + take > max_size) return Until::too_long;
    out.append(begin, take);
    pos_ += take;
    if (hit) {
      ++pos_;
      return Until::found;
    }
  }
  return Until::end_of_data;
}

}  // namespace embtool::formats
