// The vector paths of the field (field/packed.hpp, the NTT kernels) against the scalar code:
// every instruction set this CPU supports, on random values and on the edge values where a
// reduction wraps or borrows.
#include <bit>
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "field/ext2.hpp"
#include "field/ntt.hpp"
#include "field/packed.hpp"

using rollup::field::Ext2;
using rollup::field::Felt;
using rollup::field::VectorIsa;
namespace field = rollup::field;

namespace {

// Restores the instruction set in use when a test that switches it ends, even by a failure.
class IsaScope {
 public:
  IsaScope() : saved_(field::vector_isa()) {}
  ~IsaScope() { field::detail::set_vector_isa(saved_); }
  IsaScope(const IsaScope&) = delete;
  IsaScope& operator=(const IsaScope&) = delete;

 private:
  VectorIsa saved_;
};

// Edge values: zero and one, p - 1 (all ones in the high half), values whose products have a
// zero low word under a large high word (2^48 squared is 2^96: the reduction's first
// subtraction borrows), and powers of two where the 32-bit halves split.
std::vector<Felt> edge_values() {
  const std::uint64_t p = Felt::kModulus;
  return {Felt(0),         Felt(1),          Felt(2),          Felt(p - 1),
          Felt(p - 2),     Felt(p - 0xFFFF), Felt(1ULL << 32), Felt((1ULL << 32) - 1),
          Felt(1ULL << 48), Felt(3ULL << 48), Felt(1ULL << 63), Felt((1ULL << 63) + 1),
          Felt(~0ULL),     Felt(0xFFFFFFFFULL << 32), Felt(p >> 1), Felt(7)};
}

std::vector<Felt> test_values(std::mt19937_64& rng, std::size_t count) {
  auto values = edge_values();
  while (values.size() < count) values.push_back(Felt(rng()));
  return values;
}

#if ROLLUP_FIELD_X86_SIMD
// Every operation on every pair (a[i], b[j]) of lanes, written per operation into out.
struct ArithmeticResults {
  std::vector<Felt> sum, diff, prod, neg, square, dot;
};

template <class Isa>
[[gnu::always_inline]] inline void packed_arithmetic(const std::vector<Felt>& a,
                                                     const std::vector<Felt>& b,
                                                     ArithmeticResults& out) {
  using P = field::simd::Packed<Isa>;
  constexpr std::uint64_t kCoeffs[12] = {7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8};
  const std::size_t n = a.size();
  for (std::size_t i = 0; i + P::kLanes <= n; i += P::kLanes) {
    const P x = P::load(a.data() + i), y = P::load(b.data() + i);
    (x + y).store(out.sum.data() + i);
    (x - y).store(out.diff.data() + i);
    (x * y).store(out.prod.data() + i);
    (-x).store(out.neg.data() + i);
    x.square().store(out.square.data() + i);
    P terms[12];
    for (std::size_t j = 0; j < 12; ++j) terms[j] = j % 2 ? x * P(Felt(j)) : y + P(Felt(j));
    P::template dot_small<12>(terms, kCoeffs).store(out.dot.data() + i);
  }
}

[[gnu::target("avx2"), gnu::flatten]] void arithmetic_avx2(const std::vector<Felt>& a,
                                                           const std::vector<Felt>& b,
                                                           ArithmeticResults& out) {
  packed_arithmetic<field::simd::Avx2>(a, b, out);
}
[[gnu::target("avx512f,avx512vl,avx512dq"), gnu::flatten]] void arithmetic_avx512(
    const std::vector<Felt>& a, const std::vector<Felt>& b, ArithmeticResults& out) {
  packed_arithmetic<field::simd::Avx512>(a, b, out);
}
#endif

template <class T>
T random_element(std::mt19937_64& rng);
template <>
Felt random_element<Felt>(std::mt19937_64& rng) {
  return Felt(rng());
}
template <>
Ext2 random_element<Ext2>(std::mt19937_64& rng) {
  return {Felt(rng()), Felt(rng())};
}

// Each transform of `input` under the instruction set in use.
template <class T>
std::vector<std::vector<T>> transforms_of(const std::vector<T>& input, unsigned threads) {
  std::vector<std::vector<T>> out;
  auto v = input;
  field::ntt(std::span<T>(v), threads);
  out.push_back(v);
  field::intt(std::span<T>(v), threads);
  out.push_back(v);
  v = input;
  field::coset_ntt(std::span<T>(v), Felt(7), threads);
  out.push_back(v);
  field::coset_intt(std::span<T>(v), Felt(7), threads);
  out.push_back(v);
  // Zero-padded to eight times the size, as an LDE: the transform skips the copying stages.
  v = input;
  v.resize(8 * input.size(), T{});
  field::coset_ntt(std::span<T>(v), Felt(7), threads);
  out.push_back(v);
  return out;
}

}  // namespace

