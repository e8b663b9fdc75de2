#include <catch2/catch.hpp>
#include <random>

#include "field/goldilocks.hpp"

using rollup::field::Felt;

TEST_CASE("goldilocks arithmetic matches 128-bit reference", "[field]") {
  std::mt19937_64 rng(Catch::rngSeed());
  const unsigned __int128 p = Felt::kModulus;
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t a = rng() % Felt::kModulus, b = rng() % Felt::kModulus;
    if (i < 4) a = Felt::kModulus - 1 - i, b = Felt::kModulus - 1;
    Felt fa(a), fb(b);
    REQUIRE((fa + fb).value() == static_cast<std::uint64_t>((a + (unsigned __int128)b) % p));
    REQUIRE((fa - fb).value() == static_cast<std::uint64_t>((a + p - b) % p));
    REQUIRE((fa * fb).value() == static_cast<std::uint64_t>(((unsigned __int128)a * b) % p));
  }
}

TEST_CASE("goldilocks inverse and roots of unity", "[field]") {
  Felt x(123456789);
  REQUIRE(x * x.inverse() == Felt::one());
  REQUIRE(Felt(Felt::kModulus) == Felt::zero());
  for (unsigned k : {1u, 5u, 16u, 32u}) {
    Felt w = rollup::field::root_of_unity(k);
    REQUIRE(w.pow(1ULL << k) == Felt::one());
    REQUIRE(w.pow(1ULL << (k - 1)) != Felt::one());
  }
  std::vector<Felt> v{Felt(3), Felt(0), Felt(7), Felt(Felt::kModulus - 1)};
  auto copy = v;
  rollup::field::batch_inverse(v);
  for (std::size_t i = 0; i < v.size(); ++i)
    REQUIRE((copy[i] == Felt::zero() ? v[i] == Felt::zero() : v[i] * copy[i] == Felt::one()));
}

TEST_CASE("batch inversion: every length around its eight chains, zeros anywhere", "[field]") {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 16u, 23u, 1000u}) {
    std::vector<Felt> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i % 5 == 3 ? Felt::zero() : Felt(0x9E3779B97F4A7C15ULL * (i + 1));
    const auto copy = v;
    rollup::field::batch_inverse(v);
    for (std::size_t i = 0; i < n; ++i)
      REQUIRE((copy[i] == Felt::zero() ? v[i] == Felt::zero() : v[i] * copy[i] == Felt::one()));
  }
}
