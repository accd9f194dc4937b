#include "search/candidates.hpp"

#include <algorithm>
#include <cmath>

namespace embtool::search {

CandidateCollector::CandidateCollector(size_t k, std::span<const uint32_t> excluded)
    : lower_(k, excluded), k_(k) {}

void CandidateCollector::offer(uint32_t row, float approx, float error) {
  if (std::isnan(approx)) return;
  const float upper = approx + error;
  if (upper < lower_.entry_score()) return;
  candidates_.push_back({row, upper});
  lower_.offer(row, approx - error);
  // Early in a scan lambda is low and many rows get in; drop those it has since passed.
  if (candidates_.size() > std::max<size_t>(4096, 16 * k_)) {
    const float lambda = lower_.entry_score();
    std::erase_if(candidates_, [lambda](const Candidate& c) { return c.upper < lambda; });
  }
}

std::vector<Neighbor> exact_top_k(const Embeddings& e, std::span<const float> unit_query, size_t k,
                                  std::span<const uint32_t> excluded,
                                  std::span<CandidateCollector* const> collectors) {
  TopKHeap lower(k, excluded);
  for (CandidateCollector* c : collectors) lower.merge(std::move(c->lower_bounds()));
  const float lambda = lower.entry_score();
  std::vector<uint32_t> rows;
  for (const CandidateCollector* c : collectors) {
    for (const Candidate& candidate : c->candidates()) {
      if (candidate.upper >= lambda) rows.push_back(candidate.row);
    }
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::vector<float> scores(rows.size());
  cosine_of_rows(e, unit_query, rows, scores.data());
  TopKHeap best(k, excluded);
  for (size_t i = 0; i < rows.size(); ++i) best.offer(rows[i], scores[i]);
  return best.take_sorted();
}

}  // namespace embtool::search
