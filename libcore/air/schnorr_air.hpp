#pragma once
// An AIR that checks a batch of Schnorr signatures over ECgFp5 (issue #10's in-proof gadget):
// for each signature, given the public key's encoding w(X), the challenge e = d0 + d1 2^64 +
// d2 2^128 + d3 2^192 and the signature (w(R), s), it proves the result bit
//   1  iff  X decodes to a non-neutral group element (otherwise no trace exists),
//           s < n, w(R) decodes to a non-neutral group element, and s G - e X = R;
//   0  otherwise,
// so that a bad signature is proven bad and neither answer can be forged. One signature takes
// a 512-row segment: 320 rows, one per bit of s (and of e, zero-extended), of a double-and-add
// with Shamir's trick over the table {N, G, -X, G - X}, then 192 idle rows, all zero; 67
// columns. The power-of-two segment makes the structure columns periodic of period 512.
// docs/ecgfp5.md ("In the AIR") gives every column and constraint and the soundness argument.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ecgfp5/gfp5.hpp"
#include "ecgfp5/schnorr.hpp"
#include "stark/air.hpp"

namespace rollup::air {

using ecgfp5::Gfp5;
using field::Ext2;
using field::Felt;

/// What the proof states about one signature: every field is public. The caller binds
/// `public_key` to the signer's account, `challenge` to the RPO digest of the challenge input,
/// and (`commitment`, `response`) to the signature's 80 bytes.
struct SignatureClaim {
  Gfp5 public_key;                         ///< w(X)
  std::array<Felt, 4> challenge{};         ///< d0..d3
  Gfp5 commitment;                         ///< w(R), the signature's bytes 0..39
  std::array<std::uint64_t, 5> response{};  ///< s as read from bytes 40..79 (may be >= n)
  bool valid = false;                      ///< the result bit
};

/// The claim's signature fields from a signature's 80 bytes: `commitment` w(R) from bytes 0..39,
/// `response` s from bytes 40..79 (read as they are, possibly >= n). False, leaving `claim`
/// unchanged, when w(R) holds a coefficient >= p (no field element).
bool read_signature_fields(std::span<const std::uint8_t, 80> signature, SignatureClaim& claim);

/// The claim for (public key, signature) under `domain` and `message`, with the native
/// verdict as its result. Fails (Errc::bad_input) where the AIR cannot state anything: a public
/// key that is not a non-neutral group element, or a signature whose w(R) bytes hold a
/// coefficient >= p (no field element; the caller rejects such bytes before proving).
Result<SignatureClaim> claim_signature(const ecgfp5::PublicKey& public_key,
                                       const ecgfp5::SigningDomain& domain,
                                       std::span<const std::uint8_t> message,
                                       const ecgfp5::Signature& signature);

/// The result bit the AIR proves for a claim, computed natively (the claim's own `valid` is
/// ignored); nothing when the public key is not a non-neutral group element.
std::optional<bool> expected_result(const SignatureClaim& claim);

/// What a trace is built from: the claim's public values, and the two scalars as the integers
/// whose bits the trace runs over. An honest witness (witness_of) has e's limbs d0..d3, 0;
/// tests put other integers there to play a cheating prover.
struct SignatureWitness {
  Gfp5 public_key, commitment;
  std::array<std::uint64_t, 5> response{}, challenge{};  ///< little-endian 64-bit limbs
};
SignatureWitness witness_of(const SignatureClaim& claim);

/// Trace columns. Rows 512 k .. 512 k + 319 hold signature k's run (row r processes bit
/// j = 319 - r of s and of e); rows 512 k + 320 .. 512 k + 511 are idle (zero).
namespace schnorr_col {
inline constexpr std::size_t kAcc = 0;     ///< 20: accumulated point (X, Z, U, T), 5 each
inline constexpr std::size_t kDouble = 20;  ///< 20: 2 * acc; the last row holds the slots below
inline constexpr std::size_t kBitS = 40;   ///< bit j of s
inline constexpr std::size_t kBitE = 41;   ///< bit j of e
inline constexpr std::size_t kBitSE = 42;  ///< bit_s * bit_e
inline constexpr std::size_t kKeyX = 43;   ///< 5: x of X (constant over the segment)
inline constexpr std::size_t kKeyW = 48;   ///< 5: w(X)
inline constexpr std::size_t kDiffX = 53;  ///< 5: x of G - X, normalised (Z = 1)
inline constexpr std::size_t kDiffU = 58;  ///< 5: u of G - X, normalised (T = 1)
inline constexpr std::size_t kAccS = 63;   ///< s's current 40-bit limb, accumulated from its top
inline constexpr std::size_t kCmpS = 64;   ///< n against s's bits so far: 1 n > s, 0 equal, -1 <
inline constexpr std::size_t kAccE = 65;   ///< e's current 64-bit limb
inline constexpr std::size_t kCmpE = 66;   ///< p against the current e limb's bits so far
inline constexpr std::size_t kWidth = 67;
// The last row of a segment, in the kDouble columns:
inline constexpr std::size_t kCommitW = 20;  ///< 5: w(R)
inline constexpr std::size_t kCommitX = 25;  ///< 5: x of R (valid R) or sqrt(7 delta) (invalid)
inline constexpr std::size_t kDiffInv = 30;  ///< 5: 1 / (U w(R) - T) when that is nonzero
inline constexpr std::size_t kKeyRoot = 35;  ///< sqrt(7 norm(x of X)): x of X is a non-square
inline constexpr std::size_t kCommitValid = 36;  ///< w(R) encodes a non-neutral group element
inline constexpr std::size_t kEqual = 37;        ///< the accumulated point equals R
inline constexpr std::size_t kResult = 38;       ///< the result bit (column 39 is unused there)
}  // namespace schnorr_col

class SchnorrAir : public stark::TypedAir<SchnorrAir> {
 public:
  static constexpr std::size_t kRowsPerSignature = 512;  ///< a segment: the period
  static constexpr std::size_t kRunRows = 320;           ///< one per bit; the rest are idle
  static constexpr std::size_t kLimbBitsS = 40;  ///< s is exposed as 8 limbs of 40 bits
  static constexpr std::size_t kLimbBitsE = 64;  ///< e as its 4 digest elements (and a zero)

