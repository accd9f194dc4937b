#include "search/search.hpp"
#include "search/top_k_heap.hpp"

namespace embtool {

std::vector<Neighbor> top_k(std::span<const float> scores, size_t k,
                            std::span<const uint32_t> excluded) {
  search::TopKHeap heap(k, excluded);
  for (uint32_t row = 0; row < scores.size(); ++row) heap.offer(row, scores[row]);
  return heap.take_sorted();
}

}  // namespace embtool
