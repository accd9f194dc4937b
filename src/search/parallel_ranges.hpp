// Splits rows [0, rows) into one contiguous range per thread and runs `work(thread, begin, end)`
// on each, on its own thread; an exception thrown by any of them is rethrown to the caller.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "search/search.hpp"

namespace embtool::search {

// Below this many rows a second thread costs more than it saves.
inline constexpr size_t kMinRowsPerThread = 16384;

inline size_t thread_count(size_t rows, const SearchOptions& options) {
  const size_t wanted = options.threads > 0 ? options.threads
                                            : std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<size_t>(rows / kMinRowsPerThread, 1, wanted);
}

template <typename Work>
void run_in_ranges(size_t rows, size_t threads, Work&& work) {
  auto range = [&](size_t t) {
    return std::pair{static_cast<uint32_t>(rows * t / threads),
                     static_cast<uint32_t>(rows * (t + 1) / threads)};
  };
  if (threads == 1) {
    work(size_t{0}, uint32_t{0}, static_cast<uint32_t>(rows));
    return;
  }
  std::vector<std::exception_ptr> failures(threads);
  {
    std::vector<std::jthread> workers;
    for (size_t t = 1; t < threads; ++t) {
      workers.emplace_back([&, t] {
        try {
          const auto [begin, end] = range(t);
          work(t, begin, end);
        } catch (...) {
          failures[t] = std::current_exception();
        }
      });
    }
    try {
      const auto [begin, end] = range(0);
      work(size_t{0}, begin, end);  // the calling thread takes the first range
    } catch (...) {
      failures[0] = std::current_exception();
    }
  }  // jthreads join here
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

}  // namespace embtool::search
