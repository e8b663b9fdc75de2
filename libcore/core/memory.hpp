#pragma once
// Large arrays that the prover fills once and then reads in scattered order (an LDE's cosets,
// read 50 columns at a time by the constraint evaluation): backed by transparent huge pages where
// the kernel offers them (Linux's "madvise" mode), they take a 2 MiB page fault instead of 512
// small ones when first written, and far fewer TLB misses when read. The contents never change.
#include <cstddef>
#include <vector>

namespace rollup {

/// Asks the kernel to back the 2 MiB-aligned part of [data, data + bytes) with huge pages; does
/// nothing where the system has none, and never fails.
void advise_huge_pages(void* data, std::size_t bytes);

/// Gives `v` room for at least `count` elements, advising huge pages for a new allocation of
/// at least one huge page (before anything is written to it, so that the first touch faults a
/// whole huge page in).
template <class T>
void reserve_huge(std::vector<T>& v, std::size_t count) {
  if (v.capacity() >= count) return;
  v.reserve(count);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace rollup