  explicit SchnorrAir(std::vector<SignatureClaim> claims);

  /// The honest trace: fails (Errc::bad_input) when a public key does not decode to a
  /// non-neutral group element. The result bits are the true ones, whatever the claims say.
  static Result<stark::Trace> build_trace(std::span<const SignatureWitness> witnesses);
  /// Rows for `signatures` signatures: 512 each, padded to a power of two (at least one
  /// segment). The padding segments hold the run of kPaddingClaim, whose public values are all
  /// zero (w(X) is pinned as w(X) - 4: the key G), so the verifier skips them.
  static std::size_t trace_length_for(std::size_t signatures);

  std::string id() const override { return "rollup/schnorr-ecgfp5/v1"; }
  std::size_t trace_width() const override { return schnorr_col::kWidth; }
  std::size_t trace_length() const override { return trace_length_for(claims_.size()); }
  Bytes public_inputs() const override;
  std::vector<unsigned> transition_degrees() const override;
  std::vector<std::vector<Felt>> periodic_columns() const override;
  /// 512 for the structure columns, the trace length for the public ones (without building
  /// them: the verifier asks for the periods only).
  std::vector<std::size_t> periodic_periods() const override;
  /// The structure columns (period 512) at z^(n/512) from their cached coefficients, and the
  /// public columns at z by their Lagrange sums over the few rows of each signature that they
  /// pin (the verifier never interpolates them).
  bool periodic_values_at(const Ext2& z, std::span<Ext2> out) const override;
  /// None: the public values are pinned through periodic columns (one group of rows per pinned
  /// row would cost the prover an inversion per point each).
  std::vector<stark::BoundaryConstraint> boundary_constraints() const override { return {}; }

