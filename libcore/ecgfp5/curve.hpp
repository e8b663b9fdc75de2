#pragma once
// The ECgFp5 group (Pornin, eprint 2022/274): the double-odd curve y^2 = x (x^2 + a x + b) over
// GF(p^5) with a = 2, b = 263 z, whose points of odd order form a group of prime order n. A group
// element is encoded as the single field element w = y / x (the neutral as w = 0); decoding
// accepts exactly the encodings of group elements. Points are kept in the paper's fractional
// (x, u) = (X/Z, U/T) coordinates with u = x / y, where the addition formulas are complete.
#include <array>
#include <optional>

#include "ecgfp5/gfp5.hpp"
#include "ecgfp5/scalar.hpp"

namespace rollup::ecgfp5 {

class Point {
 public:
  /// The curve's a = 2 and b = 263 z.
  static constexpr std::uint64_t kA = 2;
  static constexpr std::uint64_t kBOverZ = 263;

  /// The neutral element.
  constexpr Point() = default;
  static constexpr Point neutral() { return Point(); }
  /// The conventional generator, the element encoded as w = 4.
  static const Point& generator();

  /// w = 1/u = T/U; the neutral (u = 0) encodes as 0.
  Gfp5 encode() const;
  /// The element encoded by w, or nothing when w encodes no group element. The arithmetic runs in
  /// constant time; only whether w is valid shows.
  static std::optional<Point> decode(const Gfp5& w);
  /// Both steps on bytes: 40 canonical bytes of w (each coefficient < p) that decode.
  Gfp5::Bytes to_bytes() const { return encode().to_bytes(); }
  static std::optional<Point> from_bytes(std::span<const std::uint8_t, Gfp5::kEncodedSize> bytes);

  /// Complete addition (10 multiplications): no exceptional case, the neutral included.
  Point operator+(const Point& o) const;
  Point operator-() const;
  Point operator-(const Point& o) const { return *this + -o; }
  /// Doubling (4 multiplications and 5 squarings).
  Point doubled() const;
  /// 2^n P by the paper's repeated doubling, which carries (X, W, Z) between steps: 2
  /// multiplications and 5 squarings a step instead of 4 and 5.
  Point doubled(unsigned n) const;

  bool operator==(const Point& o) const { return equal_mask(o) != 0; }
  std::uint64_t equal_mask(const Point& o) const;
  bool is_neutral() const { return u_.is_zero(); }
  static Point select(std::uint64_t mask, const Point& a, const Point& b);

  /// k P in constant time for a secret k: signed 5-bit windows, each looked up in a table of
  /// 1P..16P by scanning all 16 entries with masks, then conditionally negated; no branch or
  /// memory index depends on k.
  Point operator*(const Scalar& k) const;
  /// k G in constant time, several times faster than generator() * k: a precomputed table holds
  /// d 32^i G for every window i and digit magnitude d (1024 points, 160 KiB, built on first
  /// use), so the product is 64 constant-time lookups and additions and no doubling.
  static Point mul_generator(const Scalar& k);
  /// a G + b P for public a, b, P (signature verification): b P by 5-bit windows from b's top
  /// nonzero digit (a short b needs fewer doublings), a G by the fixed-base table (additions
  /// only); entries picked by index and zero digits skipped. Not constant time.
  static Point mul_add_generator_vartime(const Scalar& a, const Scalar& b, const Point& p);

 private:
  constexpr Point(const Gfp5& x, const Gfp5& z, const Gfp5& u, const Gfp5& t)
      : x_(x), z_(z), u_(u), t_(t) {}
  // The paper's (X : Z : U : T): x = X/Z, u = U/T; the default is the neutral (0 : 1 : 0 : 1).
  Gfp5 x_ = Gfp5::zero(), z_ = Gfp5::one(), u_ = Gfp5::zero(), t_ = Gfp5::one();
};

}  // namespace rollup::ecgfp5
