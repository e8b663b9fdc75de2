#pragma once
// The quadratic extension F_p[u]/(u^2 - 7) of Goldilocks. The STARK draws its out-of-domain
// point and its random coefficients here: a 64-bit field alone would cap soundness near 64 bits.
// 7 generates F_p^*, so it is a quadratic non-residue and u^2 - 7 is irreducible.
#include <cstdint>
#include <span>

#include "field/goldilocks.hpp"

namespace rollup::field {

class Ext2 {
 public:
  /// The non-residue W with u^2 = W.
  static constexpr Felt kNonResidue{7};

  constexpr Ext2() = default;
  // Implicit on purpose: constraint code written once over a field type F mixes base constants
  // into extension arithmetic.
  constexpr Ext2(Felt a) : a_(a) {}  // NOLINT(google-explicit-constructor)
  constexpr Ext2(Felt a, Felt b) : a_(a), b_(b) {}

  constexpr Felt real() const { return a_; }
  constexpr Felt imag() const { return b_; }
  constexpr bool in_base_field() const { return b_ == Felt::zero(); }

  static constexpr Ext2 zero() { return Ext2(); }
  static constexpr Ext2 one() { return Ext2(Felt::one()); }

  constexpr Ext2 operator+(Ext2 o) const { return {a_ + o.a_, b_ + o.b_}; }
  constexpr Ext2 operator-(Ext2 o) const { return {a_ - o.a_, b_ - o.b_}; }
  constexpr Ext2 operator-() const { return {-a_, -b_}; }
  constexpr Ext2 operator*(Ext2 o) const {
    // Karatsuba: three base products instead of four.
    Felt aa = a_ * o.a_, bb = b_ * o.b_;
    Felt cross = (a_ + b_) * (o.a_ + o.b_) - aa - bb;
    return {aa + mul_by_nonresidue(bb), cross};
  }
  constexpr Ext2 operator*(Felt s) const { return {a_ * s, b_ * s}; }
  constexpr Ext2 operator+(Felt s) const { return {a_ + s, b_}; }
  constexpr Ext2 operator-(Felt s) const { return {a_ - s, b_}; }
  friend constexpr Ext2 operator*(Felt s, Ext2 e) { return e * s; }
  friend constexpr Ext2 operator+(Felt s, Ext2 e) { return e + s; }
  friend constexpr Ext2 operator-(Felt s, Ext2 e) { return Ext2(s) - e; }

  constexpr Ext2& operator+=(Ext2 o) { return *this = *this + o; }
  constexpr Ext2& operator-=(Ext2 o) { return *this = *this - o; }
  constexpr Ext2& operator*=(Ext2 o) { return *this = *this * o; }
  constexpr Ext2& operator*=(Felt s) { return *this = *this * s; }
  constexpr bool operator==(const Ext2&) const = default;

  constexpr Ext2 square() const {
    Felt aa = a_ * a_, bb = b_ * b_, ab = a_ * b_;
    return {aa + mul_by_nonresidue(bb), ab + ab};
  }
  constexpr Ext2 pow(std::uint64_t e) const {
    Ext2 base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  /// (a + bu)^-1 = (a - bu) / (a^2 - 7 b^2); the norm vanishes only at zero, whose inverse is
  /// zero here as in Felt.
  constexpr Ext2 inverse() const {
    Felt norm = a_ * a_ - mul_by_nonresidue(b_ * b_);
    Felt inv = norm.inverse();
    return {a_ * inv, -(b_ * inv)};
  }

 private:
  static constexpr Felt mul_by_nonresidue(Felt x) {
    Felt x2 = x + x, x4 = x2 + x2;
    return x4 + x2 + x;
  }
  Felt a_{}, b_{};
};

/// Sums of extension elements times base elements (or extension times extension) with the
/// reductions delayed to the end; see Accumulator.
class Ext2Accumulator {
 public:
  /// += e * s
  constexpr void add_product(const Ext2& e, Felt s) {
    re_.add_product(e.real(), s);
    im_.add_product(e.imag(), s);
  }
  /// += e * f = (ac + 7 bd) + (ad + bc) u
  constexpr void add_product(const Ext2& e, const Ext2& f) {
    re_.add_product(e.real(), f.real());
    bd_.add_product(e.imag(), f.imag());
    im_.add_product(e.real(), f.imag());
    im_.add_product(e.imag(), f.real());
  }
  constexpr Ext2 reduce() const {
    return {re_.reduce() + Ext2::kNonResidue * bd_.reduce(), im_.reduce()};
  }

 private:
  Accumulator re_, im_, bd_;
};

/// Inverts every element with one extension inversion; zeros stay zero.
void batch_inverse(std::span<Ext2> values);

/// out[r] = sum_k coeffs[k] * values[k * stride + r] for every r < out.size(): extension
/// combinations of base-field columns laid one after another (the prover's random combination of
/// a block of rows' constraint values), a vector of rows at a time where the CPU has vectors.
void combine_columns(std::span<const Felt> values, std::size_t stride, std::span<const Ext2> coeffs,
                     std::span<Ext2> out);

}  // namespace rollup::field
