#include <catch2/catch.hpp>

#include <limits>
#include <random>
#include <vector>

#include "search/top_k_heap.hpp"

using namespace embtool;

namespace {

// Scores with many ties (a few distinct values) and a NaN now and then.
std::vector<float> tied_scores(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(0, 9);
  std::vector<float> scores(n);
  for (float& s : scores) s = value(rng) == 9 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(value(rng)) / 8;
  return scores;
}

}  // namespace

TEST_CASE("merging per-task heaps gives one heap's answer for any split", "[search]") {
  const std::vector<float> scores = tied_scores(5000, 7);
  const std::vector<uint32_t> excluded = {3, 17, 4999};
  for (size_t k : {0u, 1u, 10u, 600u, 6000u}) {
    search::TopKHeap whole(k, excluded);
    for (uint32_t r = 0; r < scores.size(); ++r) whole.offer(r, scores[r]);
    const std::vector<Neighbor> want = whole.take_sorted();
    for (size_t tasks : {1u, 2u, 3u, 7u, 64u}) {
      INFO("k " << k << ", " << tasks << " tasks");
      std::vector<search::TopKHeap> heaps(tasks, search::TopKHeap(k, excluded));
      for (size_t t = 0; t < tasks; ++t) {
        for (size_t r = scores.size() * t / tasks; r < scores.size() * (t + 1) / tasks; ++r) {
          heaps[t].offer(static_cast<uint32_t>(r), scores[r]);
        }
      }
      CHECK(search::merge_top_k(k, heaps) == want);
      for (search::TopKHeap& heap : heaps) CHECK(heap.take_sorted().empty());  // merged away
    }
  }
}
