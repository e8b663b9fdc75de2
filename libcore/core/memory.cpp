#include "core/memory.hpp"

#include <cstdint>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace rollup {

namespace {

std::size_t round_up(std::size_t bytes) { return (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1); }

}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t last = (begin + bytes) & ~(kHugePageBytes - 1);
  // Advice only: a kernel without transparent huge pages answers EINVAL, which changes nothing.
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

void* allocate_huge(std::size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes);
#if defined(__linux__)
  // Map one huge page more than needed and unmap what lies outside the aligned run.
  const std::size_t length = round_up(bytes);
  void* raw = mmap(nullptr, length + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t end = begin + length + kHugePageBytes;
  if (aligned > begin) munmap(raw, aligned - begin);
  if (end > aligned + length) munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
  advise_huge_pages(reinterpret_cast<void*>(aligned), length);
  return reinterpret_cast<void*>(aligned);
#else
  return ::operator new(round_up(bytes), std::align_val_t{kHugePageBytes});
#endif
}

void deallocate_huge(void* data, std::size_t bytes) noexcept {
  if (data == nullptr) return;
  if (bytes < kHugePageBytes) {
    ::operator delete(data);
    return;
  }
#if defined(__linux__)
  munmap(data, round_up(bytes));
#else
  ::operator delete(data, std::align_val_t{kHugePageBytes});
#endif
}

}  // namespace rollup
