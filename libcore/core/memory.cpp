#include "core/memory.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>
#if defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#endif

namespace rollup {

namespace {

std::size_t round_up(std::size_t bytes) { return (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1); }

#if defined(__linux__)
// The mappings kept while a RetainHugePages is alive: 2 MiB-aligned runs of whole huge pages.
struct Run {
  std::uintptr_t begin;
  std::size_t length;
};

struct Kept {
  std::mutex mutex;
  unsigned holders = 0;
  std::vector<Run> runs;
  std::size_t mapped = 0;  // bytes mapped by allocate_huge and not unmapped, kept ones included
  std::size_t peak = 0;    // the most `mapped` has been
};

Kept& kept_runs() {
  static Kept k;
  return k;
}

void unmap(const Run& run) { munmap(reinterpret_cast<void*>(run.begin), run.length); }

// Bytes in the kept runs. Under the lock.
std::size_t kept_bytes(const Kept& k) {
  std::size_t bytes = 0;
  for (const Run& run : k.runs) bytes += run.length;
  return bytes;
}

// Takes `length` bytes from the kept runs: the smallest run that holds them, cut to size. Under
// the lock.
void* take_kept(Kept& k, std::size_t length) {
  auto best = k.runs.end();
  for (auto it = k.runs.begin(); it != k.runs.end(); ++it)
    if (it->length >= length && (best == k.runs.end() || it->length < best->length)) best = it;
  if (best == k.runs.end()) return nullptr;
  const std::uintptr_t begin = best->begin;
  if (best->length == length) {
    *best = k.runs.back();
    k.runs.pop_back();
  } else {
    best->begin += length;
    best->length -= length;
  }
  return reinterpret_cast<void*>(begin);
}

// Unmaps kept runs, largest first, until `length` more bytes can be mapped without passing the
// peak (or nothing is kept). Under the lock.
void make_room(Kept& k, std::size_t length) {
  std::sort(k.runs.begin(), k.runs.end(), [](const Run& a, const Run& b) { return a.length < b.length; });
  while (!k.runs.empty() && k.mapped + length > k.peak) {
    unmap(k.runs.back());
    k.mapped -= k.runs.back().length;
    k.runs.pop_back();
  }
}

void* map_aligned(std::size_t length) {
  // One huge page more than needed, then unmap what lies outside the aligned run.
  void* raw = mmap(nullptr, length + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t end = begin + length + kHugePageBytes;
  if (aligned > begin) munmap(raw, aligned - begin);
  if (end > aligned + length) munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
  advise_huge_pages(reinterpret_cast<void*>(aligned), length);
  return reinterpret_cast<void*>(aligned);
}
#endif

}  // namespace

void keep_freed_heap() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

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
  const std::size_t length = round_up(bytes);
  Kept& k = kept_runs();
  std::lock_guard lock(k.mutex);
  if (void* reused = take_kept(k, length)) return reused;
  make_room(k, length);
  void* fresh = map_aligned(length);
  k.mapped += length;
  k.peak = std::max(k.peak, k.mapped);
  return fresh;
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
  const Run run{reinterpret_cast<std::uintptr_t>(data), round_up(bytes)};
  Kept& k = kept_runs();
  std::lock_guard lock(k.mutex);
  if (k.holders > 0) {
    try {
      k.runs.push_back(run);
      return;
    } catch (const std::bad_alloc&) {
      // No room to note it: unmapped like any other.
    }
  }
  unmap(run);
  k.mapped -= run.length;
#else
  ::operator delete(data, std::align_val_t{kHugePageBytes});
#endif
}

RetainHugePages::RetainHugePages() {
#if defined(__linux__)
  Kept& k = kept_runs();
  std::lock_guard lock(k.mutex);
  ++k.holders;
#endif
}

RetainHugePages::~RetainHugePages() {
#if defined(__linux__)
  Kept& k = kept_runs();
  std::lock_guard lock(k.mutex);
  if (--k.holders > 0) return;
  for (const Run& run : k.runs) unmap(run);
  k.mapped -= kept_bytes(k);
  k.runs.clear();
#endif
}

std::size_t retained_huge_bytes() {
#if defined(__linux__)
  Kept& k = kept_runs();
  std::lock_guard lock(k.mutex);
  return kept_bytes(k);
#else
  return 0;
#endif
}

}  // namespace rollup
