// How a search splits its rows among threads: contiguous ranges of the thread pool's tasks
// (base/thread_pool.hpp), each scanned into its own per-task state (a heap, a collector) that
// is merged in task order afterwards, so that the answer does not depend on the thread count.
#pragma once

#include <cstddef>

#include "base/thread_pool.hpp"
#include "search/search.hpp"

namespace embtool::search {

// Below this many rows a second thread costs more than it saves.
inline constexpr size_t kMinRowsPerThread = 16384;
// Tasks per thread: with one each, a scan waits for the thread that starts last (a pool thread
// woken late, a core another process holds); with four, the threads that run take over its
// later tasks. Measured on a shared 2-core VM: one scan of a 1 GiB bfloat16 matrix 52 ms with
// one task per thread, 36 ms with four (bench/llm_open_scan.sh, later scans).
inline constexpr size_t kTasksPerThread = 4;

// Rows [0, rows) as tasks for the threads `options` asks for, kTasksPerThread each.
inline TaskPlan row_tasks(size_t rows, const SearchOptions& options) {
  return TaskPlan(rows, options.threads, Split{kMinRowsPerThread, kTasksPerThread});
}

}  // namespace embtool::search
