#pragma once
// GF(p^5) = GF(p)[z] / (z^5 - 3) over the Goldilocks prime, the field of the ECgFp5 curve
// (Pornin, "EcGFp5: a Specialized Elliptic Curve", eprint 2022/274). Every operation here runs in
// time independent of the values (no branch or index depends on them, see ct below), so secret
// scalars can flow through the curve arithmetic built on it.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "field/goldilocks.hpp"

namespace rollup::ecgfp5 {

using Felt = rollup::field::Felt;

/// All ones when `condition` holds, zero otherwise: the selector of the branchless code below.
constexpr std::uint64_t mask_of(bool condition) { return -static_cast<std::uint64_t>(condition); }

/// mask ? b : a, without a branch.
constexpr Felt select(std::uint64_t mask, Felt a, Felt b) {
  return Felt(a.value() ^ (mask & (a.value() ^ b.value())));
}

/// GF(p) arithmetic without data-dependent branches. Felt's own operators reduce with
/// conditionals that compilers turn into jumps on the carries (fine for the public data of the
/// STARK, not for secret scalars): here every carry and borrow becomes a mask instead. Results
/// are canonical, so Felt's constructor check (v >= p) always goes the same way.
namespace ct {
using u128 = unsigned __int128;
inline constexpr std::uint64_t kP = Felt::kModulus;

constexpr Felt add(Felt a, Felt b) {
  const u128 d = static_cast<u128>(a.value()) + b.value() - kP;  // in [-p, p)
  const std::uint64_t negative = static_cast<std::uint64_t>(d >> 64);
  return Felt(static_cast<std::uint64_t>(d) + (kP & negative));
}
constexpr Felt sub(Felt a, Felt b) {
  const u128 d = static_cast<u128>(a.value()) - b.value();
  const std::uint64_t negative = static_cast<std::uint64_t>(d >> 64);
  return Felt(static_cast<std::uint64_t>(d) + (kP & negative));
}
/// x mod p for any x < 2^128: 2^64 = 2^32 - 1 and 2^96 = -1 (mod p).
constexpr Felt reduce128(u128 x) {
  const std::uint64_t lo = static_cast<std::uint64_t>(x), hi = static_cast<std::uint64_t>(x >> 64);
  const std::uint64_t hi_hi = hi >> 32, hi_lo = hi & Felt::kEpsilon;
  // lo - hi_hi, adding p back on a borrow (mod 2^64, +p is -kEpsilon).
  const u128 t0 = static_cast<u128>(lo) - hi_hi;
  const std::uint64_t borrow = static_cast<std::uint64_t>(t0 >> 64);
  const std::uint64_t r0 = static_cast<std::uint64_t>(t0) - (Felt::kEpsilon & borrow);
  // + hi_lo (2^32 - 1), folding a carry out of 64 bits back in as kEpsilon.
  const u128 t1 = static_cast<u128>(r0) + hi_lo * Felt::kEpsilon;
  const std::uint64_t carry = 0 - static_cast<std::uint64_t>(t1 >> 64);
  const std::uint64_t r1 = static_cast<std::uint64_t>(t1) + (Felt::kEpsilon & carry);
  // One last conditional subtraction of p.
  const u128 d = static_cast<u128>(r1) - kP;
  const std::uint64_t negative = static_cast<std::uint64_t>(d >> 64);
  return Felt(static_cast<std::uint64_t>(d) + (kP & negative));
}
constexpr Felt mul(Felt a, Felt b) { return reduce128(static_cast<u128>(a.value()) * b.value()); }
constexpr Felt neg(Felt a) { return sub(Felt(), a); }
/// x^e for a public exponent e: the branches follow e's bits only.
constexpr Felt pow(Felt x, std::uint64_t e) {
  Felt acc = Felt::one();
  while (e) {
    if (e & 1) acc = mul(acc, x);
    x = mul(x, x);
    e >>= 1;
  }
  return acc;
}

/// A sum of products with one reduction (the idea of field::Accumulator, with the reduction
/// above): a 128-bit sum and its count of wraps past 2^128 = -2^32 (mod p).
class Accumulator {
 public:
  constexpr void add_product(Felt a, Felt b) {
    const u128 prod = static_cast<u128>(a.value()) * b.value();
    wraps_ += static_cast<std::uint64_t>(__builtin_add_overflow(lo_, prod, &lo_));
  }
  /// Adds 3 times another sum: the terms that wrap past z^5 = 3 are summed apart and folded in
  /// once per coefficient, instead of multiplying each by 3 in the field.
  constexpr void add_three_times(const Accumulator& o) {
    for (int i = 0; i < 3; ++i)
      wraps_ += static_cast<std::uint64_t>(__builtin_add_overflow(lo_, o.lo_, &lo_));
    wraps_ += 3 * o.wraps_;
  }
  constexpr Felt reduce() const { return sub(reduce128(lo_), Felt(wraps_ << 32)); }

