// The machine's memory read bandwidth: the best of 5 sums of a large float array, with 1
// thread and with every core. Prints "threads GB/s" lines.
//
//   memory_bandwidth [GiB, default 2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// Eight accumulators so that the compiler vectorizes and the adds do not wait on each other.
float sum_range(const float* data, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += data[i + k];
  }
  for (; i < n; ++i) acc[0] += data[i];
  float total = 0;
  for (float a : acc) total += a;
  return total;
}

double best_gbps(const std::vector<float>& data, unsigned threads) {
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    std::vector<float> partial(threads);
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
    volatile float sink = partial[0];
    (void)sink;
    best = std::max(best, static_cast<double>(data.size() * sizeof(float)) / seconds / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const double gib = argc > 1 ? std::atof(argv[1]) : 2.0;
  std::vector<float> data(static_cast<size_t>(gib * (1ull << 30) / sizeof(float)), 1.0f);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("1 %.2f\n", best_gbps(data, 1));
  if (cores > 1) std::printf("%u %.2f\n", cores, best_gbps(data, cores));
  return 0;
}
