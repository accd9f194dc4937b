// Exact top-k from estimates. A scan that only estimates each row's cosine (a float16 or int8
// copy, a batch's matrix product) gives every row an interval [approx - error, approx + error]
// that holds its float32 score. The k best lower bounds prove that the k-th float32 score is at
// least the weakest of them, lambda; a row whose upper bound is below lambda cannot be in the
// answer. Every other row is re-scored with the float32 kernel exactly as the plain scan scores
// it and ranked by the same heap, so the answer is the plain scan's, bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "search/search.hpp"
#include "search/top_k_heap.hpp"

namespace embtool::search {

// Below this norm the bounds' absolute terms (underflow) are no longer negligible once
// divided by the norm: blocks holding such rows get an infinite error, so every row in them
// is re-scored.
inline constexpr float kTinyNorm = 1e-30f;

struct Candidate {
  uint32_t row;
  float upper;
};

// One query's candidates within one thread's rows.
class CandidateCollector {
 public:
  CandidateCollector(size_t k, std::span<const uint32_t> excluded);

  // What a row's upper bound must reach to matter now (it only rises).
  float entry_score() const { return lower_.entry_score(); }

  // A row's estimate; NaN (a zero row, which the plain scan skips too) is ignored.
  void offer(uint32_t row, float approx, float error);

  TopKHeap& lower_bounds() { return lower_; }
  const std::vector<Candidate>& candidates() const { return candidates_; }

 private:
  TopKHeap lower_;
  size_t k_;
  std::vector<Candidate> candidates_;
};

// The answer from every thread's collector for one query: lambda from all lower bounds, then
// the surviving candidates re-scored in float32.
std::vector<Neighbor> exact_top_k(const Embeddings& e, std::span<const float> unit_query, size_t k,
                                  std::span<const uint32_t> excluded,
                                  std::span<CandidateCollector* const> collectors);

}  // namespace embtool::search
