#pragma once
// GF(p^5) = GF(p)[z] / (z^5 - 3) over the Goldilocks prime, the field of the ECgFp5 curve
// (Pornin, "EcGFp5: a Specialized Elliptic Curve", eprint 2022/274). Every operation here runs in
// time independent of the values (no branch or index depends on them), so secret scalars can flow
// through the curve arithmetic built on it.
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

/// x^((p-1)/2) in GF(p): 1 for a nonzero square, p - 1 for a non-square, 0 for zero.
Felt legendre(Felt x);

/// A square root in GF(p) by the constant-time Tonelli-Shanks of the reference implementation
/// (so the same one of the two roots comes out), or nothing when x is not a square.
struct FeltRoot {
  Felt root;     ///< zero when x is not a square
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
    Gfp5 r;
    for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = c_[i] + o.c_[i];
    return r;
  }
  constexpr Gfp5 operator-(const Gfp5& o) const {
    Gfp5 r;
    for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = c_[i] - o.c_[i];
    return r;
  }
  constexpr Gfp5 operator-() const { return Gfp5() - *this; }
  Gfp5 operator*(const Gfp5& o) const;
  /// Multiplication by an element of GF(p): five base-field products.
  constexpr Gfp5 operator*(Felt k) const {
    Gfp5 r;
    for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = c_[i] * k;
    return r;
  }
  /// Multiplication by k * z (the shape of the curve constant b = 263 z): a shift of the
  /// coefficients, the one that wraps past z^4 picking up z^5 = 3.
  constexpr Gfp5 mul_by_z(Felt k) const {
    return Gfp5({c_[4] * (k * Felt(kNonResidue)), c_[0] * k, c_[1] * k, c_[2] * k, c_[3] * k});
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
