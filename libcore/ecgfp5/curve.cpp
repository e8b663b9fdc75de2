#include "ecgfp5/curve.hpp"

#include <cstdlib>
#include <memory>

namespace rollup::ecgfp5 {
namespace {

constexpr std::size_t kTableSize = 16;  // 1P .. 16P: the magnitudes of the window digits
using Table = std::array<Point, kTableSize>;

Gfp5 mul_b(const Gfp5& v) { return v.mul_by_z(Felt(Point::kBOverZ)); }

Table multiples(const Point& p) {
  Table table;
  table[0] = p;
  table[1] = p.doubled();
  for (std::size_t i = 2; i < kTableSize; ++i) table[i] = table[i - 1] + p;
  return table;
}

/// d P for a digit d in [-16, 16] from the table of 1P..16P: reads every entry.
Point lookup(const Table& table, std::int32_t digit) {
  const std::uint32_t sign = static_cast<std::uint32_t>(digit) >> 31;
  const std::uint32_t magnitude = (static_cast<std::uint32_t>(digit) ^ (0 - sign)) + sign;
  Point r;
  for (std::size_t i = 0; i < kTableSize; ++i) {
    const std::uint32_t diff = magnitude ^ static_cast<std::uint32_t>(i + 1);
    r = Point::select(mask_of(diff == 0), r, table[i]);
  }
  return Point::select(mask_of(sign != 0), r, -r);
}

/// Row i holds 1..16 times 32^i G.
const std::array<Table, Scalar::kDigits>& generator_windows() {
  static const auto windows = [] {
    auto rows = std::make_unique<std::array<Table, Scalar::kDigits>>();
    Point base = Point::generator();
    for (std::size_t i = 0; i < Scalar::kDigits; ++i) {
      (*rows)[i] = multiples(base);
      base = base.doubled(Scalar::kWindow);
    }
    return rows;
  }();
  return *windows;
}

}  // namespace

const Point& Point::generator() {
  static const Point g = *decode(Gfp5(Felt(4)));
  return g;
}

Gfp5 Point::encode() const { return t_ * u_.inverse(); }

std::optional<Point> Point::decode(const Gfp5& w) {
  // With w = y/x the curve equation divided by x^2 reads x^2 - (w^2 - a) x + b = 0. Its roots
  // exist when the discriminant is a square, and then exactly one of them is not a square: that
  // one is the x of the group element (group elements are the points whose x is not a square).
  const Gfp5 e = w.square() - Gfp5(Felt(kA));
  const Gfp5 delta = e.square() - mul_b(Gfp5(Felt(4)));
  const Gfp5::Root r = delta.sqrt();
  const Felt half(Felt::kModulus / 2 + 1);  // 1/2
  const Gfp5 x1 = (e + r.root) * half, x2 = (e - r.root) * half;
  const std::uint64_t x1_is_square = mask_of(x1.legendre() == Felt::one());
  const Gfp5 x = Gfp5::select(x1_is_square, x1, x2);
  const std::uint64_t ok = mask_of(r.is_square);
  // w = 0 is the neutral; it fails the square root (a^2 - 4b is not a square) yet is valid.
  const Point decoded(x, Gfp5::one(), Gfp5::one(), w);
  const Point p = select(ok, Point(), decoded);
  if (!(r.is_square || w.is_zero())) return std::nullopt;
  return p;
}

std::optional<Point> Point::from_bytes(std::span<const std::uint8_t, Gfp5::kEncodedSize> bytes) {
  const auto w = Gfp5::from_bytes(bytes);
  if (!w) return std::nullopt;
  return decode(*w);
}

Point Point::operator+(const Point& o) const {
  // The paper's complete formulas in (x, u) coordinates, with a = 2 folded in.
  const Gfp5 t1 = x_ * o.x_, t2 = z_ * o.z_, t3 = u_ * o.u_, t4 = t_ * o.t_;
  const Gfp5 t5 = (x_ + z_) * (o.x_ + o.z_) - t1 - t2;
  const Gfp5 t6 = (u_ + t_) * (o.u_ + o.t_) - t3 - t4;
  const Gfp5 t7 = t1 + mul_b(t2);
  const Gfp5 t8 = t4 * t7;
  const Gfp5 t9 = t3 * (mul_b(t5).doubled() + t7.doubled());
  const Gfp5 t10 = (t4 + t3.doubled()) * (t5 + t7);
  return Point(mul_b(t10 - t8), t8 - t9, t6 * (mul_b(t2) - t1), t8 + t9);
}

Point Point::operator-() const { return Point(x_, z_, -u_, t_); }

Point Point::doubled() const {
  const Gfp5 t1 = z_ * t_;
  const Gfp5 t2 = t1 * t_;
  const Gfp5 x1 = t2.square();
  const Gfp5 z1 = t1 * u_;
  const Gfp5 t3 = u_.square();
  const Gfp5 w1 = t2 - (x_ + z_).doubled() * t3;
  const Gfp5 t4 = z1.square();
  const Gfp5 z = w1.square();
  const Gfp5 four_t4 = t4.doubled().doubled();
  return Point(mul_b(four_t4), z, (w1 + z1).square() - t4 - z, x1.doubled() - four_t4 - z);
}

Point Point::doubled(unsigned n) const {
  if (n == 0) return *this;
  if (n == 1) return doubled();
  // First step from (X : Z : U : T) to the intermediate (X, W, Z) form.
  Gfp5 t1 = z_ * t_;
  Gfp5 t2 = t1 * t_;
  const Gfp5 x1 = t2.square();
  const Gfp5 z1 = t1 * u_;
  Gfp5 t3 = u_.square();
  Gfp5 w1 = t2 - (x_ + z_).doubled() * t3;
  Gfp5 t4 = w1.square();
  Gfp5 t5 = z1.square();
  const Felt sixteen(16), four(4);
  Gfp5 x = mul_b(t5.square()) * sixteen;
  Gfp5 w = x1.doubled() - t5 * four - t4;
  Gfp5 z = (w1 + z1).square() - t4 - t5;
  for (unsigned step = 2; step < n; ++step) {
    t1 = z.square();
    t2 = t1.square();
    t3 = w.square();
    t4 = t3.square();
    t5 = (w + z).square() - t1 - t3;
    z = t5 * ((x + t1).doubled() - t3);
    x = mul_b(t2 * t4) * sixteen;
    w = (t2 - mul_b(t2)) * four - t4;  // -t4 - t2 (4b - 4)
  }
  // Last step back to (X : Z : U : T).
  t1 = w.square();
  t2 = z.square();
  t3 = (w + z).square() - t1 - t2;
  w1 = t1 - (x + t2).doubled();
  const Gfp5 z_out = w1.square();
  return Point(mul_b(t3.square()), z_out, t3 * w1, t1.doubled() * (t1 - t2.doubled()) - z_out);
}

std::uint64_t Point::equal_mask(const Point& o) const {
  // u is a complete invariant of a group element: compare U1/T1 with U2/T2 crosswise.
  return (u_ * o.t_).equal_mask(o.u_ * t_);
}

Point Point::select(std::uint64_t mask, const Point& a, const Point& b) {
  return Point(Gfp5::select(mask, a.x_, b.x_), Gfp5::select(mask, a.z_, b.z_),
               Gfp5::select(mask, a.u_, b.u_), Gfp5::select(mask, a.t_, b.t_));
}

Point Point::operator*(const Scalar& k) const {
  const Table table = multiples(*this);
  const auto digits = k.signed_digits();
  Point acc = lookup(table, digits[Scalar::kDigits - 1]);
  for (std::size_t i = Scalar::kDigits - 1; i-- > 0;) {
    acc = acc.doubled(Scalar::kWindow) + lookup(table, digits[i]);
  }
  return acc;
}

Point Point::mul_generator(const Scalar& k) {
  const auto& windows = generator_windows();
  const auto digits = k.signed_digits();
  Point acc = lookup(windows[0], digits[0]);
  for (std::size_t i = 1; i < Scalar::kDigits; ++i) acc = acc + lookup(windows[i], digits[i]);
  return acc;
}

Point Point::mul_add_generator_vartime(const Scalar& a, const Scalar& b, const Point& p) {
  auto add_digit = [](Point& acc, const Table& table, std::int32_t digit) {
    if (digit > 0) acc = acc + table[digit - 1];
    if (digit < 0) acc = acc - table[-digit - 1];
  };
  // b P by windows from b's top nonzero digit down: a short b (a signature's challenge has 256
  // bits) costs fewer doublings.
  const Table p_table = multiples(p);
  const auto db = b.signed_digits();
  std::size_t top = Scalar::kDigits;
  while (top > 0 && db[top - 1] == 0) --top;
  Point acc;
  for (std::size_t i = top; i-- > 0;) {
    if (i + 1 < top) acc = acc.doubled(Scalar::kWindow);
    add_digit(acc, p_table, db[i]);
  }
  // a G from the fixed-base windows: additions only.
  const auto& windows = generator_windows();
  const auto da = a.signed_digits();
  for (std::size_t i = 0; i < Scalar::kDigits; ++i) add_digit(acc, windows[i], da[i]);
  return acc;
}

}  // namespace rollup::ecgfp5
