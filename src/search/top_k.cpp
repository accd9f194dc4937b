#include <algorithm>
#include <cmath>

#include "embtool/search.hpp"

namespace embtool {
namespace {

// Higher score first; equal scores by lower row, so that answers never depend on scan order.
bool ranks_before(const Neighbor& a, const Neighbor& b) {
  return a.score > b.score || (a.score == b.score && a.row < b.row);
}

}  // namespace

std::vector<Neighbor> top_k(std::span<const float> scores, size_t k,
                            std::span<const uint32_t> excluded) {
  std::vector<Neighbor> best;  // a min-heap under ranks_before: best.front() is the weakest kept
  if (k == 0) return best;
  best.reserve(k + 1);
  for (uint32_t row = 0; row < scores.size(); ++row) {
    const Neighbor candidate{row, scores[row]};
    if (std::isnan(candidate.score)) continue;
    if (best.size() == k && !ranks_before(candidate, best.front())) continue;
    if (std::find(excluded.begin(), excluded.end(), row) != excluded.end()) continue;
    best.push_back(candidate);
    std::push_heap(best.begin(), best.end(), ranks_before);
    if (best.size() > k) {
      std::pop_heap(best.begin(), best.end(), ranks_before);
      best.pop_back();
    }
  }
  std::sort(best.begin(), best.end(), ranks_before);
  return best;
}

}  // namespace embtool