  const std::vector<SignatureClaim>& claims() const { return claims_; }

  template <class F>
  [[gnu::always_inline]] inline void evaluate(std::span<const F> cur, std::span<const F> next,
                                              std::span<const F> periodic,
                                              std::span<F> out) const;

 private:
  std::vector<SignatureClaim> claims_;
  std::array<Felt, 5> generator_x_;  ///< schnorr_detail::generator_x(), kept at hand
};

// ---- Arithmetic over any field type F (Felt, Ext2, packed lanes), shared by the constraints
// and the witness so that both compute the very same polynomials.
namespace schnorr_detail {

template <class F>
using E5 = std::array<F, 5>;

/// gamma^i with gamma = 3^((p-1)/5): the Frobenius map multiplies coefficient i by gamma^i.
inline constexpr std::array<Felt, 5> kFrobenius = [] {
  const Felt gamma = Felt(3).pow((Felt::kModulus - 1) / 5);
  std::array<Felt, 5> g{};
  Felt acc = Felt::one();
  for (auto& v : g) {
    v = acc;
    acc = acc * gamma;
  }
  return g;
}();
inline constexpr std::uint64_t kBOverZ = 263;  // b = 263 z
inline constexpr std::uint64_t kNonSquare = 7;  // a non-square of GF(p), and so of GF(p^5)
/// w(G): the padding segments run the key G (w(X) = 0 encodes no key), with e = s = 0 and
/// w(R) = 0, a bad signature with result 0, so that all their public values are zero.
inline constexpr std::uint64_t kPaddingKeyW = 4;

template <class F>
[[gnu::always_inline]] inline E5<F> add(const E5<F>& a, const E5<F>& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]};
}
template <class F>
[[gnu::always_inline]] inline E5<F> sub(const E5<F>& a, const E5<F>& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3], a[4] - b[4]};
}
template <class F, class K>
[[gnu::always_inline]] inline E5<F> scale(const E5<F>& a, const K& k) {
  return {a[0] * k, a[1] * k, a[2] * k, a[3] * k, a[4] * k};
}
template <class F>
[[gnu::always_inline]] inline E5<F> twice(const E5<F>& a) {
  return add(a, a);
}
template <class F>
[[gnu::always_inline]] inline E5<F> mul(const E5<F>& a, const E5<F>& b) {
  E5<F> r;
  const Felt three(3);
  // c_k = sum_{i+j=k} a_i b_j + 3 sum_{i+j=k+5} a_i b_j.
  r[0] = a[0] * b[0] + (a[1] * b[4] + a[2] * b[3] + a[3] * b[2] + a[4] * b[1]) * three;
  r[1] = a[0] * b[1] + a[1] * b[0] + (a[2] * b[4] + a[3] * b[3] + a[4] * b[2]) * three;
  r[2] = a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + (a[3] * b[4] + a[4] * b[3]) * three;
  r[3] = a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * b[4] * three;
  r[4] = a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0];
  return r;
}
template <class F>
[[gnu::always_inline]] inline E5<F> square(const E5<F>& a) {
  return mul(a, a);
}
/// b v = 263 z v.
template <class F>
[[gnu::always_inline]] inline E5<F> mul_b(const E5<F>& v) {
  const Felt k(kBOverZ), k3(3 * kBOverZ);
  return {v[4] * k3, v[0] * k, v[1] * k, v[2] * k, v[3] * k};
}
/// v + c for c in GF(p).
template <class F>
[[gnu::always_inline]] inline E5<F> plus_base(const E5<F>& v, const F& c) {
  return {v[0] + c, v[1], v[2], v[3], v[4]};
}
/// x^(p^k).
template <class F>
[[gnu::always_inline]] inline E5<F> frobenius(const E5<F>& x, unsigned k) {
  E5<F> r;
  for (unsigned i = 0; i < 5; ++i) r[i] = x[i] * kFrobenius[(i * k) % 5];
  return r;
}
/// The norm x^(1 + p + p^2 + p^3 + p^4), an element of GF(p) (degree 5 in x's coefficients).
template <class F>
[[gnu::always_inline]] inline F norm(const E5<F>& x) {
  const E5<F> a = mul(frobenius(x, 1), frobenius(x, 2));  // x^(p + p^2)
  const E5<F> c = mul(a, frobenius(a, 2));                // x^(p + p^2 + p^3 + p^4)
  return x[0] * c[0] + (x[1] * c[4] + x[2] * c[3] + x[3] * c[2] + x[4] * c[1]) * Felt(3);
}
/// x^2 - (w^2 - a) x + b: zero iff (x, y = w x) is on the curve (the decoding equation).
template <class F>
[[gnu::always_inline]] inline E5<F> decoding_equation(const E5<F>& x, const E5<F>& w) {
  const E5<F> e = plus_base(square(w), F(-Felt(2)));
  const E5<F> b{F(Felt()), F(Felt(kBOverZ)), F(Felt()), F(Felt()), F(Felt())};
  return add(sub(square(x), mul(e, x)), b);
}
/// delta = (w^2 - a)^2 - 4 b, the discriminant of the decoding equation.
template <class F>
[[gnu::always_inline]] inline E5<F> discriminant(const E5<F>& w) {
  const E5<F> e = plus_base(square(w), F(-Felt(2)));
  E5<F> d = square(e);
  d[1] = d[1] - F(Felt(4 * kBOverZ));
  return d;
}

