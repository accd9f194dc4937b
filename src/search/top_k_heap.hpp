// The k best (score, row) pairs seen so far, in a heap whose root is the weakest kept.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "search/search.hpp"

namespace embtool::search {

// Higher score first; equal scores by lower row, so that answers never depend on scan order.
inline bool ranks_before(const Neighbor& a, const Neighbor& b) {
  return a.score > b.score || (a.score == b.score && a.row < b.row);
}

class TopKHeap {
 public:
  // `k` may exceed the rows there are (--k 66666666666666): the heap grows with what it keeps,
  // and only a bounded start is reserved.
  TopKHeap(size_t k, std::span<const uint32_t> excluded) : k_(k), excluded_(excluded) {
    best_.reserve(std::min<size_t>(k, 4096) + 1);
  }

  void offer(uint32_t row, float score) {
    if (k_ == 0 || std::isnan(score)) return;
    const Neighbor candidate{row, score};
    if (best_.size() == k_ && !ranks_before(candidate, best_.front())) return;
    // Checked last: only rows good enough to enter the heap pay for the lookup.
    if (std::find(excluded_.begin(), excluded_.end(), row) != excluded_.end()) return;
    best_.push_back(candidate);
    std::push_heap(best_.begin(), best_.end(), ranks_before);
    if (best_.size() > k_) {
      std::pop_heap(best_.begin(), best_.end(), ranks_before);
      best_.pop_back();
    }
  }

  // The score a newcomer must beat to enter: the weakest kept one once k are kept, else -inf.
  float entry_score() const {
    return best_.size() == k_ && k_ > 0 ? best_.front().score : -std::numeric_limits<float>::infinity();
  }

  // Takes in what `other` kept (leaving it empty): this heap then holds the k best of all the
  // pairs both were offered. ranks_before is a total order, so the k best do not depend on
  // the order pairs come in: merging per-task heaps gives one scan's answer for any split.
  void merge(TopKHeap&& other) {
    for (const Neighbor& n : other.best_) offer(n.row, n.score);
    other.best_.clear();
  }

  // The kept pairs, best first; the heap is left empty.
  std::vector<Neighbor> take_sorted() {
    std::sort(best_.begin(), best_.end(), ranks_before);
    return std::move(best_);
  }

 private:
  size_t k_;
  std::span<const uint32_t> excluded_;
  std::vector<Neighbor> best_;
};

// The k best of the per-task heaps of one search, best first (the heaps are left empty).
inline std::vector<Neighbor> merge_top_k(size_t k, std::span<TopKHeap> per_task) {
  TopKHeap merged(k, {});
  for (TopKHeap& heap : per_task) merged.merge(std::move(heap));
  return merged.take_sorted();
}

}  // namespace embtool::search
