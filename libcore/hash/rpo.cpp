#include "hash/rpo.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

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
// A plain array too, for the vector code, which must not call into the standard library.
constexpr u64 kMdsRowRaw[kStateWidth] = {7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8};
constexpr Lanes kMdsRow = std::to_array(kMdsRowRaw);

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

// The round constants as plain arrays for the vector code.
struct FlatArk {
  u64 v[kRounds * kStateWidth];
};
constexpr FlatArk flatten(const std::array<std::array<u64, kStateWidth>, kRounds>& ark) {
  FlatArk out{};
  for (std::size_t r = 0; r < kRounds; ++r)
    for (std::size_t i = 0; i < kStateWidth; ++i) out.v[kStateWidth * r + i] = ark[r][i];
  return out;
}
constexpr FlatArk kArk1Table = flatten(detail::kArk1), kArk2Table = flatten(detail::kArk2);
constexpr const u64* kArk1Flat = kArk1Table.v;
constexpr const u64* kArk2Flat = kArk2Table.v;

}  // namespace

#if ROLLUP_RPO_X86_SIMD
// The vector kernels, one copy per instruction set (see rpo_simd.inl). Intrinsics and standard
// headers come first so that nothing outside these namespaces is compiled for AVX.

namespace avx2 {
// GCC takes a target for a region by pragma; clang needs the attribute applied to each function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
namespace {

using V = u64 __attribute__((vector_size(32)));
constexpr int kVecLanes = 4;
// Without unsigned compares, branching on the rare borrow and comparing sign-flipped values
// measured faster for both the one-state and the four-state kernel.
constexpr bool kBranchOnBorrow = true;
// Twelve vectors of temporaries would spill out of the sixteen AVX2 registers.
constexpr int kInvSboxPart = 6;
constexpr const u64* kMdsRow = kMdsRowRaw;

[[gnu::always_inline]] inline V mul32(V a, V b) {
  return reinterpret_cast<V>(
      _mm256_mul_epu32(reinterpret_cast<__m256i>(a), reinterpret_cast<__m256i>(b)));
}
// A shuffle rather than a shift, so that it issues beside the many shifts.
[[gnu::always_inline]] inline V high_halves(V a) {
  return reinterpret_cast<V>(
      _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(reinterpret_cast<__m256i>(a)))));
}
[[gnu::always_inline]] inline bool any_lane(V mask) {
  return !_mm256_testz_si256(reinterpret_cast<__m256i>(mask), reinterpret_cast<__m256i>(mask));
}

#include "hash/rpo_simd.inl"

// ---- One state: three vectors hold lanes 0-3, 4-7 and 8-11. ----

// Lanes r..3 of a followed by lanes 0..r-1 of b, from register shuffles: a round trip through
// memory with unaligned reloads would stall on store forwarding.
template <int kShift>
[[gnu::always_inline]] inline V window(V a, V b) {
  if constexpr (kShift == 0) return a;
  __m256i lo = reinterpret_cast<__m256i>(a), hi = reinterpret_cast<__m256i>(b);
  __m256i mid = _mm256_permute2x128_si256(lo, hi, 0x21);  // a2 a3 b0 b1
  if constexpr (kShift == 1) return reinterpret_cast<V>(_mm256_alignr_epi8(mid, lo, 8));
  if constexpr (kShift == 2) return reinterpret_cast<V>(mid);
  return reinterpret_cast<V>(_mm256_alignr_epi8(hi, mid, 8));
}

// The circulant on the three vectors: output lanes i..i+3 need s[(i + k) mod 12] for each k, the
// window of s || s at offset (i + k) mod 12; only twelve windows exist.
[[gnu::always_inline]] inline void mds_single(Vecs<3>& s) {
  V win[12];
  for (int q = 0; q < 3; ++q) {
    V a = s.v[q], b = s.v[(q + 1) % 3];
    win[4 * q] = window<0>(a, b);
    win[4 * q + 1] = window<1>(a, b);
    win[4 * q + 2] = window<2>(a, b);
    win[4 * q + 3] = window<3>(a, b);
  }
  V win_hi[12];
  for (int o = 0; o < 12; ++o) win_hi[o] = high_halves(win[o]);
  for (int c = 0; c < 3; ++c) {
    // Two accumulators per half halve the chain of dependent additions.
    V sum_lo[2] = {V{}, V{}}, sum_hi[2] = {V{}, V{}};
    for (int k = 0; k < 12; ++k) {
      V m = splat(kMdsRow[k]);
      sum_lo[k & 1] += mul32(win[(4 * c + k) % 12], m);
      sum_hi[k & 1] += mul32(win_hi[(4 * c + k) % 12], m);
    }
    s.v[c] = combine_halves(sum_lo[0] + sum_lo[1], sum_hi[0] + sum_hi[1]);
  }
}