/// A point in the paper's (X : Z : U : T) coordinates.
template <class F>
struct Pt {
  E5<F> x, z, u, t;
};

/// The complete addition of curve.cpp (Point::operator+), term for term.
template <class F>
[[gnu::always_inline]] inline Pt<F> point_add(const Pt<F>& p, const Pt<F>& q) {
  const E5<F> t1 = mul(p.x, q.x), t2 = mul(p.z, q.z), t3 = mul(p.u, q.u), t4 = mul(p.t, q.t);
  const E5<F> t5 = sub(sub(mul(add(p.x, p.z), add(q.x, q.z)), t1), t2);
  const E5<F> t6 = sub(sub(mul(add(p.u, p.t), add(q.u, q.t)), t3), t4);
  const E5<F> t7 = add(t1, mul_b(t2));
  const E5<F> t8 = mul(t4, t7);
  const E5<F> t9 = mul(t3, add(twice(mul_b(t5)), twice(t7)));
  const E5<F> t10 = mul(add(t4, twice(t3)), add(t5, t7));
  return {mul_b(sub(t10, t8)), sub(t8, t9), mul(t6, sub(mul_b(t2), t1)), add(t8, t9)};
}

/// The doubling of curve.cpp (Point::doubled()), term for term.
template <class F>
[[gnu::always_inline]] inline Pt<F> point_double(const Pt<F>& p) {
  const E5<F> t1 = mul(p.z, p.t);
  const E5<F> t2 = mul(t1, p.t);
  const E5<F> x1 = square(t2);
  const E5<F> z1 = mul(t1, p.u);
  const E5<F> t3 = square(p.u);
  const E5<F> w1 = sub(t2, mul(twice(add(p.x, p.z)), t3));
  const E5<F> t4 = square(z1);
  const E5<F> z = square(w1);
  const E5<F> four_t4 = twice(twice(t4));
  return {mul_b(four_t4), z, sub(sub(square(add(w1, z1)), t4), z),
          sub(sub(twice(x1), four_t4), z)};
}

/// x of the generator G = (x : 1 : 1 : 4), the element encoded by w = 4.
const E5<Felt>& generator_x();

