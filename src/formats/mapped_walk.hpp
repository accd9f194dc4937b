// What the readers that walk a mapped file on every core at once share: running the shares,
// summing their progress for the one thread that may report it, and asking the kernel to map
// the pages a share will read.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/byte_source.hpp"
#include "base/mapped_file.hpp"
#include "base/thread_pool.hpp"
#include "formats/format.hpp"

namespace embtool::formats {

// Runs body(i, on_this_thread) for every i below `count` on `threads` threads of the pool,
// this one included, each taking the next i not yet taken; rethrows what a task threw. This
// thread always runs task 0, so that what it reports (progress) starts with the first share.
template <class Body>
void run_tasks(size_t count, unsigned threads, const Body& body) {
  parallel_for(TaskPlan(count, threads, Split::each_item()), [&](const Task& task) {
    for (size_t i = task.begin; i < task.end; ++i) body(i, task.on_calling_thread);
  });
}

// How far each share's walk has come, summed for options.progress, which is only ever called
// on the caller's thread and never with a smaller value than before.
class SharedProgress {
 public:
  SharedProgress(const LoadOptions& options, uint64_t data_start, uint64_t file_bytes, size_t chunks);
  bool wanted() const { return static_cast<bool>(options_.progress); }
  // For a second walk from the start; reports still never go back.
  void restart();
  void set(size_t chunk, uint64_t bytes_done) {
    done_[chunk].store(bytes_done, std::memory_order_relaxed);
  }
  void report();
  void report_position(uint64_t position);

 private:
  const LoadOptions& options_;
  uint64_t data_start_;
  uint64_t file_bytes_;
  std::unique_ptr<std::atomic<uint64_t>[]> done_;
  size_t chunks_;
  uint64_t reported_ = 0;
};

// The file `in` reads (not gzip), mapped read-only with huge folios preferred, or nullptr if
// it does not map (a device, say) or changed size since `in` opened it: the readers then leave
// it to the stream that has it open.
std::shared_ptr<const MappedFile> map_as_opened(const ByteReader& in);

// Asks that what this mapping reads from disk comes into the page cache in 2 MiB folios
// (see the .cpp). A hint: ignored where unsupported.
void prefer_huge_folios(const MappedFile& file);

// Maps the pages of `bytes` into the process in one call, before they are read.
void map_pages(std::string_view bytes);

// The cores this process may use.
unsigned core_count();

}  // namespace embtool::formats
