#pragma once
// Goldilocks elements 4 (AVX2) or 8 (AVX-512) at a time, for the prover's NTT butterflies and
// its constraint evaluation, with the instruction set chosen at run time.
//
// Packed<Isa> behaves like Felt (+, -, *, construction from Felt; lanes kept canonical), so
// code written once over a field type F, such as an AIR's constraint template, runs on it
// unchanged and computes, lane by lane, exactly what it computes on Felt.
//
// How this stays safe on a CPU without AVX-512 (the hazard rpo.cpp's comments describe): the
// only functions compiled for AVX2 or AVX-512 are the Isa structs' members below, defined with
// their target in this header, and the kernels that use Packed, each a non-inline function
// declared [[gnu::target(...), gnu::flatten]]. Packed's own operators and every template run on
// it (std::span, std::array, the AIR's evaluate) are compiled for the baseline wherever they are
// instantiated; flatten inlines them into the kernel, where they become the kernel's own AVX
// code. A copy left out of line is baseline code that calls the Isa member, which only a kernel
// of that instruction set ever reaches. No inline function shared with scalar code is ever
// emitted with an AVX target.
//
// Speed needs more than flatten, which GCC applies only as far as its inliner's growth limits
// allow in a large function: Packed's operators are always_inline, and so must be the templates
// a kernel runs them through (an AIR's evaluate), so that only the Isa members, small leaves
// that cannot be always_inline (inlining them into the baseline operators is an error), are
// left to flatten.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "field/goldilocks.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ROLLUP_FIELD_X86_SIMD 1
#else
#define ROLLUP_FIELD_X86_SIMD 0
#endif

// Vector arguments passed by value to baseline functions draw GCC's note that their ABI
// differs with AVX enabled; these functions are internal to each kernel, never an interface.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace rollup::field {

/// The vector instruction sets the field kernels have code for, widest first.
enum class VectorIsa { avx512, avx2, scalar };

std::string_view vector_isa_name(VectorIsa isa);
/// Those the running CPU supports, widest first; scalar is always there, last.
const std::vector<VectorIsa>& supported_vector_isas();
/// The one in use: the widest supported unless detail::set_vector_isa chose another.
VectorIsa vector_isa();

namespace detail {
/// For tests and benchmarks that compare the kernels: every later call of the NTT and of
/// TypedAir's block evaluation uses `isa`. Throws std::invalid_argument if the CPU lacks it.
/// Not for use while a transform or a proof runs on another thread.
void set_vector_isa(VectorIsa isa);
}  // namespace detail

namespace simd {
/// Whether F is a Packed type (for code that special-cases it, such as a small-constant MDS).
template <class F>
inline constexpr bool is_packed_v = false;
}  // namespace simd

#if ROLLUP_FIELD_X86_SIMD
namespace simd {

using u64 = std::uint64_t;

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
namespace avx2_ops {
using V = u64 __attribute__((vector_size(32)));
// Without unsigned compares, branching on the rare borrow measured faster (see rpo.cpp).
constexpr bool kBranchOnBorrow = true;
[[gnu::always_inline]] inline V mul32(V a, V b) {
  return reinterpret_cast<V>(
      _mm256_mul_epu32(reinterpret_cast<__m256i>(a), reinterpret_cast<__m256i>(b)));
}
[[gnu::always_inline]] inline V high_halves(V a) {
  return reinterpret_cast<V>(
      _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(reinterpret_cast<__m256i>(a)))));
}
[[gnu::always_inline]] inline bool any_lane(V mask) {
  return !_mm256_testz_si256(reinterpret_cast<__m256i>(mask), reinterpret_cast<__m256i>(mask));
}
#include "field/goldilocks_simd.inl"
}  // namespace avx2_ops

struct Avx2 {
  using V = avx2_ops::V;
  static constexpr std::size_t kLanes = 4;
  /// a * b mod p for canonical lanes, as any u64 congruent to it.
  static V mul_unreduced(V a, V b) { return avx2_ops::mul(a, b); }
  static V mul32(V a, V b) { return avx2_ops::mul32(a, b); }
  static V combine_halves(V lo, V hi) { return avx2_ops::combine_halves(lo, hi); }
};
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq")
#endif
namespace avx512_ops {
using V = u64 __attribute__((vector_size(64)));
constexpr bool kBranchOnBorrow = false;
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
#include "field/goldilocks_simd.inl"
}  // namespace avx512_ops