 private:
  u128 lo_ = 0;
  std::uint64_t wraps_ = 0;  // at most the number of products, far below 2^31
};
}  // namespace ct

/// x^((p-1)/2) in GF(p): 1 for a nonzero square, p - 1 for a non-square, 0 for zero.
Felt legendre(Felt x);

/// A square root in GF(p) by the constant-time Tonelli-Shanks of the reference implementation
/// (so the same one of the two roots comes out), or nothing when x is not a square.
struct FeltRoot {
  Felt root;  ///< zero when x is not a square
  bool is_square;
};
FeltRoot sqrt(Felt x);

class Gfp5 {
 public:
  static constexpr std::size_t kDegree = 5;
  /// z^5 = kNonResidue.
  static constexpr std::uint64_t kNonResidue = 3;
  static constexpr std::size_t kEncodedSize = 40;
  using Bytes = std::array<std::uint8_t, kEncodedSize>;

  constexpr Gfp5() = default;
  constexpr explicit Gfp5(const std::array<Felt, kDegree>& coefficients) : c_(coefficients) {}
  /// The element of GF(p) `v` (the constant coefficient).
  constexpr explicit Gfp5(Felt v) : c_{v, Felt(), Felt(), Felt(), Felt()} {}
  /// Coefficients of 1, z, ..., z^4, each reduced mod p (for constants and test vectors).
  static constexpr Gfp5 from_u64(std::uint64_t c0, std::uint64_t c1, std::uint64_t c2,
                                 std::uint64_t c3, std::uint64_t c4) {
    return Gfp5({Felt(c0), Felt(c1), Felt(c2), Felt(c3), Felt(c4)});
  }
  static constexpr Gfp5 zero() { return Gfp5(); }
  static constexpr Gfp5 one() { return Gfp5(Felt::one()); }

  constexpr Felt operator[](std::size_t i) const { return c_[i]; }
  constexpr const std::array<Felt, kDegree>& coefficients() const { return c_; }

  constexpr Gfp5 operator+(const Gfp5& o) const {
    return Gfp5({ct::add(c_[0], o.c_[0]), ct::add(c_[1], o.c_[1]), ct::add(c_[2], o.c_[2]),
                 ct::add(c_[3], o.c_[3]), ct::add(c_[4], o.c_[4])});
  }
  constexpr Gfp5 operator-(const Gfp5& o) const {
    return Gfp5({ct::sub(c_[0], o.c_[0]), ct::sub(c_[1], o.c_[1]), ct::sub(c_[2], o.c_[2]),
                 ct::sub(c_[3], o.c_[3]), ct::sub(c_[4], o.c_[4])});
  }
  constexpr Gfp5 operator-() const { return Gfp5() - *this; }
  Gfp5 operator*(const Gfp5& o) const;
  /// Multiplication by an element of GF(p): five base-field products.
  constexpr Gfp5 operator*(Felt k) const {
    Gfp5 r;
    for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = ct::mul(c_[i], k);
    return r;
  }
  /// Multiplication by k * z (the shape of the curve constant b = 263 z): a shift of the
  /// coefficients, the one that wraps past z^4 picking up z^5 = 3.
  constexpr Gfp5 mul_by_z(Felt k) const {
    return Gfp5({ct::mul(c_[4], ct::mul(k, Felt(kNonResidue))), ct::mul(c_[0], k),
                 ct::mul(c_[1], k), ct::mul(c_[2], k), ct::mul(c_[3], k)});
  }
  Gfp5& operator+=(const Gfp5& o) { return *this = *this + o; }
  Gfp5& operator-=(const Gfp5& o) { return *this = *this - o; }
  Gfp5& operator*=(const Gfp5& o) { return *this = *this * o; }
  constexpr Gfp5 doubled() const { return *this + *this; }
  Gfp5 square() const;
  /// x^e for a public exponent (the branches follow e's bits, not x).
  Gfp5 pow(std::uint64_t e) const;

  /// x^p and x^(p^2): the Frobenius map multiplies coefficient i by 3^(i (p-1)/5).
  Gfp5 frobenius() const;
  Gfp5 frobenius2() const;
  /// The inverse by Itoh-Tsujii (one inversion in GF(p)); the inverse of zero is zero.
  Gfp5 inverse() const;
  /// x^((p^5-1)/2) as an element of GF(p): 1, p - 1, or 0 for zero.
  Felt legendre() const;
  struct Root;
  /// A square root as the reference implementation computes it (sqrt(x^r) / x^((r-1)/2) with
  /// r = 1 + p + ... + p^4), or is_square false and a zero root.
  Root sqrt() const;

  /// Constant-time comparisons (the mask form feeds select without a branch).
  std::uint64_t equal_mask(const Gfp5& o) const;
  std::uint64_t zero_mask() const { return equal_mask(Gfp5()); }
  bool operator==(const Gfp5& o) const { return equal_mask(o) != 0; }
  bool is_zero() const { return zero_mask() != 0; }
  /// mask ? b : a.
  static Gfp5 select(std::uint64_t mask, const Gfp5& a, const Gfp5& b);

  /// The canonical 40 bytes: coefficients of 1, z, ..., z^4, each 8 bytes little-endian.
  Bytes to_bytes() const;
  /// Inverse of to_bytes; rejects a coefficient >= p, so that each element has one encoding.
  static std::optional<Gfp5> from_bytes(std::span<const std::uint8_t, kEncodedSize> bytes);

 private:
  std::array<Felt, kDegree> c_{};
};

struct Gfp5::Root {
  Gfp5 root;
  bool is_square;
};

}  // namespace rollup::ecgfp5