/// The table entry for bits (bs, be) with bse = bs be: N = (0 : 1 : 0 : 1), G = (xG : 1 : 1 : 4),
/// -X = (xX : 1 : -1 : wX), G - X = (xD : 1 : uD : 1). Degree 2 in the columns.
template <class F>
[[gnu::always_inline]] inline Pt<F> select_entry(const F& bs, const F& be, const F& bse,
                                                 const E5<F>& key_x, const E5<F>& key_w,
                                                 const E5<F>& diff_x, const E5<F>& diff_u,
                                                 const E5<Felt>& gx) {
  const F only_g = bs - bse, only_x = be - bse;
  const F neutral = F(Felt::one()) - bs - be + bse;
  E5<F> x;
  for (unsigned i = 0; i < 5; ++i) x[i] = only_g * gx[i] + only_x * key_x[i] + bse * diff_x[i];
  const F zero = F(Felt());
  const E5<F> z{F(Felt::one()), zero, zero, zero, zero};
  E5<F> u = scale(diff_u, bse);
  u[0] = u[0] + only_g - only_x;
  E5<F> t = scale(key_w, only_x);
  t[0] = t[0] + neutral + only_g * Felt(4) + bse;
  return {x, z, u, t};
}

template <class F>
[[gnu::always_inline]] inline E5<F> load5(std::span<const F> row, std::size_t c) {
  return {row[c], row[c + 1], row[c + 2], row[c + 3], row[c + 4]};
}
template <class F>
[[gnu::always_inline]] inline Pt<F> load_point(std::span<const F> row, std::size_t c) {
  return {load5(row, c), load5(row, c + 5), load5(row, c + 10), load5(row, c + 15)};
}

}  // namespace schnorr_detail

/// Periodic columns: first the structure of a segment, period 512 (the same for every segment,
/// padding segments included), then the public values, as long as the trace, each on the rows
/// it pins (zero on padding segments).
namespace schnorr_periodic {
inline constexpr std::size_t kActive = 0;      ///< rows 0..319, the run
inline constexpr std::size_t kStep = 1;        ///< rows 0..318: the next row continues the run
inline constexpr std::size_t kFirst = 2;       ///< row 0
inline constexpr std::size_t kLast = 3;        ///< row 319
inline constexpr std::size_t kOrderBit = 4;    ///< bit of n at the next row's position
inline constexpr std::size_t kResetS = 5;      ///< the next row starts a 40-bit limb of s
inline constexpr std::size_t kResetE = 6;      ///< the next row starts a 64-bit limb of e
inline constexpr std::size_t kModulusBit = 7;  ///< bit of p at the next row's position in e's limb
inline constexpr std::size_t kLimbEndE = 8;    ///< the row ends a 64-bit limb of e
inline constexpr std::size_t kLimbEndS = 9;    ///< the row ends a 40-bit limb of s
inline constexpr std::size_t kIdle = 10;       ///< rows 320..511: every column is zero
inline constexpr std::size_t kStructure = 11;
inline constexpr std::size_t kPublicW = 11;       ///< 5: w(X) - 4 on row 0, w(R) on row 319
inline constexpr std::size_t kPublicE = 16;       ///< e's limb on the row that ends it
inline constexpr std::size_t kPublicS = 17;       ///< s's limb on the row that ends it
inline constexpr std::size_t kPublicResult = 18;  ///< the result bit on row 319
inline constexpr std::size_t kCount = 19;
}  // namespace schnorr_periodic

