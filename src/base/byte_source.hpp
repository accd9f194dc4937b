// Buffered reading of a vector file, plain or gzip-compressed, with the position in the
// (decompressed) stream kept for error messages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace embtool::formats {

// Thrown by a gzip Source whose stream is damaged or cut short; ByteReader turns it into an
// Error that says where in the data it happened.
struct DamagedStream {
  std::string detail;  // the inflater's words
};

// Where raw bytes come from: a plain file or a gzip stream.
class Source {
 public:
  virtual ~Source() = default;
  // Reads up to `size` bytes; 0 means end of data. Throws Error on a read failure.
  virtual size_t read(char* buffer, size_t size) = 0;
  // How far into the file on disk reading has come (for gzip, in compressed bytes).
  virtual uint64_t file_position() const = 0;
};

class ByteReader {
 public:
  // Opens `path`; gzip input (magic bytes 1f 8b) is decompressed as it streams.
  explicit ByteReader(const std::filesystem::path& path);

  const std::string& path() const { return path_; }
  bool is_gzip() const { return gzip_; }
  uint64_t file_bytes() const { return file_bytes_; }
  // Bytes read so far from the file on disk, for progress reports.
  uint64_t file_position() const { return source_->file_position(); }
  // Bytes consumed so far from the (decompressed) stream.
  uint64_t offset() const { return consumed_before_buffer_ + pos_; }
  // The 1-based record (word) being read, named by errors found in the stream under it.
  void set_record(uint64_t record) { record_ = record; }

  // Up to `size` upcoming bytes without consuming them (fewer only at end of data).
  std::string_view peek(size_t size);
  bool at_end();
  void skip(size_t size);
  // Consumes and returns the next byte, or -1 at end of data.
  int get();
  // Copies up to `size` bytes into `dst`; returns how many (fewer only at end of data).
  size_t read(char* dst, size_t size);

  enum class Until { found, end_of_data, too_long };
  // Appends to `out` the bytes before the next `delimiter` and consumes the delimiter.
  // Stops with too_long once `out` would exceed `max_size` bytes.
  Until read_until(char delimiter, std::string& out, size_t max_size);

 private:
  bool fill(size_t wanted);
  // fill(1), but a damaged stream that has run out throws its Error here.
  bool more();

  std::string path_;
  bool gzip_ = false;
  uint64_t file_bytes_ = 0;
  std::unique_ptr<Source> source_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t consumed_before_buffer_ = 0;
  bool source_done_ = false;
  uint64_t record_ = 0;
  std::optional<std::string> damage_;  // what the inflater said, once the stream broke
  uint64_t damaged_at_ = 0;            // decompressed bytes before the break
};

}  // namespace embtool::formats
