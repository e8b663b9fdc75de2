#include "ecgfp5/gfp5.hpp"

namespace rollup::ecgfp5 {
namespace {

constexpr std::uint64_t kP = Felt::kModulus;
/// p - 1 = kOddPart * 2^32.
constexpr std::uint64_t kOddPart = 0xFFFFFFFFULL;
constexpr unsigned kTwoAdicity = 32;

/// g^(2^j) for j < 32, g = 7^kOddPart a primitive 2^32-th root of unity: the Tonelli-Shanks
/// correction factors.
constexpr std::array<Felt, kTwoAdicity> two_adic_powers() {
  std::array<Felt, kTwoAdicity> powers{};
  powers[0] = ct::pow(Felt(7), kOddPart);
  for (unsigned j = 1; j < kTwoAdicity; ++j) powers[j] = ct::mul(powers[j - 1], powers[j - 1]);
  return powers;
}
constexpr auto kTwoAdicPowers = two_adic_powers();

/// (z^i)^p = z^i * 3^(i (p-1)/5): the Frobenius map's factor per coefficient (p = 1 mod 5).
constexpr std::array<Felt, Gfp5::kDegree> frobenius_factors() {
  std::array<Felt, Gfp5::kDegree> factors{};
  const Felt root = ct::pow(Felt(Gfp5::kNonResidue), (kP - 1) / 5);
  factors[0] = Felt::one();
  for (std::size_t i = 1; i < Gfp5::kDegree; ++i) factors[i] = ct::mul(factors[i - 1], root);
  return factors;
}
constexpr auto kFrobenius = frobenius_factors();

Felt mask_felt(std::uint64_t mask, Felt v) { return Felt(v.value() & mask); }
Felt square(Felt x) { return ct::mul(x, x); }

std::uint64_t felt_equal_mask(Felt a, Felt b) {
  const std::uint64_t diff = a.value() ^ b.value();
  // (diff | -diff) has its top bit set exactly when diff != 0.
  return ((diff | (0 - diff)) >> 63) - 1;
}

/// x^(r-1) with r = 1 + p + p^2 + p^3 + p^4, by three Frobenius maps and two products; x * x^(r-1)
/// = x^r lies in GF(p) (it is the norm of x).
Gfp5 pow_r_minus_1(const Gfp5& x) {
  const Gfp5 t = x.frobenius() * x.frobenius2();  // x^(p + p^2)
  return t * t.frobenius2();                      // x^(p + p^2 + p^3 + p^4)
}

}  // namespace

Felt legendre(Felt x) { return ct::pow(x, (kP - 1) / 2); }

FeltRoot sqrt(Felt x) {
  // Tonelli-Shanks with p - 1 = q 2^32: r = x^((q+1)/2), v = x^q; while v is not a 2^0 root of
  // unity, fold a power of g into both. Every step runs for every x (the selects hide which).
  Felt r = ct::pow(x, (kOddPart + 1) / 2);
  Felt v = ct::pow(x, kOddPart);
  const Felt minus_one = ct::neg(Felt::one());
  for (unsigned i = kTwoAdicity - 1; i >= 1; --i) {
    Felt w = v;
    for (unsigned k = 1; k < i; ++k) w = square(w);
    const std::uint64_t fold = felt_equal_mask(w, minus_one);
    v = select(fold, v, ct::mul(v, kTwoAdicPowers[kTwoAdicity - i]));
    r = select(fold, r, ct::mul(r, kTwoAdicPowers[kTwoAdicity - 1 - i]));
  }
  const std::uint64_t ok = felt_equal_mask(v, Felt::zero()) | felt_equal_mask(v, Felt::one());
  return {mask_felt(ok, r), ok != 0};
}

Gfp5 Gfp5::operator*(const Gfp5& o) const {
  // c_k = sum_{i+j=k} a_i b_j + 3 sum_{i+j=k+5} a_i b_j, written out (the compiler keeps loops
  // of this shape rolled); each coefficient's two sums meet before its one reduction.
  const Felt a0 = c_[0], a1 = c_[1], a2 = c_[2], a3 = c_[3], a4 = c_[4];
  const Felt b0 = o.c_[0], b1 = o.c_[1], b2 = o.c_[2], b3 = o.c_[3], b4 = o.c_[4];
  ct::Accumulator k0, k1, k2, k3, k4, w0, w1, w2, w3;
  k0.add_product(a0, b0);
  w0.add_product(a1, b4), w0.add_product(a2, b3), w0.add_product(a3, b2), w0.add_product(a4, b1);
  k1.add_product(a0, b1), k1.add_product(a1, b0);
  w1.add_product(a2, b4), w1.add_product(a3, b3), w1.add_product(a4, b2);
  k2.add_product(a0, b2), k2.add_product(a1, b1), k2.add_product(a2, b0);
  w2.add_product(a3, b4), w2.add_product(a4, b3);
  k3.add_product(a0, b3), k3.add_product(a1, b2), k3.add_product(a2, b1), k3.add_product(a3, b0);
  w3.add_product(a4, b4);
  k4.add_product(a0, b4), k4.add_product(a1, b3), k4.add_product(a2, b2), k4.add_product(a3, b1),
      k4.add_product(a4, b0);
  k0.add_three_times(w0), k1.add_three_times(w1), k2.add_three_times(w2), k3.add_three_times(w3);
  return Gfp5({k0.reduce(), k1.reduce(), k2.reduce(), k3.reduce(), k4.reduce()});
}

Gfp5 Gfp5::square() const {
  // The cross terms a_i a_j (i != j) appear twice: 15 products instead of 25.
  const Felt a0 = c_[0], a1 = c_[1], a2 = c_[2], a3 = c_[3], a4 = c_[4];
  const Felt d0 = ct::add(a0, a0), d1 = ct::add(a1, a1), d2 = ct::add(a2, a2),
             d3 = ct::add(a3, a3);  // 2 a_i
  ct::Accumulator k0, k1, k2, k3, k4, w0, w1, w2, w3;
  k0.add_product(a0, a0);
  w0.add_product(d1, a4), w0.add_product(d2, a3);
  k1.add_product(d0, a1);
  w1.add_product(d2, a4), w1.add_product(a3, a3);
  k2.add_product(d0, a2), k2.add_product(a1, a1);
  w2.add_product(d3, a4);
  k3.add_product(d0, a3), k3.add_product(d1, a2);
  w3.add_product(a4, a4);
  k4.add_product(d0, a4), k4.add_product(d1, a3), k4.add_product(a2, a2);
  k0.add_three_times(w0), k1.add_three_times(w1), k2.add_three_times(w2), k3.add_three_times(w3);
  return Gfp5({k0.reduce(), k1.reduce(), k2.reduce(), k3.reduce(), k4.reduce()});
}

Gfp5 Gfp5::pow(std::uint64_t e) const {
  Gfp5 base = *this, acc = one();
  while (e) {
    if (e & 1) acc *= base;
    base = base.square();
    e >>= 1;
  }
  return acc;
}

Gfp5 Gfp5::frobenius() const {
  Gfp5 r;
  for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = ct::mul(c_[i], kFrobenius[i]);
  return r;
}

Gfp5 Gfp5::frobenius2() const {
  // Applying the map twice multiplies coefficient i by kFrobenius[i]^2 = kFrobenius[2i mod 5].
  Gfp5 r;
  for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = ct::mul(c_[i], kFrobenius[(2 * i) % kDegree]);
  return r;
}

Gfp5 Gfp5::inverse() const {
  // 1/x = x^(r-1) / x^r, and x^r is in GF(p): one base-field inversion (0 maps to 0).
  const Gfp5 t = pow_r_minus_1(*this);
  const Felt norm = (*this * t)[0];
  return t * ct::pow(norm, kP - 2);  // 0 stays 0
}

Felt Gfp5::legendre() const {
  // (p^5 - 1)/2 = r (p - 1)/2: the symbol of x is that of its norm x^r in GF(p).
  const Gfp5 t = pow_r_minus_1(*this);
  return ecgfp5::legendre((*this * t)[0]);
}

Gfp5::Root Gfp5::sqrt() const {
  // x = x^r / x^(r-1) with r - 1 even: sqrt(x) = sqrt(x^r) / x^((r-1)/2), where
  // (r-1)/2 = p (1 + p^2) (p+1)/2, so d = x^((p+1)/2) and x^((r-1)/2) = frob(d * frob2(d)).
  const Gfp5 d = pow((kP + 1) / 2);
  const Gfp5 half = (d * d.frobenius2()).frobenius();
  const Felt norm = (*this * half.square())[0];
  const FeltRoot base = ecgfp5::sqrt(norm);
  return {half.inverse() * base.root, base.is_square};
}

std::uint64_t Gfp5::equal_mask(const Gfp5& o) const {
  std::uint64_t diff = 0;
  for (std::size_t i = 0; i < kDegree; ++i) diff |= c_[i].value() ^ o.c_[i].value();
  return ((diff | (0 - diff)) >> 63) - 1;
}

Gfp5 Gfp5::select(std::uint64_t mask, const Gfp5& a, const Gfp5& b) {
  Gfp5 r;
  for (std::size_t i = 0; i < kDegree; ++i) r.c_[i] = ecgfp5::select(mask, a.c_[i], b.c_[i]);
  return r;
}

Gfp5::Bytes Gfp5::to_bytes() const {
  Bytes out{};
  for (std::size_t i = 0; i < kDegree; ++i)
    for (std::size_t b = 0; b < 8; ++b)
      out[8 * i + b] = static_cast<std::uint8_t>(c_[i].value() >> (8 * b));
  return out;
}

std::optional<Gfp5> Gfp5::from_bytes(std::span<const std::uint8_t, kEncodedSize> bytes) {
  Gfp5 r;
  for (std::size_t i = 0; i < kDegree; ++i) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b) v |= std::uint64_t{bytes[8 * i + b]} << (8 * b);
    if (v >= kP) return std::nullopt;
    r.c_[i] = Felt(v);
  }
  return r;
}

}  // namespace rollup::ecgfp5
