#pragma once
// Large arrays that the prover fills once and then reads in scattered order (an LDE's cosets,
// read 100 columns at a time by the constraint evaluation). Backed by transparent huge pages
// where the kernel offers them (Linux's "madvise" mode), a column takes one 2 MiB page fault
// instead of 512 small ones when first written, and far fewer TLB misses when read.
//
// Advice on memory from malloc is not enough: a column of 2^18 elements is exactly 2 MiB, and
// malloc's header puts it 16 bytes past a page boundary, so no whole huge page lies inside it
// and the kernel backs all of it with small pages (the SchnorrAir's 110 columns of 2 MiB took
// 3.5 s of page faults and zeroing in an 18 s proof). HugePageAllocator maps such arrays itself,
// aligned to 2 MiB.
//
// The kernel zeroes every page it maps in, and on this 2-core VM a fresh 2 GiB LDE spends seconds
// in that and in the faults. A block proof of an ecgfp5 rollup proves two STARKs one after the
// other, each with about 2 GiB of cosets: RetainHugePages lets the second take the first's
// mappings, already faulted in, instead of the kernel's.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace rollup {

inline constexpr std::size_t kHugePageBytes = std::size_t{1} << 21;

/// Asks the kernel to back the 2 MiB-aligned part of [data, data + bytes) with huge pages; does
/// nothing where the system has none, and never fails.
void advise_huge_pages(void* data, std::size_t bytes);

/// For a process that does the same work over and over in a few MB of buffers (a verifier that
/// checks block after block: rollup-verify, the contract in rollup-submit). glibc's malloc maps
/// each array over its threshold (128 KiB, rising with what was freed) afresh and unmaps it when
/// freed, and trims the heap's free top, so every verification faults its buffers in again: about
/// 200 page faults, a fifth of a 9 ms verification of a realistic block on this VM. Keeps arrays
/// under 64 MiB in the heap and up to 256 MiB of free heap top (both: fixing one threshold stops
/// glibc adapting the other). Not for the prover, whose peak memory it would raise.
void keep_freed_heap();

/// At least `bytes`, aligned to kHugePageBytes and advised as huge pages when `bytes` is a huge
/// page or more (its own mapping, zero-filled); from operator new below that. Throws
/// std::bad_alloc.
void* allocate_huge(std::size_t bytes);
/// Frees what allocate_huge(bytes) returned (keeps it while a RetainHugePages is alive).
void deallocate_huge(void* data, std::size_t bytes) noexcept;

/// While one is alive (on any thread), the mappings of allocate_huge that are freed are kept, up
/// to the largest size a process has held at once, and later allocations take them, whole or
/// cut to size, instead of mapping new memory; one that none fits unmaps kept memory first, so
/// that keeping never raises the peak. The last one to go unmaps everything kept. For a span of
/// work whose phases free and allocate arrays of about the same total size (ProverSession's block
/// proofs); memory kept is not zero.
class RetainHugePages {
 public:
  RetainHugePages();
  ~RetainHugePages();
  RetainHugePages(const RetainHugePages&) = delete;
  RetainHugePages& operator=(const RetainHugePages&) = delete;
};
/// Bytes of freed mappings kept now (for tests and benchmarks).
std::size_t retained_huge_bytes();

/// The allocator of HugeVector. A trivially copyable element that is constructed without a value
/// (resize(n), not resize(n, v)) is left as the memory holds it (zero in a fresh mapping, anything
/// in a kept one): every array the prover resizes so is written whole before it is read, and
/// zeroing it first would be one more pass over memory, most of it not yet faulted in.
template <class T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t count) { return static_cast<T*>(allocate_huge(count * sizeof(T))); }
  void deallocate(T* data, std::size_t count) noexcept { deallocate_huge(data, count * sizeof(T)); }

  template <class U>
  void construct(U* at) noexcept(std::is_nothrow_default_constructible_v<U>) {
    if constexpr (!(std::is_trivially_copyable_v<U> && std::is_trivially_destructible_v<U>))
      ::new (static_cast<void*>(at)) U();
  }
  template <class U, class... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace rollup
