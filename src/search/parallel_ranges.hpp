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

// Rows [0, rows) as tasks for the threads `options` asks for: one task per thread.
inline TaskPlan row_tasks(size_t rows, const SearchOptions& options) {
  return TaskPlan(rows, options.threads, Split{kMinRowsPerThread, 1});
}

}  // namespace embtool::search