void permute_single(u64* lanes) {
  Vecs<3> s;
  for (int c = 0; c < 3; ++c) s.v[c] = load(lanes + 4 * c);
  for (unsigned r = 0; r < kRounds; ++r) {
    mds_single(s);
    for (int c = 0; c < 3; ++c) s.v[c] = add_canonical(s.v[c], load(kArk1Flat + 12 * r + 4 * c));
    sbox(s);
    mds_single(s);
    for (int c = 0; c < 3; ++c) s.v[c] = add_canonical(s.v[c], load(kArk2Flat + 12 * r + 4 * c));
    inv_sbox(s);
  }
  for (int c = 0; c < 3; ++c) store(lanes + 4 * c, s.v[c]);
}

void permute_4(u64* states) { permute_group(states); }
void merge_4(const u64* children, u64* parents) { merge_group(children, parents); }
void round_4(u64* states, unsigned round) { round_group(states, round); }

}  // namespace
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
}  // namespace avx2

namespace avx512 {
// GCC takes a target for a region by pragma; clang needs the attribute applied to each function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq")
#endif
namespace {

using V = u64 __attribute__((vector_size(64)));
constexpr int kVecLanes = 8;
// Eight states per call are bound by throughput, where a compare into a mask register and a
// masked subtract cost less than a compare, a test and a branch.
constexpr bool kBranchOnBorrow = false;
constexpr int kInvSboxPart = 12;
constexpr const u64* kMdsRow = kMdsRowRaw;

// The zero-masking forms with a full mask: the plain ones start from an undefined register,
// which GCC 12 reports as an uninitialized read.
[[gnu::always_inline]] inline V mul32(V a, V b) {
  return reinterpret_cast<V>(
      _mm512_maskz_mul_epu32(0xFF, reinterpret_cast<__m512i>(a), reinterpret_cast<__m512i>(b)));
}
[[gnu::always_inline]] inline V high_halves(V a) {
  return reinterpret_cast<V>(_mm512_castps_si512(
      _mm512_maskz_movehdup_ps(0xFFFF, _mm512_castsi512_ps(reinterpret_cast<__m512i>(a)))));
}
[[gnu::always_inline]] inline bool any_lane(V mask) {
  return _mm512_test_epi64_mask(reinterpret_cast<__m512i>(mask), reinterpret_cast<__m512i>(mask));
}

#include "hash/rpo_simd.inl"

void permute_8(u64* states) { permute_group(states); }
void merge_8(const u64* children, u64* parents) { merge_group(children, parents); }
void round_8(u64* states, unsigned round) { round_group(states, round); }

}  // namespace
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
}  // namespace avx512
#endif  // ROLLUP_RPO_X86_SIMD

namespace {

// The kernels one CPU runs, chosen once. All of them compute the same permutation; tests hold
// each available set to the portable one.
struct Kernels {
  std::string_view name;
  void (*single)(u64* state);                              // one state, 12 lanes
  void (*group)(u64* states);                              // group_size states, or null
  void (*merge_group)(const u64* children, u64* parents);  // group_size merges, or null
  void (*round_group)(u64* states, unsigned round);        // one round of group_size states
  std::size_t group_size;
  // A partial group of at least this many states is padded and run whole: cheaper than running
  // them one at a time. Measured on Zen 5, a group costs about 2.8 single-state calls on
  // AVX-512 (8 states) and 3.2 on AVX2 (4 states).
  std::size_t pad_from;
};

void permute_portable(u64* state) {
  Lanes s;
  std::copy_n(state, kStateWidth, s.begin());
  permute_lanes(s);
  std::copy_n(s.begin(), kStateWidth, state);
}

std::vector<Kernels> available_kernels() {
  std::vector<Kernels> out;
#if ROLLUP_RPO_X86_SIMD
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq"))
      // One state stays on AVX2: it is bound by latency, which wider vectors do not shorten.
      out.push_back({"avx512", avx2::permute_single, avx512::permute_8, avx512::merge_8, avx512::round_8, 8, 3});
    out.push_back({"avx2", avx2::permute_single, avx2::permute_4, avx2::merge_4, avx2::round_4, 4, 4});
  }
#endif
  out.push_back({"portable", permute_portable, nullptr, nullptr, nullptr, 1, 1});
  return out;
}

