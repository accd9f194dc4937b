// One pass over all rows: each thread scores its own contiguous range block by block (so the
// scores stay in cache) and keeps its own k best; the heaps are merged at the end. Scores do
// not depend on the partition, and ties are ordered by row, so any thread count gives the
// same answer.
#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "embtool/search.hpp"
#include "search/top_k_heap.hpp"

namespace embtool {
namespace {

constexpr uint32_t kBlockRows = 1024;
// Below this many rows a second thread costs more than it saves.
constexpr size_t kMinRowsPerThread = 16384;

size_t thread_count(size_t rows, const SearchOptions& options) {
  const size_t wanted = options.threads > 0 ? options.threads
                                            : std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<size_t>(rows / kMinRowsPerThread, 1, wanted);
}

std::vector<Neighbor> scan_range(uint32_t begin, uint32_t end, const BlockScorer& score_block,
                                 size_t k, std::span<const uint32_t> excluded) {
  search::TopKHeap heap(k, excluded);
  std::vector<float> scores(kBlockRows);
  for (uint32_t block = begin, block_end; block < end; block = block_end) {
    block_end = block + std::min(kBlockRows, end - block);
    score_block(block, block_end, scores.data());
    for (uint32_t row = block; row < block_end; ++row) heap.offer(row, scores[row - block]);
  }
  return heap.take_sorted();
}

}  // namespace

std::vector<Neighbor> scan_top_k(size_t rows, const BlockScorer& score_block, size_t k,
                                 std::span<const uint32_t> excluded, const SearchOptions& options) {
  if (k == 0 || rows == 0) return {};
  const size_t threads = thread_count(rows, options);
  const auto total = static_cast<uint32_t>(rows);
  if (threads == 1) return scan_range(0, total, score_block, k, excluded);

  std::vector<std::vector<Neighbor>> partial(threads);
  std::vector<std::exception_ptr> failures(threads);
  {
    std::vector<std::jthread> workers;
    for (size_t t = 0; t < threads; ++t) {
      const auto begin = static_cast<uint32_t>(rows * t / threads);
      const auto end = static_cast<uint32_t>(rows * (t + 1) / threads);
      workers.emplace_back([&, t, begin, end] {
        try {
          partial[t] = scan_range(begin, end, score_block, k, excluded);
        } catch (...) {
          failures[t] = std::current_exception();  // rethrown on the caller's thread
        }
      });
    }
  }  // jthreads join here
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  search::TopKHeap merged(k, {});
  for (const auto& part : partial) {
    for (const Neighbor& n : part) merged.offer(n.row, n.score);
  }
  return merged.take_sorted();
}

}  // namespace embtool
