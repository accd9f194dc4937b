// Reading memory as fast as the machine can: the reference every scan's speed is a ratio to.
// The sum is over 32-bit integers, split among `threads` threads; best of `rounds`.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

namespace bench {

// Eight accumulators so that the compiler vectorizes and the adds do not wait on each other.
// The words are summed as integers: a float add's latency (3-4 cycles) over eight floats in
// the portable build's 16-byte vectors caps a thread near 17 GB/s at 2 GHz, below what memory
// delivers, while integer adds (1 cycle) leave the memory the limit; and a file's bytes as
// floats would hold subnormals, whose microcode assists would be measured instead.
template <class T>
T sum_range(const T* data, size_t n) {
  T acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += data[i + k];
  }
  for (; i < n; ++i) acc[0] += data[i];
  T total = 0;
  for (T a : acc) total += a;
  return total;
}

template <class T>
double best_gbps(std::span<const T> data, unsigned threads, int rounds = 5) {
  double best = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<T> partial(threads);
    const auto start = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> workers;
      for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
          const size_t begin = data.size() * t / threads;
          const size_t end = data.size() * (t + 1) / threads;
          partial[t] = sum_range(data.data() + begin, end - begin);
        });
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    volatile T sink = partial[0];
    (void)sink;
    best = std::max(best, static_cast<double>(data.size() * sizeof(T)) / seconds / 1e9);
  }
  return best;
}

// The best read bandwidth, in GB/s, over `bytes` (a mapped store section, say): the whole
// range once per round, every thread a slice of it.
inline double read_gbps(const std::byte* bytes, size_t size, unsigned threads, int rounds = 5) {
  const std::span<const uint32_t> words(reinterpret_cast<const uint32_t*>(bytes), size / sizeof(uint32_t));
  return best_gbps(words, threads, rounds);
}

}  // namespace bench