struct Avx512 {
  using V = avx512_ops::V;
  static constexpr std::size_t kLanes = 8;
  static V mul_unreduced(V a, V b) { return avx512_ops::mul(a, b); }
  static V mul32(V a, V b) { return avx512_ops::mul32(a, b); }
  static V combine_halves(V lo, V hi) { return avx512_ops::combine_halves(lo, hi); }
};
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/// Isa::kLanes field elements side by side; every lane canonical (< p) as in Felt.
template <class Isa>
class Packed {
 public:
  using V = typename Isa::V;
  static constexpr std::size_t kLanes = Isa::kLanes;

  Packed() = default;
  // Implicit on purpose, as Ext2's: constraint code mixes base constants into packed arithmetic.
  // NOLINTNEXTLINE(google-explicit-constructor)
  [[gnu::always_inline]] Packed(Felt f) : v_(V{} + f.value()) {}

  /// Lanes from kLanes consecutive elements.
  [[gnu::always_inline]] static Packed load(const Felt* p) {
    Packed r;
    __builtin_memcpy(&r.v_, p, sizeof r.v_);
    return r;
  }
  [[gnu::always_inline]] void store(Felt* p) const {
    __builtin_memcpy(static_cast<void*>(p), &v_, sizeof v_);
  }
  /// Lane i from element i / per: each of kLanes / per elements repeated per times (a twiddle
  /// for the two halves of an Ext2 when per = 2).
  template <std::size_t per>
  [[gnu::always_inline]] static Packed load_repeated(const Felt* p) {
    if constexpr (per == 1) {
      return load(p);
    } else {
      Packed r;
      for (std::size_t i = 0; i < kLanes; ++i) r.v_[i] = p[i / per].value();
      return r;
    }
  }
  [[gnu::always_inline]] Felt lane(std::size_t i) const { return Felt(v_[i]); }

  [[gnu::always_inline]] friend Packed operator+(Packed a, Packed b) {
    V s = a.v_ + b.v_;
    s = s < a.v_ ? s + kEpsilon : s;  // wrapped past 2^64 = kEpsilon (mod p)
    return canonical(s);
  }
  [[gnu::always_inline]] friend Packed operator-(Packed a, Packed b) {
    V d = a.v_ - b.v_;
    return from_raw(a.v_ < b.v_ ? d - kEpsilon : d);  // borrowed 2^64: d + 2^64 - kEpsilon = d + p
  }
  [[gnu::always_inline]] Packed operator-() const { return Packed() - *this; }
  [[gnu::always_inline]] friend Packed operator*(Packed a, Packed b) {
    return canonical(Isa::mul_unreduced(a.v_, b.v_));
  }
  [[gnu::always_inline]] Packed& operator+=(Packed o) { return *this = *this + o; }
  [[gnu::always_inline]] Packed& operator-=(Packed o) { return *this = *this - o; }
  [[gnu::always_inline]] Packed& operator*=(Packed o) { return *this = *this * o; }
  [[gnu::always_inline]] Packed square() const { return *this * *this; }

  /// sum_j coeffs[j] * s[j] for small constant coefficients (each below 2^32, their sum below
  /// 2^9): as the RPO MDS, the 32-bit halves are summed apart and reduced once.
  template <std::size_t N>
  [[gnu::always_inline]] static Packed dot_small(const Packed* s, const std::uint64_t* coeffs) {
    V sum_lo = V{}, sum_hi = V{};
    for (std::size_t j = 0; j < N; ++j) {
      const V m = V{} + coeffs[j];
      sum_lo += Isa::mul32(s[j].v_, m);
      sum_hi += Isa::mul32(s[j].v_ >> 32, m);
    }
    return canonical(Isa::combine_halves(sum_lo, sum_hi));
  }

 private:
  static constexpr u64 kEpsilon = Felt::kEpsilon;
  [[gnu::always_inline]] static Packed from_raw(V v) {
    Packed r;
    r.v_ = v;
    return r;
  }
  [[gnu::always_inline]] static Packed canonical(V v) {
    return from_raw(v >= Felt::kModulus ? v - Felt::kModulus : v);
  }
  // Explicit: a vector type's natural alignment is capped by the instruction set enabled where
  // it is used (16 bytes at the baseline), so a kernel would assume 64 while a baseline
  // allocation gives 16.
  alignas(sizeof(V)) V v_ = V{};
};

template <class Isa>
inline constexpr bool is_packed_v<Packed<Isa>> = true;

}  // namespace simd
#endif  // ROLLUP_FIELD_X86_SIMD

}  // namespace rollup::field

#pragma GCC diagnostic pop