/// Constraint order (docs/ecgfp5.md, "In the AIR", lists them in this order).
namespace schnorr_constraint {
inline constexpr std::size_t kCopy = 0;        ///< 20: the key's table is constant
inline constexpr std::size_t kDoubling = 20;   ///< 20: double = 2 acc
inline constexpr std::size_t kAddition = 40;   ///< 20: next acc = double + entry(next bits)
inline constexpr std::size_t kAccS = 60;
inline constexpr std::size_t kCmpS = 61;
inline constexpr std::size_t kAccE = 62;
inline constexpr std::size_t kCmpE = 63;
inline constexpr std::size_t kBits = 64;       ///< 3: bits boolean, bit_se = bit_s bit_e
inline constexpr std::size_t kStart = 67;      ///< 20: acc on row 0 = entry(row 0's bits)
inline constexpr std::size_t kStartLimbs = 87;  ///< 4: acc and cmp columns on row 0
inline constexpr std::size_t kKeyOnCurve = 91;  ///< 5
inline constexpr std::size_t kKeyNonSquare = 96;
inline constexpr std::size_t kDiff = 97;        ///< 10: (xD, uD) normalise G + (-X)
inline constexpr std::size_t kValidBit = 107;
inline constexpr std::size_t kCommitOnCurve = 108;  ///< 5: any root will do, only w(R) is used
inline constexpr std::size_t kCommitInvalid = 113;  ///< 5: x^2 = 7 delta
inline constexpr std::size_t kEqualBit = 118;
inline constexpr std::size_t kEqual = 119;     ///< 5: equal => U w(R) - T = 0
inline constexpr std::size_t kUnequal = 124;   ///< 5: unequal => (U w(R) - T) inv = 1
inline constexpr std::size_t kResult = 129;
inline constexpr std::size_t kLimbE = 130;     ///< e's limb below p
inline constexpr std::size_t kPublicW = 131;   ///< 5: w(X) and w(R) are the public ones
inline constexpr std::size_t kPublicE = 136;   ///< e's limbs are the public ones
inline constexpr std::size_t kPublicS = 137;   ///< s's limbs are the public ones
inline constexpr std::size_t kPublicResult = 138;
inline constexpr std::size_t kIdle = 139;      ///< 67: an idle row is zero in every column
inline constexpr std::size_t kCount = 206;
}  // namespace schnorr_constraint