TEST_CASE("field: the scalar kernels are always there, last", "[field]") {
  const auto& isas = field::supported_vector_isas();
  REQUIRE(!isas.empty());
  CHECK(isas.back() == VectorIsa::scalar);
  CHECK(isas.front() == field::vector_isa());
  for (VectorIsa isa : isas) INFO("supported: " << field::vector_isa_name(isa));
  IsaScope scope;
  field::detail::set_vector_isa(VectorIsa::scalar);
  CHECK(field::vector_isa() == VectorIsa::scalar);
  if (isas.front() != VectorIsa::avx512)
    CHECK_THROWS_AS(field::detail::set_vector_isa(VectorIsa::avx512), std::invalid_argument);
}

#if ROLLUP_FIELD_X86_SIMD
TEST_CASE("field: packed arithmetic equals Felt's lane by lane", "[field]") {
  std::mt19937_64 rng(Catch::rngSeed() + 11);
  // Every pair of edge values, then random pairs.
  const auto edges = edge_values();
  std::vector<Felt> a, b;
  for (Felt x : edges)
    for (Felt y : edges) a.push_back(x), b.push_back(y);
  const auto more = test_values(rng, 4096);
  for (std::size_t i = 0; i < more.size(); ++i) a.push_back(more[i]), b.push_back(Felt(rng()));
  const std::size_t n = a.size();  // a multiple of 8
  REQUIRE(n % 8 == 0);
  ArithmeticResults expected{std::vector<Felt>(n), std::vector<Felt>(n), std::vector<Felt>(n),
                             std::vector<Felt>(n), std::vector<Felt>(n), std::vector<Felt>(n)};
  constexpr std::uint64_t kCoeffs[12] = {7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8};
  for (std::size_t i = 0; i < n; ++i) {
    expected.sum[i] = a[i] + b[i];
    expected.diff[i] = a[i] - b[i];
    expected.prod[i] = a[i] * b[i];
    expected.neg[i] = -a[i];
    expected.square[i] = a[i].square();
    Felt dot;
    for (std::size_t j = 0; j < 12; ++j)
      dot += Felt(kCoeffs[j]) * (j % 2 ? a[i] * Felt(j) : b[i] + Felt(j));
    expected.dot[i] = dot;
  }
  for (VectorIsa isa : field::supported_vector_isas()) {
    if (isa == VectorIsa::scalar) continue;
    INFO("instruction set " << field::vector_isa_name(isa));
    ArithmeticResults got = expected;
    for (auto* v : {&got.sum, &got.diff, &got.prod, &got.neg, &got.square, &got.dot})
      std::fill(v->begin(), v->end(), Felt(12345));
    if (isa == VectorIsa::avx512) arithmetic_avx512(a, b, got);
    if (isa == VectorIsa::avx2) arithmetic_avx2(a, b, got);
    for (std::size_t i = 0; i < n; ++i) {
      INFO("a = " << a[i].value() << ", b = " << b[i].value());
      REQUIRE(got.sum[i] == expected.sum[i]);
      REQUIRE(got.diff[i] == expected.diff[i]);
      REQUIRE(got.prod[i] == expected.prod[i]);
      REQUIRE(got.neg[i] == expected.neg[i]);
      REQUIRE(got.square[i] == expected.square[i]);
      REQUIRE(got.dot[i] == expected.dot[i]);
    }
  }
}
#endif

