// Memory for the 100+ MB arrays that readers build at open (word2vec binary's vocabulary and
// offsets, GGUF's decoded rows): an allocator that asks for 2 MiB pages.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace embtool {

// Large arrays in transparent huge pages where the system allows them (THP "madvise" mode):
// filling 100+ MB of freshly allocated 4 KiB pages would cost a page fault every 4 KiB, a
// sizable part of the whole load. Only pages written to get memory, so reserving generously
// costs nothing (MAP_NORESERVE: nor does it count against the overcommit heuristic). Small
// arrays come from the ordinary allocator.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kMinBytes = size_t{4} << 20;
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  static size_t mapped_bytes(size_t n) {
    return (n * sizeof(T) + kHugePage - 1) & ~(kHugePage - 1);
  }

  T* allocate(size_t n) {
    if (n * sizeof(T) < kMinBytes) return std::allocator<T>().allocate(n);
    void* memory = ::mmap(nullptr, mapped_bytes(n), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    ::madvise(memory, mapped_bytes(n), MADV_HUGEPAGE);  // a hint: fine if refused
    return static_cast<T*>(memory);
  }
  void deallocate(T* memory, size_t n) noexcept {
    if (n * sizeof(T) < kMinBytes) return std::allocator<T>().deallocate(memory, n);
    ::munmap(memory, mapped_bytes(n));
  }
  // resize() leaves new elements uninitialized (each is written next, and filling them first
  // would write every fresh page twice); construction with a value works as usual.
  template <class U>
  void construct(U* element) noexcept {
    ::new (static_cast<void*>(element)) U;
  }
  template <class U, class... Args>
  void construct(U* element, Args&&... args) {
    ::new (static_cast<void*>(element)) U(std::forward<Args>(args)...);
  }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace embtool
