// The machine's memory read bandwidth: the best of 5 sums of a large array, with 1
// thread and with every core. Prints "threads GB/s" lines.
//
//   memory_bandwidth [GiB, default 2]
//
// With --mapped FILE: the same sum over FILE mapped read-only (in the page cache), every core:
// the first pass of this fresh process over the mapping (what any fresh process that reads the
// file pays once: page-table setup included), the second, and the best of 3 after those.
// Prints "first_pass GB/s", "second_pass GB/s" and "later_passes GB/s".
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

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

}  // namespace

int mapped(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  struct stat status {};
  if (fd < 0 || ::fstat(fd, &status) != 0 || status.st_size < 4) {
    std::fprintf(stderr, "memory_bandwidth: cannot open %s\n", path);
    return 1;
  }
  const auto size = static_cast<size_t>(status.st_size);
  void* bytes = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (bytes == MAP_FAILED) {
    std::fprintf(stderr, "memory_bandwidth: cannot map %s\n", path);
    return 1;
  }
  const std::span<const uint32_t> data(static_cast<const uint32_t*>(bytes), size / sizeof(uint32_t));
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("first_pass %.2f\n", best_gbps(data, cores, 1));
  std::printf("second_pass %.2f\n", best_gbps(data, cores, 1));
  std::printf("later_passes %.2f\n", best_gbps(data, cores, 3));
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--mapped") == 0) return mapped(argv[2]);
  const double gib = argc > 1 ? std::atof(argv[1]) : 2.0;
  const std::vector<uint32_t> data(static_cast<size_t>(gib * (1ull << 30) / sizeof(uint32_t)), 1u);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("1 %.2f\n", best_gbps<uint32_t>(data, 1));
  if (cores > 1) std::printf("%u %.2f\n", cores, best_gbps<uint32_t>(data, cores));
  return 0;
}
