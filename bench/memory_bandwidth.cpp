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

#include "read_bandwidth.hpp"


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
  std::printf("first_pass %.2f\n", bench::best_gbps(data, cores, 1));
  std::printf("second_pass %.2f\n", bench::best_gbps(data, cores, 1));
  std::printf("later_passes %.2f\n", bench::best_gbps(data, cores, 3));
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--mapped") == 0) return mapped(argv[2]);
  const double gib = argc > 1 ? std::atof(argv[1]) : 2.0;
  const std::vector<uint32_t> data(static_cast<size_t>(gib * (1ull << 30) / sizeof(uint32_t)), 1u);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("1 %.2f\n", bench::best_gbps<uint32_t>(data, 1));
  if (cores > 1) std::printf("%u %.2f\n", cores, bench::best_gbps<uint32_t>(data, cores));
  return 0;
}
