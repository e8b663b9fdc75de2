#include <bit>
#include <catch2/catch.hpp>
#include <random>

#include "field/ext2.hpp"
#include "field/ntt.hpp"
#include "stark/pinned_rows.hpp"

using rollup::field::Ext2;
using rollup::field::Felt;
namespace field = rollup::field;

namespace {

Felt random_felt(std::mt19937_64& rng) { return Felt(rng()); }
Ext2 random_ext(std::mt19937_64& rng) { return {Felt(rng()), Felt(rng())}; }

// Direct O(n^2) evaluation, the reference for the transforms.
template <class T>
std::vector<T> naive_coset_eval(const std::vector<T>& coeffs, Felt shift, std::size_t size) {
  const Felt w = field::root_of_unity(static_cast<unsigned>(std::countr_zero(size)));
  std::vector<T> out(size);
  Felt x = shift;
  for (std::size_t i = 0; i < size; ++i, x *= w) {
    T acc{};
    for (std::size_t k = coeffs.size(); k-- > 0;) acc = acc * x + coeffs[k];
    out[i] = acc;
  }
  return out;
}

}  // namespace

TEST_CASE("7 is a quadratic non-residue, so u^2 - 7 is irreducible", "[stark][field]") {
  // Euler's criterion: a non-residue raised to (p-1)/2 is -1.
  REQUIRE(Felt(7).pow((Felt::kModulus - 1) / 2) == -Felt::one());
}

TEST_CASE("quadratic extension arithmetic", "[stark][field]") {
  std::mt19937_64 rng(Catch::rngSeed() + 1);
  const Ext2 u(Felt::zero(), Felt::one());
  REQUIRE(u * u == Ext2(Felt(7)));
  for (int i = 0; i < 2000; ++i) {
    Ext2 a = random_ext(rng), b = random_ext(rng), c = random_ext(rng);
    REQUIRE(a * (b + c) == a * b + a * c);
    REQUIRE((a * b) * c == a * (b * c));
    REQUIRE(a.square() == a * a);
    REQUIRE(a - a == Ext2::zero());
    if (a != Ext2::zero()) REQUIRE(a * a.inverse() == Ext2::one());
    Felt s = random_felt(rng);
    REQUIRE(a * s == a * Ext2(s));
    REQUIRE(a + s == a + Ext2(s));
  }
  REQUIRE(Ext2::zero().inverse() == Ext2::zero());
  // Frobenius: g^p is the conjugate, and applying it twice returns g.
  Ext2 g(Felt(3), Felt(5));
  REQUIRE(g.pow(Felt::kModulus) == Ext2(Felt(3), -Felt(5)));
  REQUIRE(g.pow(Felt::kModulus).pow(Felt::kModulus) == g);

  std::vector<Ext2> v;
  for (int i = 0; i < 50; ++i) v.push_back(i % 7 == 0 ? Ext2::zero() : random_ext(rng));
  auto copy = v;
  field::batch_inverse(std::span<Ext2>(v));
  for (std::size_t i = 0; i < v.size(); ++i)
    REQUIRE((copy[i] == Ext2::zero() ? v[i] == Ext2::zero() : v[i] * copy[i] == Ext2::one()));
}

TEST_CASE("pinned-row sums: base-field weights give sum v p / (z - p)", "[stark][field]") {
  std::mt19937_64 rng(Catch::rngSeed() + 5);
  const Ext2 z = random_ext(rng);
  REQUIRE(z.imag() != Felt::zero());
  std::vector<Felt> points(37), weights(37), values(37);
  for (std::size_t i = 0; i < points.size(); ++i) {
    points[i] = Felt(rng());
    values[i] = i % 4 == 1 ? Felt::zero() : Felt(rng());
  }
  rollup::stark::pinned_row_weights(z, points, weights);
  Felt sum_vq, sum_vqp;
  Ext2 expected;
  for (std::size_t i = 0; i < points.size(); ++i) {
    sum_vq += values[i] * weights[i];
    sum_vqp += values[i] * weights[i] * points[i];
    expected += Ext2(points[i]) * (z - Ext2(points[i])).inverse() * values[i];
  }
  CHECK(rollup::stark::pinned_row_sum(z, sum_vq, sum_vqp) == expected);
}

TEST_CASE("NTT matches direct evaluation, and its inverse undoes it", "[stark][field]") {
  std::mt19937_64 rng(Catch::rngSeed() + 2);
  for (std::size_t n : {1u, 2u, 4u, 8u, 64u, 256u}) {
    for (unsigned threads : {1u, 2u}) {
      std::vector<Felt> coeffs(n);
      for (auto& c : coeffs) c = random_felt(rng);
      auto evals = coeffs;
      field::ntt(std::span<Felt>(evals), threads);
      REQUIRE(evals == naive_coset_eval(coeffs, Felt::one(), n));
      field::intt(std::span<Felt>(evals), threads);
      REQUIRE(evals == coeffs);

      std::vector<Ext2> ecoeffs(n);
      for (auto& c : ecoeffs) c = random_ext(rng);
      auto eevals = ecoeffs;
      field::coset_ntt(std::span<Ext2>(eevals), Felt(7), threads);
      REQUIRE(eevals == naive_coset_eval(ecoeffs, Felt(7), n));
      field::coset_intt(std::span<Ext2>(eevals), Felt(7), threads);
      REQUIRE(eevals == ecoeffs);
    }
  }
  // Large enough to take the multi-threaded stage paths.
  std::vector<Felt> big(1 << 15);
  for (auto& c : big) c = random_felt(rng);
  auto one = big, two = big;
  field::ntt(std::span<Felt>(one), 1);
  field::ntt(std::span<Felt>(two), 2);
  REQUIRE(one == two);
  field::intt(std::span<Felt>(two), 2);
  REQUIRE(two == big);
}

TEST_CASE("coset LDE evaluates the column's interpolant on the shifted domain", "[stark][field]") {
  std::mt19937_64 rng(Catch::rngSeed() + 3);
  const std::size_t n = 32;
  std::vector<Felt> coeffs(n);
  for (auto& c : coeffs) c = random_felt(rng);
  auto column = naive_coset_eval(coeffs, Felt::one(), n);
  auto lde = field::coset_lde(column, 3, Felt(7));
  REQUIRE(lde == naive_coset_eval(coeffs, Felt(7), n * 8));
  // Every 8th point of the extension is the trace domain shifted by 7.
  Ext2 z(Felt(11), Felt(13));
  Ext2 direct;
  for (std::size_t k = n; k-- > 0;) direct = direct * z + coeffs[k];
  REQUIRE(field::evaluate_polynomial(std::span<const Felt>(coeffs), z) == direct);
}