const std::vector<Kernels>& all_kernels() {
  static const std::vector<Kernels> kernels = available_kernels();
  return kernels;
}

const Kernels& active() {
  static const Kernels& kernels = all_kernels().front();
  return kernels;
}

const Kernels& kernels_named(std::string_view name) {
  for (const Kernels& k : all_kernels())
    if (k.name == name) return k;
  throw std::invalid_argument("rpo: no kernel set '" + std::string(name) + "' on this CPU");
}

Lanes to_lanes(const State& s) {
  Lanes out;
  for (std::size_t i = 0; i < kStateWidth; ++i) out[i] = s[i].value();
  return out;
}

Digest digest_of(const u64* rate) {
  Digest d;
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = Felt(canonical(rate[k]));
  return d;
}

bool run_as_group(const Kernels& k, std::size_t left) {
  return k.group && (left >= k.group_size || left >= k.pad_from);
}

// Runs `group` on the states k.group_size at a time (a partial group padded with zero states
// where run_as_group says so) and `one` on each state left over; the groups' results are made
// canonical.
template <class Group, class One>
void in_groups(const Kernels& k, std::span<State> states, Group&& group, One&& one) {
  std::size_t i = 0;
  alignas(64) u64 buf[8 * kStateWidth];
  while (i < states.size() && run_as_group(k, states.size() - i)) {
    std::size_t n = std::min(k.group_size, states.size() - i);
    std::fill(std::begin(buf), std::end(buf), 0);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t e = 0; e < kStateWidth; ++e)
        buf[kStateWidth * j + e] = states[i + j][e].value();
    group(buf);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t e = 0; e < kStateWidth; ++e)
        states[i + j][e] = Felt(canonical(buf[kStateWidth * j + e]));
    i += n;
  }
  for (; i < states.size(); ++i) one(states[i]);
}

void permute_many_on(const Kernels& k, std::span<State> states) {
  in_groups(
      k, states, [&](u64* group) { k.group(group); },
      [&](State& state) {
        Lanes s = to_lanes(state);
        k.single(s.data());
        for (std::size_t e = 0; e < kStateWidth; ++e) state[e] = Felt(canonical(s[e]));
      });
}

void apply_round_many_on(const Kernels& k, std::span<State> states, std::size_t round) {
  in_groups(
      k, states, [&](u64* group) { k.round_group(group, static_cast<unsigned>(round)); },
      [&](State& state) { apply_round(state, round); });
}

Digest merge_on(const Kernels& k, const Digest& a, const Digest& b) {
  Lanes s{};
  for (std::size_t e = 0; e < 4; ++e) {
    s[kRateStart + e] = a[e].value();
    s[kRateStart + 4 + e] = b[e].value();
  }
  k.single(s.data());
  return digest_of(s.data() + kRateStart);
}

void merge_pairs_on(const Kernels& k, std::span<const Digest> children, std::span<Digest> parents) {
  if (children.size() != 2 * parents.size())
    throw std::invalid_argument("merge_pairs: need exactly two children per parent");
  std::size_t i = 0;
  alignas(64) u64 in[8 * 8], out[8 * 4];
  while (i < parents.size() && run_as_group(k, parents.size() - i)) {
    std::size_t n = std::min(k.group_size, parents.size() - i);
    std::fill(std::begin(in), std::end(in), 0);
    for (std::size_t j = 0; j < 2 * n; ++j)
      for (std::size_t e = 0; e < 4; ++e) in[4 * j + e] = children[2 * i + j][e].value();
    k.merge_group(in, out);
    for (std::size_t j = 0; j < n; ++j) parents[i + j] = digest_of(out + 4 * j);
    i += n;
  }
  for (; i < parents.size(); ++i) parents[i] = merge_on(k, children[2 * i], children[2 * i + 1]);
}

}  // namespace

