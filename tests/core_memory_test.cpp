// core/memory.hpp: HugeVector behaves as any vector; large ones get mappings of their own,
// aligned to a huge page; huge-page advice is only advice; keep_freed_heap keeps freed memory.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <numeric>

#include "core/memory.hpp"

using namespace rollup;

TEST_CASE("a HugeVector holds what it is given, large or small", "[core]") {
  const std::size_t large = std::size_t{1} << 20;  // 8 MiB: four huge pages
  HugeVector<std::uint64_t> v = {1, 2, 3};
  v.reserve(large);
  REQUIRE(v.capacity() >= large);
  CHECK(v == HugeVector<std::uint64_t>{1, 2, 3});
#if defined(__linux__)
  CHECK(reinterpret_cast<std::uintptr_t>(v.data()) % kHugePageBytes == 0);
#endif
  const auto* before = v.data();
  v.reserve(10);  // already room: no reallocation
  CHECK(v.data() == before);
  v.resize(large);
  std::iota(v.begin(), v.end(), std::uint64_t{0});
  CHECK(v[12345] == 12345);
  CHECK(v.back() == large - 1);
  // A size that is no multiple of a huge page, a copy, and a vector below a huge page.
  HugeVector<std::uint64_t> odd(large + 7, 9);
  CHECK(odd.back() == 9);
  HugeVector<std::uint64_t> copy = v;
  CHECK(copy == v);
  HugeVector<std::uint64_t> small(5, 4);
  CHECK(small == HugeVector<std::uint64_t>(5, 4));
  // resize with a value fills with it, over memory that held other values.
  v.resize(16);
  v.resize(large, 7);
  CHECK(v[15] == 15);
  CHECK(v[16] == 7);
  CHECK(v.back() == 7);
}

TEST_CASE("huge-page advice never fails", "[core]") {
  // Ranges smaller than a huge page, unaligned, or empty: nothing to advise, nothing breaks.
  std::uint64_t small[4] = {};
  advise_huge_pages(small, sizeof small);
  advise_huge_pages(small + 1, 3 * sizeof(std::uint64_t));
  advise_huge_pages(nullptr, 0);
  CHECK(small[0] == 0);
}

TEST_CASE("freed huge arrays are kept while a RetainHugePages lives, and reused", "[core]") {
  const std::size_t four_pages = 4 * kHugePageBytes / sizeof(std::uint64_t);  // 8 MiB
  REQUIRE(retained_huge_bytes() == 0);
  {
    const RetainHugePages retain;
    const std::uint64_t* first = nullptr;
    {
      HugeVector<std::uint64_t> v(four_pages, 5);
      first = v.data();
    }
#if defined(__linux__)
    CHECK(retained_huge_bytes() == 4 * kHugePageBytes);
    // A smaller array is cut from the kept run; the rest stays kept.
    HugeVector<std::uint64_t> half(four_pages / 2, 6);
    CHECK(half.data() == first);
    CHECK(retained_huge_bytes() == 2 * kHugePageBytes);
    CHECK(half.back() == 6);
    {
      const RetainHugePages nested;
      HugeVector<std::uint64_t> other(four_pages / 2);
      other.assign(other.size(), 7);
      CHECK(retained_huge_bytes() == 0);
    }
    // The outer one still keeps what the nested scope freed.
    CHECK(retained_huge_bytes() == 2 * kHugePageBytes);
    // One larger than anything kept: mapped anew (kept runs are unmapped first where mapping it
    // would pass the most this process has held at once).
    HugeVector<std::uint64_t> large(2 * four_pages, 8);
    CHECK(large.back() == 8);
    CHECK(retained_huge_bytes() <= 2 * kHugePageBytes);
#endif
  }
  CHECK(retained_huge_bytes() == 0);
}

TEST_CASE("keep_freed_heap: an array freed and allocated again takes no page fault", "[core]") {
  // 40 MiB is above glibc's largest automatic mmap threshold (32 MiB): by default every such
  // array is a fresh mapping, 10,240 page faults to write.
  constexpr std::size_t kBytes = std::size_t{40} << 20;
  auto faults = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
  };
  auto write_once = [&] {
    auto* block = static_cast<volatile char*>(std::malloc(kBytes));
    REQUIRE(block != nullptr);
    for (std::size_t i = 0; i < kBytes; i += 4096) block[i] = 1;
    std::free(const_cast<char*>(block));
  };
  keep_freed_heap();
  write_once();
  const long before = faults();
  write_once();
  CHECK(faults() - before < 64);
}
