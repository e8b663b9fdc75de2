#pragma once
// The Goldilocks prime field p = 2^64 - 2^32 + 1, used by the state tree's hash (RPO) and by the
// STARK. Elements are kept canonical (< p) so that equality and encoding are plain u64 ones.
#include <cstdint>
#include <span>
#include <vector>

namespace rollup::field {

class Felt {
 public:
  static constexpr std::uint64_t kModulus = 0xFFFFFFFF00000001ULL;
  /// 2^32 - 1: p = 2^64 - kEpsilon, the constant of the fast reduction.
  static constexpr std::uint64_t kEpsilon = 0xFFFFFFFFULL;

  constexpr Felt() = default;
  /// Reduces any u64 into the field.
  constexpr explicit Felt(std::uint64_t v) : v_(v >= kModulus ? v - kModulus : v) {}

  constexpr std::uint64_t value() const { return v_; }
  static constexpr Felt zero() { return Felt(); }
  static constexpr Felt one() { return Felt(1); }

  constexpr Felt operator+(Felt o) const {
    // v_ + o.v_ may wrap 2^64; wrapping subtracts 2^64 = kEpsilon (mod p).
    std::uint64_t s = v_ + o.v_;
    std::uint64_t carry = s < v_;
    s += carry * kEpsilon;  // cannot wrap again: both inputs < p
    return from_canonical_or_p(s);
  }
  constexpr Felt operator-(Felt o) const {
    std::uint64_t d = v_ - o.v_;
    std::uint64_t borrow = v_ < o.v_;
    d -= borrow * kEpsilon;  // d + 2^64 - kEpsilon = d + p
    return from_raw(d);
  }
  constexpr Felt operator-() const { return Felt() - *this; }
  constexpr Felt operator*(Felt o) const {
    return reduce128(static_cast<unsigned __int128>(v_) * o.v_);
  }
  constexpr Felt& operator+=(Felt o) { return *this = *this + o; }
  constexpr Felt& operator-=(Felt o) { return *this = *this - o; }
  constexpr Felt& operator*=(Felt o) { return *this = *this * o; }
  constexpr bool operator==(const Felt&) const = default;

  constexpr Felt square() const { return *this * *this; }
  constexpr Felt pow(std::uint64_t e) const {
    Felt base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  /// Multiplicative inverse; the inverse of zero is zero (callers that care check first).
  constexpr Felt inverse() const { return pow(kModulus - 2); }

  /// Reduces a 128-bit product: 2^64 = kEpsilon and 2^96 = -1 (mod p).
  static constexpr Felt reduce128(unsigned __int128 x) {
    std::uint64_t lo = static_cast<std::uint64_t>(x);
    std::uint64_t hi = static_cast<std::uint64_t>(x >> 64);
    std::uint64_t hi_hi = hi >> 32, hi_lo = hi & kEpsilon;
    // The borrow and the carry are corrections by masks, not branches: on arbitrary products they
    // are coin flips, and a mispredicted branch cost a chain of multiplications (a batch
    // inversion, a Horner evaluation) a third of its time.
    std::uint64_t t0 = 0;
    const bool borrow = __builtin_sub_overflow(lo, hi_hi, &t0);
    t0 -= (std::uint64_t{0} - borrow) & kEpsilon;
    const std::uint64_t t1 = hi_lo * kEpsilon;
    std::uint64_t t2 = 0;
    const bool carry = __builtin_add_overflow(t0, t1, &t2);
    t2 += (std::uint64_t{0} - carry) & kEpsilon;
    return from_canonical_or_p(t2);
  }

 private:
  static constexpr Felt from_raw(std::uint64_t v) {
    Felt f;
    f.v_ = v;
    return f;
  }
  static constexpr Felt from_canonical_or_p(std::uint64_t v) {
    return from_raw(v >= kModulus ? v - kModulus : v);
  }
  std::uint64_t v_ = 0;
};

/// A sum of products of canonical elements with one modular reduction at the end: a 128-bit
/// running sum plus a count of its wraps (each worth 2^128). Dot products with many terms (the
/// composition's random combination of constraints, the DEEP sums, polynomial evaluation) then
/// cost a multiply and an add per term instead of a full reduction.
class Accumulator {
 public:
  constexpr void add_product(Felt a, Felt b) {
    const unsigned __int128 prod = static_cast<unsigned __int128>(a.value()) * b.value();
    lo_ += prod;
    wraps_ += lo_ < prod;
  }
  constexpr Felt reduce() const {
    // 2^128 = (2^64)^2 = kEpsilon^2 = 2^64 - 2^33 + 1 = -2^32 (mod p).
    return Felt::reduce128(lo_) - Felt(wraps_) * Felt(std::uint64_t{1} << 32);
  }

 private:
  unsigned __int128 lo_ = 0;
  std::uint64_t wraps_ = 0;
};

/// A generator of the multiplicative group (order p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537).
inline constexpr Felt kMultiplicativeGenerator{7};
/// The two-adicity of p - 1: subgroups of order 2^k exist for k <= 32.
inline constexpr unsigned kTwoAdicity = 32;

/// A primitive 2^log_n-th root of unity.
Felt root_of_unity(unsigned log_n);

/// Inverts every element with one field inversion (Montgomery's trick); zeros stay zero.
void batch_inverse(std::span<Felt> values);

}  // namespace rollup::field
