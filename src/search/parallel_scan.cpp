// One pass over all rows: each thread scores its own contiguous range block by block (so the
// scores stay in cache) and keeps its own k best; the heaps are merged at the end. Scores do
// not depend on the partition, and ties are ordered by row, so any thread count gives the
// same answer.
#include <algorithm>
#include <vector>

#include "search/search.hpp"
#include "search/parallel_ranges.hpp"
#include "search/top_k_heap.hpp"

namespace embtool {
namespace {

constexpr uint32_t kBlockRows = 1024;

void scan_range(uint32_t begin, uint32_t end, const BlockScorer& score_block,
                search::TopKHeap& heap) {
  std::vector<float> scores(kBlockRows);
  for (uint32_t block = begin, block_end; block < end; block = block_end) {
    block_end = block + std::min(kBlockRows, end - block);
    score_block(block, block_end, scores.data());
    for (uint32_t row = block; row < block_end; ++row) heap.offer(row, scores[row - block]);
  }
}

}  // namespace

std::vector<Neighbor> scan_top_k(size_t rows, const BlockScorer& score_block, size_t k,
                                 std::span<const uint32_t> excluded, const SearchOptions& options) {
  if (k == 0 || rows == 0) return {};
  const TaskPlan plan = search::row_tasks(rows, options);
  std::vector<search::TopKHeap> heaps(plan.tasks(), search::TopKHeap(k, excluded));
  parallel_for(plan, [&](const Task& task) {
    scan_range(static_cast<uint32_t>(task.begin), static_cast<uint32_t>(task.end), score_block,
               heaps[task.index]);
  });
  return search::merge_top_k(k, heaps);
}

}  // namespace embtool
