#include "base/byte_source.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
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
constexpr uint64_t kGzipExpansionGuess = 8;
// Compressed files from this size on are inflated ahead on a thread of their own.
constexpr uint64_t kReadAheadMinBytes = uint64_t{4} << 20;  // text of vectors compresses about 3 to 4 times

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

// gzip through ISA-L's inflate (igzip), several times zlib's speed on the same data (bench/
// inflate_bench.cpp measures both). Concatenated members are read one after another, as gzip
// and zlib's gzread read them; bytes after the last member that do not start another one are
// ignored, as gzread ignores them. A damaged stream gives the output before the damage, then
// DamagedStream.
class GzipSource : public Source {
 public:
  GzipSource(int fd, std::string path, uint64_t file_bytes)
      : fd_(fd), path_(std::move(path)),
        input_(std::clamp<uint64_t>(file_bytes, 8 << 10, kGzipInputBytes)) {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }
  ~GzipSource() override { ::close(fd_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  // Compressed bytes consumed so far.
  uint64_t file_position() const override { return read_from_file_ - state_.avail_in; }

  size_t read(char* buffer, size_t size) override {
    if (damage_) throw DamagedStream{*damage_};
    for (;;) {
      if (state_.avail_in == 0 && !file_done_) refill();
      if (state_.block_state == ISAL_BLOCK_FINISH && !next_member()) return 0;
      state_.next_out = reinterpret_cast<uint8_t*>(buffer);
      state_.avail_out = static_cast<uint32_t>(std::min<size_t>(size, 1U << 30));
      const int code = isal_inflate(&state_);
      const size_t produced = static_cast<size_t>(reinterpret_cast<char*>(state_.next_out) - buffer);
      if (code < 0) damage_ = describe(code);
      if (produced > 0) return produced;
      if (damage_) throw DamagedStream{*damage_};
      if (state_.block_state != ISAL_BLOCK_FINISH && state_.avail_in == 0 && file_done_) {
        damage_ = "unexpected end of file";
        throw DamagedStream{*damage_};
      }
    }
  }

 private:
  static constexpr uint64_t kGzipInputBytes = 1 << 20;

  // Reads up to `size` compressed bytes to `at`; 0 at the file's end.
  size_t read_input(uint8_t* at, size_t size) {
    for (;;) {
      const ssize_t n = ::read(fd_, at, size);
      if (n >= 0) {
        read_from_file_ += static_cast<uint64_t>(n);
        file_done_ = n == 0;
        return static_cast<size_t>(n);
      }
      if (errno == EINTR) continue;
      throw Error(ErrorKind::io, fmt::format("{}: read failed: {}", path_, std::strerror(errno)));
    }
  }

  void refill() {
    state_.next_in = input_.data();
    state_.avail_in = static_cast<uint32_t>(read_input(input_.data(), input_.size()));
  }

  // After a member's end: starts the next member if another follows, else says the data ends.
  bool next_member() {
    if (state_.avail_in < 2 && !file_done_) {
      // A member's magic bytes may straddle the input buffer's end: keep what is left.
      const uint32_t kept = state_.avail_in;
      std::memmove(input_.data(), state_.next_in, kept);
      const size_t n = read_input(input_.data() + kept, input_.size() - kept);
      state_.next_in = input_.data();
      state_.avail_in = kept + static_cast<uint32_t>(n);
    }
    if (state_.avail_in < 2 || state_.next_in[0] != 0x1f || state_.next_in[1] != 0x8b) return false;
    uint8_t* const next_in = state_.next_in;
    const uint32_t avail_in = state_.avail_in;
    isal_inflate_reset(&state_);
    state_.crc_flag = ISAL_GZIP;
    state_.next_in = next_in;
    state_.avail_in = avail_in;
    return true;
  }

  static std::string describe(int code) {
    switch (code) {
      case ISAL_INVALID_BLOCK: return "invalid deflate block";
      case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
      case ISAL_INVALID_WRAPPER: return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
      case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
      default: return fmt::format("inflate error {}", code);
    }
  }

  int fd_;
  std::string path_;
  std::vector<uint8_t> input_;
  inflate_state state_{};
  uint64_t read_from_file_ = 0;
  bool file_done_ = false;
  std::optional<std::string> damage_;
};

// Reads another Source ahead on a thread of its own, a few blocks at a time, so that
// decompressing the next block overlaps with parsing this one (two cores: inflate on one,
// the reader's parse on the other). What the source throws is thrown by the read that reaches
// the point where it happened.
class ReadAheadSource : public Source {
 public:
  explicit ReadAheadSource(std::unique_ptr<Source> inner) : inner_(std::move(inner)) {
    for (auto& block : blocks_) block.bytes.resize(kBlockBytes);
    worker_ = std::thread([this] { run(); });
  }
  ~ReadAheadSource() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    worker_.join();
  }
  ReadAheadSource(const ReadAheadSource&) = delete;
  ReadAheadSource& operator=(const ReadAheadSource&) = delete;

  uint64_t file_position() const override { return position_.load(std::memory_order_relaxed); }

  size_t read(char* buffer, size_t size) override {
    for (;;) {
      Block& block = blocks_[consumer_ % kBlocks];
      if (!block_ready(block)) continue;
      if (block.failure && taken_ == block.size) std::rethrow_exception(block.failure);
      if (block.size == 0 && !block.failure) return 0;  // end of data
      const size_t step = std::min(size, block.size - taken_);
      std::memcpy(buffer, block.bytes.data() + taken_, step);
      taken_ += step;
      if (taken_ == block.size && !block.failure) release(block);
      if (step > 0) return step;
    }
  }

 private:
  static constexpr size_t kBlocks = 4;
  static constexpr size_t kBlockBytes = size_t{4} << 20;

  struct Block {
    std::vector<char> bytes;
    size_t size = 0;
    uint64_t position = 0;  // the inner source's file position after this block
    std::exception_ptr failure;
    bool full = false;
  };

  // Waits for the consumer's block; true once it holds data.
  bool block_ready(Block& block) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return block.full; });
    position_.store(block.position, std::memory_order_relaxed);
    return true;
  }

  void release(Block& block) {
    {
      std::lock_guard lock(mutex_);
      block.full = false;
      ++consumer_;
      taken_ = 0;
    }
    changed_.notify_all();
  }

  void run() {
    for (size_t producer = 0;; ++producer) {
      Block& block = blocks_[producer % kBlocks];
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || !block.full; });
        if (stopping_) return;
      }
      block.size = 0;
      block.failure = nullptr;
      try {
        while (block.size < kBlockBytes) {
          const size_t n = inner_->read(block.bytes.data() + block.size, kBlockBytes - block.size);
          if (n == 0) break;
          block.size += n;
        }
      } catch (...) {
        block.failure = std::current_exception();
      }
      block.position = inner_->file_position();
      const bool last = block.size < kBlockBytes || block.failure;
      {
        std::lock_guard lock(mutex_);
        block.full = true;
      }
      changed_.notify_all();
      if (last) {
        if (block.size > 0 && !block.failure) continue;  // an empty block follows: the end
        return;
      }
    }
  }

  std::unique_ptr<Source> inner_;
  Block blocks_[kBlocks];
  size_t consumer_ = 0;  // the block read() takes bytes from
  size_t taken_ = 0;     // bytes of it taken
  std::atomic<uint64_t> position_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread worker_;
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
    // A thread of its own is worth it once inflating takes longer than starting one.
    if (file_bytes_ >= kReadAheadMinBytes) source_ = std::make_unique<ReadAheadSource>(std::move(source_));
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