template <class F>
[[gnu::always_inline]] inline void SchnorrAir::evaluate(std::span<const F> cur,
                                                        std::span<const F> next,
                                                        std::span<const F> periodic,
                                                        std::span<F> out) const {
  using namespace schnorr_detail;
  namespace c = schnorr_col;
  namespace k = schnorr_constraint;
  namespace per = schnorr_periodic;
  const F one = F(Felt::one());
  const F active = periodic[per::kActive], step = periodic[per::kStep];
  const F first = periodic[per::kFirst], last = periodic[per::kLast];

  // The key's table is constant along the segment.
  for (std::size_t i = 0; i < 20; ++i)
    out[k::kCopy + i] = step * (next[c::kKeyX + i] - cur[c::kKeyX + i]);

  const E5<F> key_x = load5(cur, c::kKeyX), key_w = load5(cur, c::kKeyW);
  const E5<F> diff_x = load5(cur, c::kDiffX), diff_u = load5(cur, c::kDiffU);

  // One step of the double-and-add: double, then add the entry the next row's bits select.
  const Pt<F> acc = load_point(cur, c::kAcc), dbl = load_point(cur, c::kDouble);
  const Pt<F> doubled = point_double(acc);
  const Pt<F> entry = select_entry(next[c::kBitS], next[c::kBitE], next[c::kBitSE], key_x, key_w,
                                   diff_x, diff_u, generator_x_);
  const Pt<F> sum = point_add(dbl, entry);
  const Pt<F> acc_next = load_point(next, c::kAcc);
  const E5<F>* dbl_parts[4] = {&dbl.x, &dbl.z, &dbl.u, &dbl.t};
  const E5<F>* doubled_parts[4] = {&doubled.x, &doubled.z, &doubled.u, &doubled.t};
  const E5<F>* next_parts[4] = {&acc_next.x, &acc_next.z, &acc_next.u, &acc_next.t};
  const E5<F>* sum_parts[4] = {&sum.x, &sum.z, &sum.u, &sum.t};
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t i = 0; i < 5; ++i) {
      out[k::kDoubling + 5 * p + i] = step * ((*dbl_parts[p])[i] - (*doubled_parts[p])[i]);
      out[k::kAddition + 5 * p + i] = step * ((*next_parts[p])[i] - (*sum_parts[p])[i]);
    }

  // s's and e's limbs, accumulated from their top bit, and their comparisons with n and p:
  // cmp' = cmp + (1 - cmp^2)(bound bit - bit) keeps the first difference (cmp is in {-1, 0, 1}).
  const F two = F(Felt(2));
  const F reset_s = periodic[per::kResetS], reset_e = periodic[per::kResetE];
  const F bs_next = next[c::kBitS], be_next = next[c::kBitE];
  out[k::kAccS] =
      step * (next[c::kAccS] - ((one - reset_s) * two * cur[c::kAccS] + bs_next));
  const F cmp_s = cur[c::kCmpS];
  out[k::kCmpS] = step * (next[c::kCmpS] - cmp_s -
                          (one - cmp_s * cmp_s) * (periodic[per::kOrderBit] - bs_next));
  out[k::kAccE] =
      step * (next[c::kAccE] - ((one - reset_e) * two * cur[c::kAccE] + be_next));
  const F cmp_e = cur[c::kCmpE];
  // A limb of e starts at p's top bit, 1: cmp = 1 - bit.
  const F cmp_e_continued =
      cmp_e + (one - cmp_e * cmp_e) * (periodic[per::kModulusBit] - be_next);
  out[k::kCmpE] = step * (next[c::kCmpE] - (one - reset_e) * cmp_e_continued -
                          reset_e * (one - be_next));

  const F bs = cur[c::kBitS], be = cur[c::kBitE], bse = cur[c::kBitSE];
  out[k::kBits] = active * (bs * bs - bs);
  out[k::kBits + 1] = active * (be * be - be);
  out[k::kBits + 2] = active * (bse - bs * be);

  // Row 0: the run starts from the neutral, so acc is the entry of row 0's bits; the limbs
  // start at the top bits (n's bit 319 is 0, p's bit 63 is 1).
  const Pt<F> start = select_entry(bs, be, bse, key_x, key_w, diff_x, diff_u, generator_x_);
  const E5<F>* acc_parts[4] = {&acc.x, &acc.z, &acc.u, &acc.t};
  const E5<F>* start_parts[4] = {&start.x, &start.z, &start.u, &start.t};
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t i = 0; i < 5; ++i)
      out[k::kStart + 5 * p + i] = first * ((*acc_parts[p])[i] - (*start_parts[p])[i]);
  out[k::kStartLimbs] = first * (cur[c::kAccS] - bs);
  out[k::kStartLimbs + 1] = first * (cur[c::kCmpS] + bs);
  out[k::kStartLimbs + 2] = first * (cur[c::kAccE] - be);
  out[k::kStartLimbs + 3] = first * (cur[c::kCmpE] - (one - be));

  // Row 319: the key decodes (x on the curve and not a square), G - X is normalised right,
  // R decodes or provably does not, and acc equals R or provably differs.
  const E5<F> key_eq = decoding_equation(key_x, key_w);
  for (std::size_t i = 0; i < 5; ++i) out[k::kKeyOnCurve + i] = last * key_eq[i];
  const F seven = F(Felt(kNonSquare));
  const F key_root = cur[c::kKeyRoot];
  out[k::kKeyNonSquare] = last * (key_root * key_root - seven * norm(key_x));

  const F zero = F(Felt());
  const E5<F> unit{one, zero, zero, zero, zero};
  E5<F> minus_unit{-one, zero, zero, zero, zero};
  E5<F> g_x;
  for (unsigned i = 0; i < 5; ++i) g_x[i] = F(generator_x_[i]);
  const E5<F> four{F(Felt(4)), zero, zero, zero, zero};
  const Pt<F> g_minus_x = point_add(Pt<F>{g_x, unit, unit, four},
                                    Pt<F>{key_x, unit, minus_unit, key_w});
  const E5<F> diff_x_eq = sub(mul(diff_x, g_minus_x.z), g_minus_x.x);
  const E5<F> diff_u_eq = sub(mul(diff_u, g_minus_x.t), g_minus_x.u);
  for (std::size_t i = 0; i < 5; ++i) {
    out[k::kDiff + i] = last * diff_x_eq[i];
    out[k::kDiff + 5 + i] = last * diff_u_eq[i];
  }

  const F valid = cur[c::kCommitValid];
  out[k::kValidBit] = last * (valid * valid - valid);
  const E5<F> commit_w = load5(cur, c::kCommitW), commit_x = load5(cur, c::kCommitX);
  const E5<F> commit_eq = decoding_equation(commit_x, commit_w);
  const F last_valid = last * valid, last_invalid = last - last_valid;
  // A root exists iff w(R) encodes a non-neutral group element; unlike the key's x, R's x is
  // never used, so the root need not be the non-square one.
  for (std::size_t i = 0; i < 5; ++i) out[k::kCommitOnCurve + i] = last_valid * commit_eq[i];
  const E5<F> invalid_eq = sub(square(commit_x), scale(discriminant(commit_w), seven));
  for (std::size_t i = 0; i < 5; ++i) out[k::kCommitInvalid + i] = last_invalid * invalid_eq[i];

  const F equal = cur[c::kEqual];
  out[k::kEqualBit] = last * (equal * equal - equal);
  const E5<F> diff = sub(mul(acc.u, commit_w), acc.t);
  const E5<F> diff_times_inv = mul(diff, load5(cur, c::kDiffInv));
  const F last_equal = last * equal, last_unequal = last - last_equal;
  for (std::size_t i = 0; i < 5; ++i) {
    out[k::kEqual + i] = last_equal * diff[i];
    out[k::kUnequal + i] = last_unequal * (diff_times_inv[i] - unit[i]);
  }
  // s < n iff cmp_s = 1; cmp (cmp + 1) / 2 is 1 for 1 and 0 for 0 and -1.
  const F half = F(Felt((Felt::kModulus + 1) / 2));
  const F s_below_n = cmp_s * (cmp_s + one) * half;
  out[k::kResult] = last * (cur[c::kResult] - valid * equal * s_below_n);
  out[k::kLimbE] = periodic[per::kLimbEndE] * (cmp_e - one);

  // The public values, as boundary constraints carried by periodic columns (the selectors of
  // each are disjoint from its other rows, where the public column is zero).
  // w(X) is pinned as w(X) - 4, so that the padding segments' key G has public value 0.
  for (std::size_t i = 0; i < 5; ++i) {
    const F key_w_offset =
        i == 0 ? cur[c::kKeyW] - F(Felt(kPaddingKeyW)) : cur[c::kKeyW + i];
    out[k::kPublicW + i] =
        first * key_w_offset + last * cur[c::kCommitW + i] - periodic[per::kPublicW + i];
  }
  out[k::kPublicE] = periodic[per::kLimbEndE] * cur[c::kAccE] - periodic[per::kPublicE];
  out[k::kPublicS] = periodic[per::kLimbEndS] * cur[c::kAccS] - periodic[per::kPublicS];
  out[k::kPublicResult] = last * cur[c::kResult] - periodic[per::kPublicResult];

  // Idle rows are zero: no state of a run survives past its row 319 (the transitions stop
  // there and row 0 starts afresh), and a zero row has nothing to carry.
  const F idle = periodic[per::kIdle];
  for (std::size_t col = 0; col < c::kWidth; ++col) out[k::kIdle + col] = idle * cur[col];
}

}  // namespace rollup::air
