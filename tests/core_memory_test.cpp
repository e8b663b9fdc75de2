// core/memory.hpp: huge-page advice is only advice; the vectors it reserves behave as any other.
#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>

#include "core/memory.hpp"

using namespace rollup;

TEST_CASE("reserve_huge gives room without touching contents, and advice never fails", "[core]") {
  std::vector<std::uint64_t> v = {1, 2, 3};
  reserve_huge(v, std::size_t{1} << 20);  // 8 MiB: four huge pages
  REQUIRE(v.capacity() >= (std::size_t{1} << 20));
  CHECK(v == std::vector<std::uint64_t>{1, 2, 3});
  const auto* before = v.data();
  reserve_huge(v, 10);  // already room: no reallocation
  CHECK(v.data() == before);
  v.resize(std::size_t{1} << 20);
  std::iota(v.begin(), v.end(), std::uint64_t{0});
  CHECK(v[12345] == 12345);
  CHECK(v.back() == (std::size_t{1} << 20) - 1);
  // Ranges smaller than a huge page, unaligned, or empty: nothing to advise, nothing breaks.
  std::uint64_t small[4] = {};
  advise_huge_pages(small, sizeof small);
  advise_huge_pages(v.data() + 1, 3 * sizeof(std::uint64_t));
  advise_huge_pages(nullptr, 0);
  CHECK(small[0] == 0);
}