void permute(State& s) {
  Lanes lanes = to_lanes(s);
  active().single(lanes.data());
  for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = Felt(canonical(lanes[i]));
}

void apply_mds(State& s) {
  Lanes lanes = to_lanes(s);
  mds(lanes);
  for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = Felt(canonical(lanes[i]));
}

Digest hash_elements(std::span<const Felt> elements) {
  if (elements.empty()) return Digest{};
  const Kernels& k = active();
  Lanes s{};
  s[0] = elements.size() % kRate;
  std::size_t i = 0;
  for (Felt e : elements) {
    s[kRateStart + i] = e.value();
    if (++i == kRate) {
      k.single(s.data());
      i = 0;
    }
  }
  if (i > 0) {
    for (; i < kRate; ++i) s[kRateStart + i] = 0;
    k.single(s.data());
  }
  return digest_of(s.data() + kRateStart);
}

std::vector<Digest> hash_elements_many(std::span<const std::vector<Felt>> inputs) {
  std::vector<State> states(inputs.size());
  std::size_t rounds = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    states[i][0] = Felt(inputs[i].size() % kRate);
    rounds = std::max(rounds, (inputs[i].size() + kRate - 1) / kRate);
  }
  // Consecutive inputs that begin alike (a domain tag and a chain id in front of every signature
  // challenge) reach the same state: such a run is permuted once. Comparing with the previous
  // state only keeps inputs that share nothing (a genesis' key ids) at no extra cost.
  std::vector<State> batch;
  std::vector<std::size_t> slot(inputs.size());
  for (std::size_t round = 0; round < rounds; ++round) {
    batch.clear();
    const std::size_t begin = round * kRate;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (begin >= inputs[i].size()) continue;
      State state = states[i];
      for (std::size_t j = 0; j < kRate; ++j)
        state[kRateStart + j] = begin + j < inputs[i].size() ? inputs[i][begin + j] : Felt::zero();
      if (batch.empty() || batch.back() != state) batch.push_back(state);
      slot[i] = batch.size() - 1;
    }
    permute_many(std::span<State>(batch));
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (begin < inputs[i].size()) states[i] = batch[slot[i]];
  }
  std::vector<Digest> digests(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].empty())
      for (std::size_t j = 0; j < 4; ++j) digests[i][j] = states[i][kRateStart + j];
  return digests;
}

Digest merge(const Digest& a, const Digest& b) { return merge_on(active(), a, b); }

void merge_pairs(std::span<const Digest> children, std::span<Digest> parents) {
  merge_pairs_on(active(), children, parents);
}

void permute_many(std::span<State> states) { permute_many_on(active(), states); }

std::string_view backend() { return active().name; }

namespace detail {

std::vector<std::string_view> backends() {
  std::vector<std::string_view> names;
  for (const Kernels& k : all_kernels()) names.push_back(k.name);
  return names;
}

void permute_many(std::string_view backend, std::span<State> states) {
  permute_many_on(kernels_named(backend), states);
}

void merge_pairs(std::string_view backend, std::span<const Digest> children,
                 std::span<Digest> parents) {
  merge_pairs_on(kernels_named(backend), children, parents);
}

void apply_round_many(std::string_view backend, std::span<State> states, std::size_t round) {
  apply_round_many_on(kernels_named(backend), states, round);
}

}  // namespace detail

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

void apply_round_many(std::span<State> states, std::size_t round) {
  apply_round_many_on(active(), states, round);
}

void apply_round(State& s, std::size_t round) {
  Lanes lanes = to_lanes(s);
  mds(lanes);
  for (std::size_t i = 0; i < kStateWidth; ++i)
    lanes[i] = pow7_lane(add_canonical(lanes[i], detail::kArk1[round][i]));
  mds(lanes);
  for (std::size_t i = 0; i < kStateWidth; ++i) lanes[i] = add_canonical(lanes[i], detail::kArk2[round][i]);
  inv_sbox(lanes);  // the twelve chains side by side, not one after another
  for (std::size_t i = 0; i < kStateWidth; ++i) s[i] = Felt(canonical(lanes[i]));
}

}  // namespace rollup::hash