TEMPLATE_TEST_CASE("field: every NTT kernel set computes the scalar transforms", "[field]", Felt,
                   Ext2) {
  std::mt19937_64 rng(Catch::rngSeed() + 12);
  IsaScope scope;
  // Sizes below, at and above a vector's lanes and the in-cache block (2^12), one large enough
  // for the threaded stages; inputs with edge values and with a zero tail of odd length.
  for (std::size_t n : {1u, 2u, 4u, 8u, 16u, 32u, 256u, 4096u, 8192u, 32768u}) {
    for (int shape = 0; shape < 3; ++shape) {
      std::vector<TestType> input(n);
      for (auto& v : input) v = random_element<TestType>(rng);
      const auto edges = edge_values();
      if (shape == 1)
        for (std::size_t i = 0; i < n; ++i) input[i] = TestType(edges[i % edges.size()]);
      if (shape == 2)
        for (std::size_t i = n / 2 + n / 8 + 1; i < n; ++i) input[i] = TestType{};
      for (unsigned threads : {1u, 2u}) {
        field::detail::set_vector_isa(VectorIsa::scalar);
        const auto expected = transforms_of(input, threads);
        for (VectorIsa isa : field::supported_vector_isas()) {
          INFO("instruction set " << field::vector_isa_name(isa) << ", n = " << n << ", shape "
                                  << shape << ", threads " << threads);
          field::detail::set_vector_isa(isa);
          REQUIRE(transforms_of(input, threads) == expected);
        }
      }
    }
  }
}

TEST_CASE("field: an LDE skipping its zero-padded stages is the direct evaluation", "[field]") {
  // The reference here is not the NTT itself: the interpolant evaluated point by point.
  std::mt19937_64 rng(Catch::rngSeed() + 13);
  IsaScope scope;
  const std::size_t n = 64;
  std::vector<Felt> coeffs(n);
  for (auto& c : coeffs) c = Felt(rng());
  coeffs[n - 1] = Felt::zero();  // the filled prefix still rounds up to n
  const Felt w = field::root_of_unity(static_cast<unsigned>(std::countr_zero(8 * n)));
  std::vector<Felt> expected(8 * n);
  Felt x(7);
  for (auto& e : expected) {
    Felt acc;
    for (std::size_t k = n; k-- > 0;) acc = acc * x + coeffs[k];
    e = acc;
    x *= w;
  }
  for (VectorIsa isa : field::supported_vector_isas()) {
    INFO("instruction set " << field::vector_isa_name(isa));
    field::detail::set_vector_isa(isa);
    std::vector<Felt> padded = coeffs;
    padded.resize(8 * n, Felt::zero());
    field::coset_ntt(std::span<Felt>(padded), Felt(7));
    REQUIRE(padded == expected);
    std::vector<Felt> column = coeffs;
    field::ntt(std::span<Felt>(column));
    REQUIRE(field::coset_lde(column, 3, Felt(7)) == expected);
  }
}

TEST_CASE("combine_columns gives the scalar sums on every instruction set", "[field][simd]") {
  IsaScope scope;
  std::mt19937_64 rng(91);
  constexpr std::size_t kStride = 64, kColumns = 37;
  std::vector<Felt> values = test_values(rng, kStride * kColumns);
  std::vector<Ext2> coeffs;
  for (std::size_t k = 0; k < kColumns; ++k) coeffs.emplace_back(Felt(rng()), Felt(rng()));
  coeffs[0] = Ext2(Felt(Felt::kModulus - 1), Felt(Felt::kModulus - 1));  // the largest products
  for (std::size_t rows : {kStride, std::size_t{45}, std::size_t{7}}) {
    std::vector<Ext2> expected(rows);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t k = 0; k < kColumns; ++k) expected[r] += coeffs[k] * values[k * kStride + r];
    for (VectorIsa isa : field::supported_vector_isas()) {
      field::detail::set_vector_isa(isa);
      INFO(field::vector_isa_name(isa) << ", " << rows << " rows");
      std::vector<Ext2> out(rows);
      field::combine_columns(values, kStride, coeffs, out);
      CHECK(out == expected);
    }
  }
}
