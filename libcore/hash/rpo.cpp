#include "hash/rpo.hpp"

#include <cstring>
#include <stdexcept>

#include "hash/rpo_constants.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ROLLUP_RPO_X86_SIMD 1
#else
#define ROLLUP_RPO_X86_SIMD 0
#endif

namespace rollup::hash {
namespace {

using u64 = std::uint64_t;
using u128 = unsigned __int128;
using Lanes = std::array<u64, kStateWidth>;

constexpr u64 kEpsilon = Felt::kEpsilon;  // 2^64 mod p
constexpr Lanes kMdsRow = {7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8};

// Inside the permutation a lane holds any u64 congruent to its element, not necessarily < p:
// dropping the conditional subtraction after every one of the ~6000 products per permutation is
// measurably faster, and one canonicalization at the end restores Felt's invariant.

// The corrections are masks, not branches: on hash inputs each one is a coin flip, and a
// mispredicted branch costs more than the whole product.
[[gnu::always_inline]] inline u64 epsilon_if(bool flag) { return (u64{0} - flag) >> 32; }

[[gnu::always_inline]] inline u64 reduce(u128 x) {
  // 2^64 = kEpsilon and 2^96 = -1 (mod p).
  u64 lo = static_cast<u64>(x), hi = static_cast<u64>(x >> 64);
  u64 hi_hi = hi >> 32, hi_lo = hi & kEpsilon;
  u64 t0;
  bool borrow = __builtin_sub_overflow(lo, hi_hi, &t0);
  t0 -= epsilon_if(borrow);  // wrapped by +2^64: make that +p
  u64 t1 = (hi_lo << 32) - hi_lo;
  u64 t2;
  bool carry = __builtin_add_overflow(t0, t1, &t2);
  return t2 + epsilon_if(carry);  // cannot wrap twice: t1 < 2^64 - 2^32
}

[[gnu::always_inline]] inline u64 mul(u64 a, u64 b) { return reduce(static_cast<u128>(a) * b); }

// b must be canonical: then a + b - 2^64 + kEpsilon stays below 2^64.
[[gnu::always_inline]] inline u64 add_canonical(u64 a, u64 b) {
  u64 s;
  bool carry = __builtin_add_overflow(a, b, &s);
  return s + epsilon_if(carry);
}

[[gnu::always_inline]] inline u64 canonical(u64 a) {
  return a >= Felt::kModulus ? a - Felt::kModulus : a;
}

[[gnu::always_inline]] inline u64 pow7_lane(u64 x) {
  u64 x2 = mul(x, x);
  u64 x3 = mul(x2, x);
  u64 x4 = mul(x2, x2);
  return mul(x3, x4);
}

template <std::size_t N>
using Batch = std::array<u64, N>;

template <unsigned kSquarings, std::size_t N>
[[gnu::always_inline]] inline Batch<N> exp_acc(const Batch<N>& base, const Batch<N>& tail) {
  Batch<N> r = base;
  for (unsigned k = 0; k < kSquarings; ++k)
    for (std::size_t i = 0; i < N; ++i) r[i] = mul(r[i], r[i]);
  for (std::size_t i = 0; i < N; ++i) r[i] = mul(r[i], tail[i]);
  return r;
}

// x^kInvAlpha with 72 multiplications, N lanes side by side so that the independent products
// overlap in the pipeline. The exponent in binary is
// 1001001001001001001001001001000110110110110110110110110110110111: a run of "100" blocks, then
// "011" blocks, which the chain builds by doubling the blocks it already has.
template <std::size_t N>
[[gnu::always_inline]] inline void inv_sbox(Batch<N>& s) {
  Batch<N> t1, t2;
  for (std::size_t i = 0; i < N; ++i) t1[i] = mul(s[i], s[i]);    // 10
  for (std::size_t i = 0; i < N; ++i) t2[i] = mul(t1[i], t1[i]);  // 100
  Batch<N> t3 = exp_acc<3>(t2, t2);                               // (100)^2
  Batch<N> t4 = exp_acc<6>(t3, t3);                               // (100)^4
  Batch<N> t5 = exp_acc<12>(t4, t4);                              // (100)^8
  Batch<N> t6 = exp_acc<6>(t5, t3);                               // (100)^10
  Batch<N> t7 = exp_acc<31>(t6, t6);                              // (100)^10 0 (100)^10
  for (std::size_t i = 0; i < N; ++i) {
    u64 a = mul(mul(t7[i], t7[i]), t6[i]);
    a = mul(a, a);
    a = mul(a, a);
    u64 b = mul(mul(t1[i], t2[i]), s[i]);
    s[i] = mul(a, b);
  }
}

// Circulant MDS with entries below 32: each lane is split into 32-bit halves so that every row
// sum fits a u64 (12 * 26 * 2^32 < 2^41) with no reduction until the halves are recombined.
[[gnu::always_inline]] inline void mds(Lanes& s) {
  Lanes lo, hi;
  for (std::size_t j = 0; j < kStateWidth; ++j) {
    lo[j] = s[j] & 0xFFFFFFFFULL;
    hi[j] = s[j] >> 32;
  }
  for (std::size_t i = 0; i < kStateWidth; ++i) {
    u64 sum_lo = 0, sum_hi = 0;
    for (std::size_t j = 0; j < kStateWidth; ++j) {
      u64 m = kMdsRow[(j + kStateWidth - i) % kStateWidth];
      sum_lo += m * lo[j];
      sum_hi += m * hi[j];
    }
    // value = sum_lo + sum_hi * 2^32 < 2^73; split it at 2^64 and fold the top with kEpsilon.
    u64 low;
    u64 top = (sum_hi >> 32) + __builtin_add_overflow(sum_lo, sum_hi << 32, &low);
    s[i] = add_canonical(low, (top << 32) - top);
  }
}

constexpr auto to_felts(const std::array<std::array<u64, kStateWidth>, kRounds>& raw) {
  std::array<std::array<Felt, kStateWidth>, kRounds> out{};
  for (std::size_t r = 0; r < kRounds; ++r)
    for (std::size_t i = 0; i < kStateWidth; ++i) out[r][i] = Felt(raw[r][i]);
  return out;
}

constexpr auto kArk1Felts = to_felts(detail::kArk1);
constexpr auto kArk2Felts = to_felts(detail::kArk2);

void permute_lanes(Lanes& s) {
  for (std::size_t r = 0; r < kRounds; ++r) {
    mds(s);
    for (std::size_t i = 0; i < kStateWidth; ++i)
      s[i] = pow7_lane(add_canonical(s[i], detail::kArk1[r][i]));
    mds(s);
    for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = add_canonical(s[i], detail::kArk2[r][i]);
    inv_sbox(s);
  }
}

#if ROLLUP_RPO_X86_SIMD
// The same permutation on 4-lane vectors: three vectors hold the twelve lanes, so each field
// product of the S-boxes is one vector product for four lanes. The helpers are compiled for AVX2
// and inlined into the AVX2 and AVX-512 entry points below (an AVX-512 caller may inline AVX2
// code; the reverse is refused), where the compiler lowers compares and shifts per ISA.
#pragma GCC push_options
#pragma GCC target("avx2")

using V4 = u64 __attribute__((vector_size(32)));
constexpr V4 kLo32x4 = {0xFFFFFFFFULL, 0xFFFFFFFFULL, 0xFFFFFFFFULL, 0xFFFFFFFFULL};

[[gnu::always_inline]] inline V4 splat(u64 x) { return V4{x, x, x, x}; }

// Products of the low 32-bit halves of each lane: the only widening multiply AVX2 has.
[[gnu::always_inline]] inline V4 mul32(V4 a, V4 b) {
  return reinterpret_cast<V4>(_mm256_mul_epu32(reinterpret_cast<__m256i>(a),
                                               reinterpret_cast<__m256i>(b)));
}

// The high 32 bits of each lane moved down; the top halves are left as they were, which the
// widening multiply ignores. A shuffle, so it runs beside the shifts rather than among them.
[[gnu::always_inline]] inline V4 high_halves(V4 x) {
  return reinterpret_cast<V4>(_mm256_castps_si256(_mm256_movehdup_ps(
      _mm256_castsi256_ps(reinterpret_cast<__m256i>(x)))));
}

// Written as selects so that AVX-512 compiles them to a compare into a mask register and a
// masked add, and AVX2 to a compare and a blend.
[[gnu::always_inline]] inline V4 add_epsilon_if_wrapped(V4 sum, V4 addend) {
  return sum < addend ? sum + kLo32x4 : sum;
}

// As reduce(): lo + hi * 2^64 = lo - hi_hi + hi_lo * kEpsilon (mod p).
[[gnu::always_inline]] inline V4 reduce4(V4 lo, V4 hi) {
  V4 hi_hi = hi >> 32;
  V4 t0 = lo - hi_hi;
  // lo < hi_hi < 2^32 happens about once in 2^32 on hash states, so a predicted branch keeps the
  // correction off the critical path; adversarial inputs only make it slower, never wrong.
  V4 borrow = reinterpret_cast<V4>(lo < hi_hi);
  if (!_mm256_testz_si256(reinterpret_cast<__m256i>(borrow), reinterpret_cast<__m256i>(borrow)))
      [[unlikely]]
    t0 -= borrow >> 32;
  V4 t1 = mul32(hi, kLo32x4);  // hi_lo * kEpsilon
  return add_epsilon_if_wrapped(t0 + t1, t1);
}

// 64 x 64 -> 128 from four 32 x 32 products; no partial sum can overflow because each product
// is at most (2^32 - 1)^2.
[[gnu::always_inline]] inline V4 mul4(V4 a, V4 b) {
  V4 a_hi = high_halves(a), b_hi = high_halves(b);
  V4 ll = mul32(a, b), lh = mul32(a, b_hi), hl = mul32(a_hi, b), hh = mul32(a_hi, b_hi);
  V4 t0 = hl + (ll >> 32);
  V4 t1 = lh + (t0 & kLo32x4);
  V4 hi = hh + (t0 >> 32) + (t1 >> 32);
  V4 lo = (ll & kLo32x4) | (t1 << 32);
  return reduce4(lo, hi);
}

// Squares need three products: the cross term appears twice, taken as lh << 33.
[[gnu::always_inline]] inline V4 square4(V4 a) {
  V4 a_hi = high_halves(a);
  V4 ll = mul32(a, a), lh = mul32(a, a_hi), hh = mul32(a_hi, a_hi);
  V4 t0 = lh + (ll >> 33);
  V4 hi = hh + (t0 >> 31);
  V4 lo = ll + (lh << 33);
  return reduce4(lo, hi);
}

[[gnu::always_inline]] inline V4 add_canonical4(V4 a, V4 b) {
  return add_epsilon_if_wrapped(a + b, b);
}

struct V12 {
  V4 v[3];
};

[[gnu::always_inline]] inline V4 load4(const u64* p) {
  V4 out;
  std::memcpy(&out, p, sizeof out);
  return out;
}

[[gnu::always_inline]] inline void store4(u64* p, V4 v) { std::memcpy(p, &v, sizeof v); }

template <unsigned kSquarings>
[[gnu::always_inline]] inline V12 exp_acc4(V12 base, const V12& tail) {
  for (unsigned k = 0; k < kSquarings; ++k)
    for (auto& v : base.v) v = square4(v);
  for (int c = 0; c < 3; ++c) base.v[c] = mul4(base.v[c], tail.v[c]);
  return base;
}

[[gnu::always_inline]] inline void inv_sbox4(V12& s) {
  V12 t1, t2;
  for (int c = 0; c < 3; ++c) t1.v[c] = square4(s.v[c]);
  for (int c = 0; c < 3; ++c) t2.v[c] = square4(t1.v[c]);
  V12 t3 = exp_acc4<3>(t2, t2);
  V12 t4 = exp_acc4<6>(t3, t3);
  V12 t5 = exp_acc4<12>(t4, t4);
  V12 t6 = exp_acc4<6>(t5, t3);
  V12 t7 = exp_acc4<31>(t6, t6);
  for (int c = 0; c < 3; ++c) {
    V4 a = mul4(square4(t7.v[c]), t6.v[c]);
    a = square4(square4(a));
    V4 b = mul4(mul4(t1.v[c], t2.v[c]), s.v[c]);
    s.v[c] = mul4(a, b);
  }
}

[[gnu::always_inline]] inline V4 pow7_4(V4 x) {
  V4 x2 = square4(x);
  return mul4(mul4(x2, x), square4(x2));
}

// The circulant as shifted windows: lanes i..i+3 of the output need s[(i + k) mod 12] for every
// k, which is the k-th window of s || s. Only twelve distinct windows exist, one per offset.
[[gnu::always_inline]] inline void mds4(V12& s) {
  alignas(32) u64 lo[24], hi[24];
  for (int c = 0; c < 3; ++c) {
    V4 l = s.v[c] & kLo32x4, h = s.v[c] >> 32;
    store4(lo + 4 * c, l);
    store4(lo + 12 + 4 * c, l);
    store4(hi + 4 * c, h);
    store4(hi + 12 + 4 * c, h);
  }
  V4 win_lo[12], win_hi[12];
  for (int o = 0; o < 12; ++o) {
    win_lo[o] = load4(lo + o);
    win_hi[o] = load4(hi + o);
  }
  for (int c = 0; c < 3; ++c) {
    V4 sum_lo = {0, 0, 0, 0}, sum_hi = {0, 0, 0, 0};
    for (int k = 0; k < 12; ++k) {
      V4 m = splat(kMdsRow[k]);
      sum_lo += mul32(win_lo[(4 * c + k) % 12], m);
      sum_hi += mul32(win_hi[(4 * c + k) % 12], m);
    }
    V4 low = sum_lo + (sum_hi << 32);
    V4 carry = reinterpret_cast<V4>(low < sum_lo);  // all ones where the add wrapped
    V4 top = (sum_hi >> 32) - carry;
    s.v[c] = add_canonical4(low, (top << 32) - top);
  }
}

[[gnu::always_inline]] inline void permute4(Lanes& lanes) {
  V12 s;
  for (int c = 0; c < 3; ++c) s.v[c] = load4(lanes.data() + 4 * c);
  for (std::size_t r = 0; r < kRounds; ++r) {
    mds4(s);
    for (int c = 0; c < 3; ++c)
      s.v[c] = pow7_4(add_canonical4(s.v[c], load4(detail::kArk1[r].data() + 4 * c)));
    mds4(s);
    for (int c = 0; c < 3; ++c)
      s.v[c] = add_canonical4(s.v[c], load4(detail::kArk2[r].data() + 4 * c));
    inv_sbox4(s);
  }
  for (int c = 0; c < 3; ++c) store4(lanes.data() + 4 * c, s.v[c]);
}

void permute_avx2(Lanes& lanes) { permute4(lanes); }

#pragma GCC pop_options

[[gnu::target("avx512f,avx512vl,avx512dq")]] void permute_avx512(Lanes& lanes) {
  permute4(lanes);
}
#endif  // ROLLUP_RPO_X86_SIMD

using PermuteFn = void (*)(Lanes&);

struct Implementation {
  PermuteFn fn;
  const char* name;
};

Implementation select_implementation() {
#if ROLLUP_RPO_X86_SIMD
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return {permute_avx512, "avx512"};
  if (__builtin_cpu_supports("avx2")) return {permute_avx2, "avx2"};
#endif
  return {permute_lanes, "portable"};
}

const Implementation kImplementation = select_implementation();

Lanes to_lanes(const State& s) {
  Lanes out;
  for (std::size_t i = 0; i < kStateWidth; ++i) out[i] = s[i].value();
  return out;
}

}  // namespace

void permute(State& s) {
  Lanes lanes = to_lanes(s);
  kImplementation.fn(lanes);
  for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = Felt(canonical(lanes[i]));
}

void apply_mds(State& s) {
  Lanes lanes = to_lanes(s);
  mds(lanes);
  for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = Felt(canonical(lanes[i]));
}

Digest hash_elements(std::span<const Felt> elements) {
  if (elements.empty()) return Digest{};
  Lanes s{};
  s[0] = elements.size() % kRate;
  std::size_t i = 0;
  for (Felt e : elements) {
    s[kRateStart + i] = e.value();
    if (++i == kRate) {
      kImplementation.fn(s);
      i = 0;
    }
  }
  if (i > 0) {
    for (; i < kRate; ++i) s[kRateStart + i] = 0;
    kImplementation.fn(s);
  }
  Digest d;
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = Felt(canonical(s[kRateStart + k]));
  return d;
}

Digest merge(const Digest& a, const Digest& b) {
  Lanes s{};
  for (std::size_t k = 0; k < 4; ++k) {
    s[kRateStart + k] = a[k].value();
    s[kRateStart + 4 + k] = b[k].value();
  }
  kImplementation.fn(s);
  Digest d;
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = Felt(canonical(s[kRateStart + k]));
  return d;
}

void merge_pairs(std::span<const Digest> children, std::span<Digest> parents) {
  if (children.size() != 2 * parents.size())
    throw std::invalid_argument("merge_pairs: need exactly two children per parent");
  for (std::size_t i = 0; i < parents.size(); ++i)
    parents[i] = merge(children[2 * i], children[2 * i + 1]);
}

void permute_many(std::span<State> states) {
  for (State& s : states) permute(s);
}

std::array<std::uint8_t, 32> digest_bytes(const Digest& d) {
  std::array<std::uint8_t, 32> out{};
  for (std::size_t k = 0; k < d.size(); ++k)
    for (std::size_t b = 0; b < 8; ++b)
      out[8 * k + b] = static_cast<std::uint8_t>(d[k].value() >> (8 * b));
  return out;
}

std::optional<Digest> digest_from_bytes(std::span<const std::uint8_t, 32> bytes) {
  Digest d;
  for (std::size_t k = 0; k < d.size(); ++k) {
    u64 v = 0;
    for (std::size_t b = 0; b < 8; ++b) v |= u64(bytes[8 * k + b]) << (8 * b);
    if (v >= Felt::kModulus) return std::nullopt;
    d[k] = Felt(v);
  }
  return d;
}

const std::array<std::array<Felt, kStateWidth>, kRounds>& ark1() { return kArk1Felts; }
const std::array<std::array<Felt, kStateWidth>, kRounds>& ark2() { return kArk2Felts; }
const std::array<std::uint64_t, kStateWidth>& mds_row() { return kMdsRow; }

Felt pow7(Felt x) { return Felt(canonical(pow7_lane(x.value()))); }

Felt inv_pow7(Felt x) {
  Batch<1> s{x.value()};
  inv_sbox(s);
  return Felt(canonical(s[0]));
}

}  // namespace rollup::hash
