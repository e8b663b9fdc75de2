#include "air/schnorr_air.hpp"

#include <algorithm>
#include <bit>
#include <optional>

#include "core/parallel.hpp"
#include "ecgfp5/curve.hpp"
#include "ecgfp5/scalar.hpp"
#include "field/ntt.hpp"
#include "stark/pinned_rows.hpp"

namespace rollup::air {
namespace {

using namespace schnorr_detail;
using ecgfp5::Point;
using ecgfp5::Scalar;
namespace c = schnorr_col;
constexpr std::size_t kSegment = SchnorrAir::kRowsPerSignature;
constexpr std::size_t kRows = SchnorrAir::kRowsPerSignature;  // every row of a segment is a step
constexpr std::size_t kScalarBits = 5 * 64;

E5<Felt> to_e5(const Gfp5& v) { return v.coefficients(); }
Gfp5 to_gfp5(const E5<Felt>& v) { return Gfp5(v); }

/// x of the group element encoded by w, the non-square root of the decoding equation (as
/// Point::decode picks it); nothing when w encodes no group element or the neutral (w = 0 has
/// no root: the neutral is the point (0, 0), which the equation divided by x^2 excludes).
std::optional<Gfp5> group_x(const Gfp5& w) {
  const Gfp5 e = w.square() - Gfp5(Felt(2));
  const Gfp5 delta = to_gfp5(discriminant(to_e5(w)));
  const Gfp5::Root r = delta.sqrt();
  if (!r.is_square) return std::nullopt;
  const Felt half((Felt::kModulus + 1) / 2);
  const Gfp5 x1 = (e + r.root) * half, x2 = (e - r.root) * half;
  return x1.legendre() == Felt::one() ? x2 : x1;
}

/// sqrt(7 norm(x)) in GF(p): exists exactly when x is not a square in GF(p^5).
std::optional<Felt> non_square_root(const E5<Felt>& x) {
  const auto root = ecgfp5::sqrt(Felt(kNonSquare) * norm(x));
  if (!root.is_square) return std::nullopt;
  return root.root;
}

bool bit_of(const std::array<std::uint64_t, 5>& limbs, std::size_t j) {
  return j < kScalarBits && ((limbs[j / 64] >> (j % 64)) & 1);
}
std::uint64_t bits_of(const std::array<std::uint64_t, 5>& limbs, std::size_t low,
                      std::size_t count) {
  std::uint64_t v = 0;
  for (std::size_t i = count; i-- > 0;) v = (v << 1) | bit_of(limbs, low + i);
  return v;
}
constexpr std::array<std::uint64_t, 5> kModulusLimbs = {Felt::kModulus, 0, 0, 0, 0};

bool below_order(const std::array<std::uint64_t, 5>& s) {
  for (std::size_t i = Scalar::kLimbs; i-- > 0;) {
    if (s[i] != Scalar::kOrder[i]) return s[i] < Scalar::kOrder[i];
  }
  return false;
}

void put5(stark::Trace& t, std::size_t col, std::size_t row, const E5<Felt>& v) {
  for (std::size_t i = 0; i < 5; ++i) t.at(col + i, row) = v[i];
}
void put_point(stark::Trace& t, std::size_t col, std::size_t row, const Pt<Felt>& p) {
  put5(t, col, row, p.x);
  put5(t, col + 5, row, p.z);
  put5(t, col + 10, row, p.u);
  put5(t, col + 15, row, p.t);
}

Felt felt_of(bool b) { return b ? Felt::one() : Felt::zero(); }

/// (x : 1 : u : 1) for a point (X : Z : U : T) of the group (Z and T are never 0 there).
void normalise(const Pt<Felt>& p, E5<Felt>& x, E5<Felt>& u) {
  x = to_e5(to_gfp5(p.x) * to_gfp5(p.z).inverse());
  u = to_e5(to_gfp5(p.u) * to_gfp5(p.t).inverse());
}

/// The rows of layout v3's permutations: the challenge's five, then the key ids of w(X) and `to`.
constexpr std::size_t kSpongeRows = 8 * kChallengeChunks;  // 40
constexpr std::size_t kFromIdRow = kSpongeRows, kToIdRow = kSpongeRows + 8;  // their inputs
constexpr std::size_t kKeyIdElements = 5;

/// Layout v3's permutations over the witness: row 8k holds permutation k's input, row 8k + r its
/// state after r rounds; the challenge's digest fills the digest columns (checked from row 40);
/// rows 56..255 of the state columns keep row 55's state (nothing reads them).
void fill_challenge(stark::Trace& trace, std::size_t base, const SignatureWitness& w, std::size_t hash_col,
                    std::size_t digest_col) {
  const ChallengeInput& input = w.hashed;
  hash::State state{};
  std::copy(input.capacity.begin(), input.capacity.end(), state.begin());
  auto put_state = [&](std::size_t r) {
    for (std::size_t i = 0; i < hash::kStateWidth; ++i) trace.at(hash_col + i, base + r) = state[i];
  };
  auto run = [&](std::size_t first_row) {
    put_state(first_row);
    for (std::size_t r = 0; r < hash::kRounds; ++r) {
      hash::apply_round(state, r);
      put_state(first_row + r + 1);
    }
  };
  for (std::size_t k = 0; k < kChallengeChunks; ++k) {
    std::copy_n(input.chunks.begin() + static_cast<std::ptrdiff_t>(hash::kRate * k), hash::kRate,
                state.begin() + hash::kRateStart);
    run(8 * k);
  }
  for (std::size_t r = 0; r < kRows; ++r)
    for (std::size_t i = 0; i < 4; ++i) trace.at(digest_col + i, base + r) = state[hash::kRateStart + i];
  const std::array<Felt, kKeyIdElements> from = w.public_key.coefficients();
  for (const auto& [row, elements] : {std::pair{kFromIdRow, from}, std::pair{kToIdRow, w.to_key}}) {
    state = hash::State{};
    state[0] = Felt(kKeyIdElements);
    std::copy(elements.begin(), elements.end(), state.begin() + hash::kRateStart);
    run(row);
  }
  for (std::size_t r = kToIdRow + 8; r < kRows; ++r) put_state(r);
}

/// The digest fill_challenge ends with.
std::array<Felt, 4> challenge_digest(const ChallengeInput& input) {
  hash::State state{};
  std::copy(input.capacity.begin(), input.capacity.end(), state.begin());
  for (std::size_t k = 0; k < kChallengeChunks; ++k) {
    std::copy_n(input.chunks.begin() + static_cast<std::ptrdiff_t>(hash::kRate * k), hash::kRate,
                state.begin() + hash::kRateStart);
    hash::permute(state);
  }
  const auto digest = state.begin() + hash::kRateStart;
  return {digest[0], digest[1], digest[2], digest[3]};
}

/// What the last row shows of w (a key's or R's): x of the group element it encodes, or when it
/// encodes no non-neutral one a root of 7 delta(w), which then exists; and which of the two.
Result<std::pair<E5<Felt>, bool>> decoding_root(const Gfp5& w) {
  if (const auto x = group_x(w)) return std::pair{to_e5(*x), true};
  // No root: the discriminant is not a square, so 7 times it is one.
  const Gfp5::Root r = (to_gfp5(discriminant(to_e5(w))) * Felt(kNonSquare)).sqrt();
  if (!r.is_square) return fail(Errc::internal, "schnorr air: 7 delta is not a square for a w without decoding");
  return std::pair{to_e5(r.root), false};
}

Status fill_segment_v4(stark::Trace& trace, std::size_t base, const SignatureWitness& w);

Status fill_segment(stark::Trace& trace, std::size_t base, const SignatureWitness& w, SchnorrLayout layout) {
  if (layout == SchnorrLayout::v4) return fill_segment_v4(trace, base, w);
  if (layout == SchnorrLayout::v3) fill_challenge(trace, base, w, c::kHash, c::kDigest);
  // A valid key runs its table; an invalid one proves it has no decoding (x^2 = 7 delta(w)) in
  // place of x, and leaves the table's sums zero: its result is 0 whatever the run computes.
  const auto key_x_native = group_x(w.public_key);
  const E5<Felt> key_w = to_e5(w.public_key);
  E5<Felt> key_x;
  if (key_x_native) {
    key_x = to_e5(*key_x_native);
  } else {
    const Gfp5::Root r = (to_gfp5(discriminant(key_w)) * Felt(kNonSquare)).sqrt();
    if (!r.is_square)
      return fail(Errc::internal, "schnorr air: 7 delta is not a square for an invalid key");
    key_x = to_e5(r.root);
  }
  const FixedEntries& fixed = fixed_entries();
  const E5<Felt> unit{Felt::one(), Felt(), Felt(), Felt(), Felt()};
  const E5<Felt> minus_unit{-Felt::one(), Felt(), Felt(), Felt(), Felt()};
  const E5<Felt> four{Felt(4), Felt(), Felt(), Felt(), Felt()};
  Table<Felt> table;
  table.key_x = key_x;
  table.key_w = key_w;
  if (key_x_native) {
    const Pt<Felt> minus_x{table.key_x, unit, minus_unit, table.key_w};
    normalise(point_add(Pt<Felt>{fixed.g_x, unit, unit, four}, minus_x), table.diff_x,
              table.diff_u);
    normalise(point_add(Pt<Felt>{fixed.high_x, unit, fixed.high_u, unit}, minus_x),
              table.high_x, table.high_u);
    normalise(point_add(Pt<Felt>{fixed.both_x, unit, fixed.both_u, unit}, minus_x),
              table.both_x, table.both_u);
  }
  const E5<Felt>* table_parts[8] = {&table.key_x,  &table.key_w,  &table.diff_x, &table.diff_u,
                                    &table.high_x, &table.high_u, &table.both_x, &table.both_u};

  Pt<Felt> acc, dbl;
  Felt acc_s, cmp_s, acc_h, cmp_h, acc_e, cmp_e;
  const Felt one = Felt::one(), two(2);
  // cmp' = cmp + (1 - cmp^2)(bound bit - bit), from cmp = 0 before the top bit.
  auto compare = [&](Felt cmp, bool bound, Felt bit) {
    return cmp + (one - cmp * cmp) * (felt_of(bound) - bit);
  };
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::size_t row = base + r, j = kRows - 1 - r;
    const bool bs = bit_of(w.response, j), bh = bit_of(w.response, 256 + j),
               be = bit_of(w.challenge, j);
    const Bits<Felt> bits{felt_of(bs),       felt_of(be),       felt_of(bh),
                          felt_of(bs && be), felt_of(bs && bh), felt_of(be && bh),
                          felt_of(bs && be && bh)};
    const Pt<Felt> entry = select_entry(bits, table, fixed);
    acc = r == 0 ? entry : point_add(dbl, entry);
    const bool limb_start_s = r % SchnorrAir::kLimbBitsS == 0;
    acc_s = limb_start_s ? bits.s : two * acc_s + bits.s;
    acc_h = limb_start_s ? bits.h : two * acc_h + bits.h;
    cmp_s = compare(r == 0 ? Felt() : cmp_s, bit_of(Scalar::kOrder, j), bits.s);
    cmp_h = compare(r == 0 ? Felt() : cmp_h, bit_of(Scalar::kOrder, 256 + j), bits.h);
    if (r % SchnorrAir::kLimbBitsE == 0) {
      acc_e = bits.e;
      cmp_e = one - bits.e;
    } else {
      acc_e = two * acc_e + bits.e;
      cmp_e = compare(cmp_e, bit_of(kModulusLimbs, j % 64), bits.e);
    }
    put_point(trace, c::kAcc, row, acc);
    trace.at(c::kBitS, row) = bits.s;
    trace.at(c::kBitE, row) = bits.e;
    trace.at(c::kBitH, row) = bits.h;
    trace.at(c::kBitSE, row) = bits.se;
    trace.at(c::kBitSH, row) = bits.sh;
    trace.at(c::kBitEH, row) = bits.eh;
    trace.at(c::kBitSEH, row) = bits.seh;
    for (std::size_t part = 0; part < 8; ++part) put5(trace, c::kKeyX + 5 * part, row, *table_parts[part]);
    trace.at(c::kAccS, row) = acc_s;
    trace.at(c::kCmpS, row) = cmp_s;
    trace.at(c::kAccH, row) = acc_h;
    trace.at(c::kCmpH, row) = cmp_h;
    trace.at(c::kAccE, row) = acc_e;
    trace.at(c::kCmpE, row) = cmp_e;
    if (r + 1 < kRows) {
      dbl = point_double(acc);
      put_point(trace, c::kDouble, row, dbl);
    }
  }

  // The last row's slots.
  const std::size_t last = base + kRows - 1;
  const bool key_valid = key_x_native.has_value();
  trace.at(c::kKeyValid, last) = felt_of(key_valid);
  if (key_valid) trace.at(c::kKeyRoot, last) = *non_square_root(table.key_x);  // never a square
  const E5<Felt> commit_w = to_e5(w.commitment);
  put5(trace, c::kCommitW, last, commit_w);
  const auto commit_x = group_x(w.commitment);
  if (commit_x) {
    put5(trace, c::kCommitX, last, to_e5(*commit_x));
  } else {
    // No root: the discriminant is not a square, so 7 times it is one.
    const Gfp5::Root r = (to_gfp5(discriminant(commit_w)) * Felt(kNonSquare)).sqrt();
    if (!r.is_square)
      return fail(Errc::internal, "schnorr air: 7 delta is not a square for an invalid R");
    put5(trace, c::kCommitX, last, to_e5(r.root));
  }
  const Gfp5 diff = to_gfp5(acc.u) * w.commitment - to_gfp5(acc.t);
  const bool equal = diff.is_zero();
  put5(trace, c::kDiffInv, last, to_e5(diff.inverse()));
  // s < n: s_hi below n's, or equal to it with s_lo below n's.
  const bool canonical = cmp_h == one || (cmp_h == Felt() && cmp_s == one);
  trace.at(c::kCommitValid, last) = felt_of(commit_x.has_value());
  trace.at(c::kEqual, last) = felt_of(equal);
  trace.at(c::kCanonical, last) = felt_of(canonical);
  trace.at(c::kResult, last) = felt_of(key_valid && commit_x && equal && canonical);
  return {};
}

/// Layout v4 splits s at bit 255: s_a = s mod 2^255 and s_b = s >> 255, so that row 0 (bit 255)
/// adds no fixed entry.
constexpr std::size_t kSplitV4 = 255;

/// The inverses of `values` with one inversion (Montgomery's trick); false if one is zero.
bool invert_all(std::vector<Gfp5>& values) {
  std::vector<Gfp5> prefix(values.size());
  Gfp5 product(Felt::one());
  for (std::size_t i = 0; i < values.size(); ++i) {
    prefix[i] = product;
    product = product * values[i];
  }
  if (product.is_zero()) return false;
  Gfp5 inverse = product.inverse();
  for (std::size_t i = values.size(); i-- > 0;) {
    const Gfp5 v = values[i];
    values[i] = inverse * prefix[i];
    inverse = inverse * v;
  }
  return true;
}

Status fill_segment_v4(stark::Trace& trace, std::size_t base, const SignatureWitness& w) {
  namespace c4 = schnorr_col4;
  fill_challenge(trace, base, w, c4::kHash, c4::kDigest);
  const FixedEntries& fixed = fixed_entries(kSplitV4);
  const auto [key_x, key_valid] = ROLLUP_TRY(decoding_root(w.public_key));
  const E5<Felt> zero5{}, unit{Felt::one(), Felt(), Felt(), Felt(), Felt()};
  // -X = (x : 1 : -1/w : 1) for a valid key; for any other, the neutral (its result is 0
  // whatever the run computes, and a run of group elements can always be normalised).
  const Pt<Felt> neutral{zero5, unit, zero5, unit};
  const Pt<Felt> minus_x = key_valid ? Pt<Felt>{key_x, unit, to_e5(-w.public_key.inverse()), unit} : neutral;

  std::array<bool, kRows> bs{}, be{}, bh{};
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::size_t j = kRows - 1 - r;
    bs[r] = j < kSplitV4 && bit_of(w.response, j);
    bh[r] = bit_of(w.response, kSplitV4 + j);
    be[r] = bit_of(w.challenge, j);
  }
  // The run in projective coordinates: A_r at 3 r, 2 A_r at 3 r + 1, the sum with the fixed
  // entry at 3 r + 2; normalised at the end with one inversion.
  std::vector<Pt<Felt>> points(3 * kRows - 2);
  Pt<Felt> acc = be[0] ? minus_x : neutral;
  for (std::size_t r = 0;; ++r) {
    points[3 * r] = acc;
    if (r + 1 == kRows) break;
    const Pt<Felt> dbl = point_double(acc);
    E5<Felt> fixed_x, fixed_u;
    fixed_entry(felt_of(bs[r + 1]), felt_of(bh[r + 1]), fixed, fixed_x, fixed_u);
    const Pt<Felt> mid = point_add(dbl, Pt<Felt>{fixed_x, unit, fixed_u, unit});
    acc = point_add(mid, be[r + 1] ? minus_x : neutral);
    points[3 * r + 1] = dbl;
    points[3 * r + 2] = mid;
  }
  std::vector<Gfp5> denominators(2 * points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    denominators[2 * i] = to_gfp5(points[i].z);
    denominators[2 * i + 1] = to_gfp5(points[i].t);
  }
  if (!invert_all(denominators))
    return fail(Errc::internal, "schnorr air: a point of the run has Z or T zero");
  auto put_normalised = [&](std::size_t col, std::size_t row, std::size_t i) {
    put5(trace, col, row, to_e5(to_gfp5(points[i].x) * denominators[2 * i]));
    put5(trace, col + 5, row, to_e5(to_gfp5(points[i].u) * denominators[2 * i + 1]));
  };

  Felt acc_s, cmp_s, acc_h, cmp_h, acc_e, cmp_e;
  const Felt one = Felt::one(), two(2);
  auto compare = [&](Felt cmp, bool bound, Felt bit) {
    return cmp + (one - cmp * cmp) * (felt_of(bound) - bit);
  };
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::size_t row = base + r, j = kRows - 1 - r;
    const Felt bit_s = felt_of(bs[r]), bit_e = felt_of(be[r]), bit_h = felt_of(bh[r]);
    const bool limb_start_s = r % SchnorrAir::kLimbBitsS == 0;
    acc_s = limb_start_s ? bit_s : two * acc_s + bit_s;
    acc_h = limb_start_s ? bit_h : two * acc_h + bit_h;
    cmp_s = compare(r == 0 ? Felt() : cmp_s, j < kSplitV4 && bit_of(Scalar::kOrder, j), bit_s);
    cmp_h = compare(r == 0 ? Felt() : cmp_h, bit_of(Scalar::kOrder, kSplitV4 + j), bit_h);
    if (r % SchnorrAir::kLimbBitsE == 0) {
      acc_e = bit_e;
      cmp_e = one - bit_e;
    } else {
      acc_e = two * acc_e + bit_e;
      cmp_e = compare(cmp_e, bit_of(kModulusLimbs, j % 64), bit_e);
    }
    put_normalised(c4::kAccX, row, 3 * r);
    if (r + 1 < kRows) {
      put_normalised(c4::kDblX, row, 3 * r + 1);
      put_normalised(c4::kMidX, row, 3 * r + 2);
    }
    put5(trace, c4::kBaseX, row, minus_x.x);
    put5(trace, c4::kBaseU, row, minus_x.u);
    trace.at(c4::kBitS, row) = bit_s;
    trace.at(c4::kBitE, row) = bit_e;
    trace.at(c4::kBitH, row) = bit_h;
    trace.at(c4::kAccS, row) = acc_s;
    trace.at(c4::kCmpS, row) = cmp_s;
    trace.at(c4::kAccH, row) = acc_h;
    trace.at(c4::kCmpH, row) = cmp_h;
    trace.at(c4::kAccE, row) = acc_e;
    trace.at(c4::kCmpE, row) = cmp_e;
  }

  // The last row's slots.
  const std::size_t last = base + kRows - 1;
  put5(trace, c4::kKeyX, last, key_x);
  put5(trace, c4::kKeyW, last, to_e5(w.public_key));
  trace.at(c4::kKeyValid, last) = felt_of(key_valid);
  trace.at(c4::kKeyRoot, last) = key_valid ? *non_square_root(key_x) : Felt();
  const auto [commit_x, commit_valid] = ROLLUP_TRY(decoding_root(w.commitment));
  put5(trace, c4::kCommitW, last, to_e5(w.commitment));
  put5(trace, c4::kCommitX, last, commit_x);
  const Gfp5 acc_u = to_gfp5(points[3 * (kRows - 1)].u) * denominators[2 * 3 * (kRows - 1) + 1];
  const Gfp5 diff = acc_u * w.commitment - Gfp5(Felt::one());
  const bool equal = diff.is_zero();
  put5(trace, c4::kDiffInv, last, to_e5(diff.inverse()));
  const bool canonical = cmp_h == one || (cmp_h == Felt() && cmp_s == one);
  trace.at(c4::kCommitValid, last) = felt_of(commit_valid);
  trace.at(c4::kEqual, last) = felt_of(equal);
  trace.at(c4::kCanonical, last) = felt_of(canonical);
  trace.at(c4::kResult, last) = felt_of(key_valid && commit_valid && equal && canonical);
  return {};
}

/// The padding segments' witness: all zero (the key w = 0 encodes no key, e = s = 0,
/// w(R) = 0), and so are its public values. In layout v3 its chunks and `to` key are zero too,
/// but the sponge starts from the domain's capacity, and e is the digest it ends with; its two
/// key ids are the zero key's, the only public values of a padding segment that are not zero.
SignatureWitness padding_witness(SchnorrLayout layout, const std::array<Felt, 4>& start_capacity) {
  SignatureWitness w;
  if (hashes_challenge(layout)) {
    w.hashed.capacity = start_capacity;
    const auto d = challenge_digest(w.hashed);
    for (std::size_t i = 0; i < 4; ++i) w.challenge[i] = d[i].value();
  }
  return w;
}

/// The capacity of the challenge's sponge after its first chunk, which is the same for every
/// v3 claim under `domain` (the tag and the chain id's low half; the input's length).
std::array<Felt, 4> start_capacity_of(const ecgfp5::SigningDomain& domain) {
  const std::array<std::uint8_t, kSignedMessageBytes> message{};
  const std::vector<Felt> elements = ecgfp5::challenge_elements(domain, Gfp5(), Gfp5(), message);
  hash::State state{};
  state[0] = Felt(elements.size() % hash::kRate);
  std::copy_n(elements.begin(), hash::kRate, state.begin() + hash::kRateStart);
  hash::permute(state);
  return {state[0], state[1], state[2], state[3]};
}

}  // namespace

namespace schnorr_detail {
const FixedEntries& fixed_entries(unsigned split) {
  auto make = [](unsigned doublings) {
    FixedEntries f;
    f.g_x = to_e5(*group_x(Gfp5(Felt(kGeneratorW))));
    const E5<Felt> unit{Felt::one(), Felt(), Felt(), Felt(), Felt()};
    const Pt<Felt> g{f.g_x, unit, unit, E5<Felt>{Felt(kGeneratorW), Felt(), Felt(), Felt(), Felt()}};
    E5<Felt> g_x;
    normalise(g, g_x, f.g_u);
    Pt<Felt> high = g;
    for (std::size_t i = 0; i < doublings; ++i) high = point_double(high);
    normalise(high, f.high_x, f.high_u);
    normalise(point_add(g, high), f.both_x, f.both_u);
    return f;
  };
  static const FixedEntries at_256 = make(256), at_255 = make(255);
  return split == 255 ? at_255 : at_256;
}
}  // namespace schnorr_detail

bool read_signature_fields(std::span<const std::uint8_t, 80> signature, SignatureClaim& claim) {
  const auto commit_w = Gfp5::from_bytes(signature.first<40>());
  if (!commit_w) return false;
  claim.commitment = *commit_w;
  for (std::size_t i = 0; i < 5; ++i) {
    std::uint64_t limb = 0;
    for (std::size_t b = 8; b-- > 0;) limb = (limb << 8) | signature[40 + 8 * i + b];
    claim.response[i] = limb;
  }
  return true;
}

Result<SignatureClaim> claim_signature(const ecgfp5::PublicKey& public_key,
                                       const ecgfp5::SigningDomain& domain,
                                       std::span<const std::uint8_t> message,
                                       const ecgfp5::Signature& signature) {
  const auto key_w = Gfp5::from_bytes(std::span<const std::uint8_t, 40>(public_key));
  if (!key_w) return fail(Errc::bad_input, "the public key has a coefficient >= p (no field element)");
  SignatureClaim claim;
  if (!read_signature_fields(std::span<const std::uint8_t, 80>(signature), claim))
    return fail(Errc::bad_input, "the signature's R has a coefficient >= p (no field element)");
  claim.public_key = *key_w;
  if (message.size() == kSignedMessageBytes) std::copy(message.begin(), message.end(), claim.message.begin());
  const Scalar e = ecgfp5::challenge(domain, *key_w, claim.commitment, message);
  for (std::size_t i = 0; i < 4; ++i) claim.challenge[i] = Felt(e.limbs()[i]);
  claim.valid = ecgfp5::verify(public_key, domain, message, signature);
  return claim;
}

bool expected_result(const SignatureClaim& claim) {
  const auto key = Point::decode(claim.public_key);
  if (!key || key->is_neutral()) return false;
  const auto commitment = Point::decode(claim.commitment);
  if (!commitment || commitment->is_neutral() || !below_order(claim.response)) return false;
  const Scalar s = Scalar::from_limbs_unchecked(claim.response);
  const Scalar e = Scalar::from_limbs_unchecked({claim.challenge[0].value(),
                                                 claim.challenge[1].value(),
                                                 claim.challenge[2].value(),
                                                 claim.challenge[3].value(), 0});
  return Point::mul_add_generator_vartime(s, e, -*key).encode() == claim.commitment;
}

SignatureWitness witness_of(const SignatureClaim& claim) {
  SignatureWitness w;
  w.public_key = claim.public_key;
  w.commitment = claim.commitment;
  w.response = claim.response;
  for (std::size_t i = 0; i < 4; ++i) w.challenge[i] = claim.challenge[i].value();
  return w;
}

ChallengeInput challenge_input_of(const ecgfp5::SigningDomain& domain, const SignatureClaim& claim) {
  return {start_capacity_of(domain), challenge_chunks_of(domain, claim)};
}

std::array<Felt, 4> key_id_digest(const std::array<Felt, 5>& elements) {
  return hash::hash_elements(elements);
}

void set_key_ids(SignatureClaim& claim) {
  claim.from_id = key_id_digest(claim.public_key.coefficients());
  claim.to_id = key_id_digest(claim.to_key);
}

SignatureWitness witness_of(const SignatureClaim& claim, const ecgfp5::SigningDomain& domain) {
  SignatureWitness w = witness_of(claim);
  w.to_key = claim.to_key;
  w.hashed = challenge_input_of(domain, claim);
  const auto d = challenge_digest(w.hashed);
  for (std::size_t i = 0; i < 4; ++i) w.challenge[i] = d[i].value();
  return w;
}

SchnorrAir::SchnorrAir(std::vector<SignatureClaim> claims)
    : claims_(std::move(claims)), fixed_(&fixed_entries()) {}

SchnorrAir::SchnorrAir(const ecgfp5::SigningDomain& domain, std::vector<SignatureClaim> claims)
    : claims_(std::move(claims)),
      fixed_(&fixed_entries()),
      layout_(SchnorrLayout::v3),
      domain_(domain),
      start_capacity_(start_capacity_of(domain)) {}

SchnorrAir::SchnorrAir(V4, const ecgfp5::SigningDomain& domain, std::vector<SignatureClaim> claims)
    : claims_(std::move(claims)),
      fixed_(&fixed_entries(kSplitV4)),
      layout_(SchnorrLayout::v4),
      domain_(domain),
      start_capacity_(start_capacity_of(domain)) {}

std::string SchnorrAir::id() const {
  switch (layout_) {
    case SchnorrLayout::v2: return "rollup/schnorr-ecgfp5/v2";
    case SchnorrLayout::v3: return "rollup/schnorr-ecgfp5/v3";
    case SchnorrLayout::v4: break;
  }
  return "rollup/schnorr-ecgfp5/v4";
}

std::size_t SchnorrAir::width_of(SchnorrLayout layout) {
  switch (layout) {
    case SchnorrLayout::v2: return schnorr_col::kWidth;
    case SchnorrLayout::v3: return schnorr_col::kWidthV3;
    case SchnorrLayout::v4: break;
  }
  return schnorr_col4::kWidth;
}

std::size_t SchnorrAir::trace_length_for(std::size_t signatures) {
  std::size_t n = kRowsPerSignature;
  while (n < signatures * kRowsPerSignature) n *= 2;
  return n;
}

namespace {

Result<stark::Trace> build_segments(std::span<const SignatureWitness> witnesses, SchnorrLayout layout,
                                    const std::array<Felt, 4>& start_capacity, unsigned threads) {
  const std::size_t width = SchnorrAir::width_of(layout);
  stark::Trace trace(width, SchnorrAir::trace_length_for(witnesses.size()));
  // Each segment writes its own rows; the first failure, in signature order, is the answer.
  std::vector<std::optional<Error>> failures(witnesses.size());
  parallel_for(witnesses.size(), std::max(1u, threads), [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k)
      if (auto ok = fill_segment(trace, k * kSegment, witnesses[k], layout); !ok) failures[k] = ok.error();
  });
  for (auto& failure : failures)
    if (failure) return std::unexpected(std::move(*failure));
  // The structure is periodic, so padding segments are runs too: each is the same run,
  // built once and copied.
  const std::size_t segments = trace.length() / kSegment;
  if (witnesses.size() < segments) {
    const std::size_t first = witnesses.size() * kSegment;
    if (auto ok = fill_segment(trace, first, padding_witness(layout, start_capacity), layout); !ok)
      return std::unexpected(ok.error());
    for (std::size_t k = witnesses.size() + 1; k < segments; ++k)
      for (std::size_t col = 0; col < width; ++col)
        for (std::size_t r = 0; r < kSegment; ++r)
          trace.at(col, k * kSegment + r) = trace.at(col, first + r);
  }
  return trace;
}

}  // namespace

Result<stark::Trace> SchnorrAir::build_trace(std::span<const SignatureWitness> witnesses, unsigned threads) {
  return build_segments(witnesses, SchnorrLayout::v2, {}, threads);
}

Result<stark::Trace> SchnorrAir::build_trace(std::span<const SignatureWitness> witnesses,
                                             const ecgfp5::SigningDomain& domain, unsigned threads,
                                             SchnorrLayout layout) {
  if (!hashes_challenge(layout)) return fail(Errc::bad_input, "schnorr air: layout v2 takes no domain");
  return build_segments(witnesses, layout, start_capacity_of(domain), threads);
}

Bytes SchnorrAir::public_inputs() const {
  const bool hashed = hashes_challenge(layout_);
  ByteWriter w(id() + ":public");
  if (hashed) w.u64(domain_.chain_id).u32(domain_.namespace_id);
  w.u64(claims_.size());
  // Per claim: w(X), R, s (5 elements each), the result, and v2's e or v3's message, `to` key and ids.
  w.reserve(claims_.size() * (15 * 8 + 1 + (hashed ? kSignedMessageBytes + 13 * 8 : 4 * 8)));
  for (const auto& claim : claims_) {
    for (auto v : claim.public_key.coefficients()) w.u64(v.value());
    if (hashed) {
      w.raw(claim.message);
      for (Felt v : claim.to_key) w.u64(v.value());
      for (Felt v : claim.from_id) w.u64(v.value());
      for (Felt v : claim.to_id) w.u64(v.value());
    } else {
      for (auto v : claim.challenge) w.u64(v.value());
    }
    for (auto v : claim.commitment.coefficients()) w.u64(v.value());
    for (auto v : claim.response) w.u64(v);
    w.u8(claim.valid ? 1 : 0);
  }
  return w.take();
}

std::vector<std::size_t> SchnorrAir::head_constraints() const {
  namespace k = schnorr_constraint;
  std::vector<std::size_t> head;
  // The head reads the structure columns `step` and `before last`, of period 256: in a trace of
  // one segment they are as long as the trace, which a head may not read.
  if (trace_length() <= kRowsPerSignature) return head;
  auto add = [&](std::size_t first, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) head.push_back(first + i);
  };
  if (layout_ == SchnorrLayout::v4) {
    namespace k4 = schnorr_constraint4;
    add(k4::kDoubling, 30);
    add(k4::kKeyNonSquare, 1);
    add(k4::kKeyInvalid, 5);
    add(k4::kCommitInvalid, 5);
    add(k4::kSponge, hash::kStateWidth);
    return head;
  }
  add(k::kDoubling, 20);
  add(k::kAddition, 20);
  add(k::kKeyNonSquare, 1);
  add(k::kKeyInvalid, 5);
  add(k::kCommitInvalid, 5);
  if (layout_ == SchnorrLayout::v3) add(k::kHashRound, hash::kStateWidth);
  return head;
}

namespace {
std::vector<unsigned> transition_degrees_v4() {
  namespace k = schnorr_constraint4;
  std::vector<unsigned> d(k::kCount, 0);
  auto set = [&d](std::size_t first, std::size_t count, unsigned degree) {
    for (std::size_t i = 0; i < count; ++i) d[first + i] = degree;
  };
  set(k::kBaseCopy, 10, 2);
  set(k::kDoubling, 30, 8);  // step x (x or u) x (a coordinate of degree 6)
  set(k::kLimbs, 6, 3);
  set(k::kLimbs + 1, 1, 4);
  set(k::kLimbs + 3, 1, 4);
  set(k::kLimbs + 5, 1, 5);
  set(k::kBits, 3, 2);
  set(k::kLastBits, 3, 3);
  set(k::kStart, 10, 3);
  set(k::kStartLimbs, 6, 2);
  set(k::kKeyValidBit, 1, 3);
  set(k::kKeyOnCurve, 5, 5);
  set(k::kKeyNonSquare, 1, 7);
  set(k::kKeyInvalid, 5, 6);
  set(k::kBaseIsKey, 5, 3);
  set(k::kBaseIsKey + 5, 5, 4);
  set(k::kValidBit, 1, 3);
  set(k::kCommitOnCurve, 5, 5);
  set(k::kCommitInvalid, 5, 6);
  set(k::kEqualBit, 1, 3);
  set(k::kEqual, 5, 4);
  set(k::kUnequal, 5, 5);
  set(k::kCanonical, 1, 5);
  set(k::kResult, 1, 5);
  set(k::kLimbE, 1, 2);
  set(k::kPublicKeyW, 5, 2);
  set(k::kPublicW, 5, 2);
  set(k::kPublicE, 1, 2);
  set(k::kPublicS, 1, 2);
  set(k::kPublicH, 1, 2);
  set(k::kPublicResult, 1, 2);
  set(k::kSponge, hash::kStateWidth, 8);
  set(k::kSponge + hash::kStateWidth, hash::kRate + hash::kCapacity + 4, 2);
  return d;
}
}  // namespace

std::vector<unsigned> SchnorrAir::transition_degrees() const {
  if (layout_ == SchnorrLayout::v4) return transition_degrees_v4();
  namespace k = schnorr_constraint;
  const bool hashed = layout_ == SchnorrLayout::v3;
  std::vector<unsigned> d(hashed ? k::kCountV3 : k::kCount, 0);
  auto set = [&d](std::size_t first, std::size_t count, unsigned degree) {
    for (std::size_t i = 0; i < count; ++i) d[first + i] = degree;
  };
  set(k::kCopy, schnorr_col::kTableColumns, 2);
  set(k::kDoubling, 20, 7);     // step x doubling (degree 6)
  set(k::kAddition, 20, 7);     // step x (2 in double) + (2 x 2 in the entry)
  set(k::kAccS, 1, 3);
  set(k::kCmpS, 1, 4);
  set(k::kAccH, 1, 3);
  set(k::kCmpH, 1, 4);
  set(k::kAccE, 1, 3);
  set(k::kCmpE, 1, 5);
  set(k::kBits, 7, 2);
  set(k::kLastBits, 7, 3);
  set(k::kStart, 20, 3);
  set(k::kStartLimbs, 6, 2);
  set(k::kKeyValidBit, 1, 3);
  set(k::kKeyOnCurve, 5, 5);
  set(k::kKeyNonSquare, 1, 7);  // last x key_valid x norm (degree 5)
  set(k::kKeyInvalid, 5, 6);    // last x (1 - key_valid) x delta (degree 4)
  set(k::kDiff, 30, 5);
  set(k::kValidBit, 1, 3);
  set(k::kCommitOnCurve, 5, 5);
  set(k::kCommitInvalid, 5, 6);
  set(k::kEqualBit, 1, 3);
  set(k::kEqual, 5, 4);
  set(k::kUnequal, 5, 5);
  set(k::kCanonical, 1, 5);
  set(k::kResult, 1, 5);
  set(k::kLimbE, 1, 2);
  set(k::kPublicW, 5, 2);
  set(k::kPublicE, 1, 2);
  set(k::kPublicS, 1, 2);
  set(k::kPublicH, 1, 2);
  set(k::kPublicResult, 1, 2);
  if (hashed) {
    set(k::kHashRound, hash::kStateWidth, 8);  // round x next^7
    set(k::kHashChunk, hash::kRate, 2);
    set(k::kHashStart, hash::kCapacity, 2);
    set(k::kDigest, 4, 2);
  }
  return d;
}

namespace {

namespace per = schnorr_periodic;
using Pattern = std::array<std::vector<Felt>, per::kStructure>;
constexpr std::size_t kHashStructure = per::kStructureV3End - per::kHashRound;  // 8
using HashPattern = std::array<std::vector<Felt>, kHashStructure>;
constexpr std::size_t kArkColumns = 2 * hash::kStateWidth;
constexpr std::size_t kArkPeriod = 8;
using ArkPattern = std::array<std::vector<Felt>, kArkColumns>;

/// The structure columns over one segment, their period (the same for every segment), for s
/// split at bit `split` (256, or v4's 255).
const Pattern& segment_pattern(std::size_t split) {
  auto make = [](std::size_t split) {
    Pattern p;
    for (auto& col : p) col.assign(kSegment, Felt::zero());
    const Felt one = Felt::one();
    for (std::size_t r = 0; r + 1 < kRows; ++r) {
      // Row r's entries describe row r + 1 (the transition to it, or the checks made on it).
      const std::size_t next_row = r + 1, next_bit = kRows - 1 - next_row;
      if (r == 0) p[per::kFirst][r] = one;
      p[per::kStep][r] = one;
      if (next_row + 1 == kRows) p[per::kBeforeLast][r] = one;
      p[per::kOrderBit][r] = felt_of(next_bit < split && bit_of(Scalar::kOrder, next_bit));
      p[per::kOrderHighBit][r] = felt_of(bit_of(Scalar::kOrder, split + next_bit));
      p[per::kModulusBit][r] = felt_of(bit_of(kModulusLimbs, next_bit % 64));
      if (next_row % SchnorrAir::kLimbBitsE == 0) p[per::kResetE][r] = one;
      if (next_row % SchnorrAir::kLimbBitsS == 0) p[per::kResetS][r] = one;
      if (next_row % SchnorrAir::kLimbBitsE == SchnorrAir::kLimbBitsE - 1)
        p[per::kBeforeLimbEndE][r] = one;
      if (next_row % SchnorrAir::kLimbBitsS == SchnorrAir::kLimbBitsS - 1)
        p[per::kBeforeLimbEndS][r] = one;
    }
    return p;
  };
  static const Pattern at_256 = make(256), at_255 = make(kSplitV4);
  return split == kSplitV4 ? at_255 : at_256;
}
std::size_t split_of(SchnorrLayout layout) { return layout == SchnorrLayout::v4 ? kSplitV4 : 256; }

/// Layout v3's sponge structure over one segment (columns per::kHashRound..), period 256.
const HashPattern& hash_pattern() {
  static const HashPattern pattern = [] {
    HashPattern p;
    for (auto& col : p) col.assign(kSegment, Felt::zero());
    const Felt one = Felt::one();
    auto at = [&p](std::size_t column) -> std::vector<Felt>& { return p[column - per::kHashRound]; };
    for (std::size_t k = 0; k < kChallengeChunks + 2; ++k) {
      for (std::size_t r = 0; r < hash::kRounds; ++r) at(per::kHashRound)[8 * k + r] = one;
      at(per::kHashChunk)[8 * k] = one;
      if (k + 1 < kChallengeChunks) at(per::kHashAbsorb)[8 * k + 7] = one;
    }
    for (const std::size_t row : {kFromIdRow, kToIdRow}) {
      at(per::kKeyIdStart)[row] = one;
      at(per::kKeyIdEnd)[row + 7] = one;
    }
    at(per::kDigestLoad)[kSpongeRows - 1] = one;
    for (std::size_t r = kSpongeRows; r + 2 < kRows; ++r) at(per::kDigestHold)[r] = one;
    // e's limb k ends on row 255 - 64 k; its check is made on the row before.
    for (std::size_t k = 0; k < 4; ++k)
      at(per::kDigestLimb + k)[kRows - 2 - SchnorrAir::kLimbBitsE * k] = one;
    return p;
  }();
  return pattern;
}

/// The round constants, period 8: round r's on row 8k + r (row 8k + 7 has no round).
const ArkPattern& ark_pattern() {
  static const ArkPattern pattern = [] {
    ArkPattern p;
    for (auto& col : p) col.assign(kArkPeriod, Felt::zero());
    for (std::size_t r = 0; r < hash::kRounds; ++r)
      for (std::size_t i = 0; i < hash::kStateWidth; ++i) {
        p[i][r] = hash::ark1()[r][i];
        p[hash::kStateWidth + i][r] = hash::ark2()[r][i];
      }
    return p;
  }();
  return pattern;
}

/// Coefficients of each column of a pattern (a polynomial in y = x^(n / period)), for the verifier.
template <class P>
P interpolated(const P& pattern) {
  P polys = pattern;
  for (auto& col : polys) field::intt(std::span<Felt>(col));
  return polys;
}
const Pattern& segment_polynomials(std::size_t split) {
  static const Pattern at_256 = interpolated(segment_pattern(256)), at_255 = interpolated(segment_pattern(kSplitV4));
  return split == kSplitV4 ? at_255 : at_256;
}
const HashPattern& hash_polynomials() {
  static const HashPattern polys = interpolated(hash_pattern());
  return polys;
}
const ArkPattern& ark_polynomials() {
  static const ArkPattern polys = interpolated(ark_pattern());
  return polys;
}

/// visit(column, row in the segment, value) for each public value of one signature: row 0's
/// where they are, the others on the row before theirs (evaluate's comment says why). Layout v3
/// (`chunks` given: the challenge's) takes no e; it pins the chunks on rows 0, 8, ..., 32, the
/// key ids' inputs on rows 40 and 48 and the ids on rows 47 and 55.
/// Layout v4 (`layout`) pins w(X) on row 254 in its own columns, and splits s at bit 255.
template <class Visit>
void for_each_public(const SignatureClaim& claim, const std::array<Felt, 40>* chunks, SchnorrLayout layout,
                     Visit&& visit) {
  const std::size_t before_last = kRows - 2;
  const bool v4 = layout == SchnorrLayout::v4;
  for (std::size_t i = 0; i < 5; ++i) {
    if (v4)
      visit(per::kPublicKeyW + i, before_last, claim.public_key[i]);
    else
      visit(per::kPublicW + i, 0, claim.public_key[i]);
    visit(per::kPublicW + i, before_last, claim.commitment[i]);
  }
  // e's limbs from the top: d3, d2, d1, d0; s_lo's and s_hi's 32-bit limbs likewise (s_hi's
  // top six are zero: it has 64 bits).
  constexpr std::size_t kE = SchnorrAir::kLimbBitsE, kS = SchnorrAir::kLimbBitsS;
  if (!chunks)
    for (std::size_t m = 0; m < kRows / kE; ++m)
      visit(per::kPublicE, kE * m + kE - 2, claim.challenge[3 - m]);
  const std::size_t split = split_of(layout);
  for (std::size_t m = 0; m < kRows / kS; ++m) {
    const std::size_t low = kRows - kS * (m + 1);
    std::uint64_t limb = bits_of(claim.response, low, kS);
    if (low + kS > split) limb &= (std::uint64_t{1} << (split - low)) - 1;  // s_a's bits below the split
    visit(per::kPublicS, kS * m + kS - 2, Felt(limb));
    visit(per::kPublicH, kS * m + kS - 2, Felt(bits_of(claim.response, split + low, kS)));
  }
  visit(per::kPublicResult, before_last, felt_of(claim.valid));
  if (!chunks) return;
  for (std::size_t k = 0; k < kChallengeChunks; ++k)
    for (std::size_t i = 0; i < hash::kRate; ++i)
      visit(per::kPublicChunk + i, 8 * k, (*chunks)[hash::kRate * k + i]);
  // The key ids: each input's five elements (then zeros) on its first row, the id on its last.
  const std::array<Felt, kKeyIdElements> from = claim.public_key.coefficients();
  for (const auto& [row, elements, id] : {std::tuple{kFromIdRow, from, claim.from_id},
                                          std::tuple{kToIdRow, claim.to_key, claim.to_id}}) {
    for (std::size_t i = 0; i < hash::kRate; ++i)
      visit(per::kPublicChunk + i, row, i < kKeyIdElements ? elements[i] : Felt::zero());
    for (std::size_t i = 0; i < 4; ++i) visit(per::kPublicChunk + i, row + 7, id[i]);
  }
}

/// The key id a padding segment proves, twice (its key and `to` are zero): the public value
/// of rows 47 and 55 on every segment without a claim.
const std::array<Felt, 4>& padding_key_id() {
  static const std::array<Felt, 4> id = key_id_digest({});
  return id;
}

/// The public columns of a layout: v2's, then v3's chunks, then v4's w(X).
std::vector<std::size_t> public_columns(SchnorrLayout layout) {
  std::vector<std::size_t> cols;
  for (std::size_t col = per::kStructure; col < per::kCount; ++col) cols.push_back(col);
  if (hashes_challenge(layout))
    for (std::size_t i = 0; i < hash::kRate; ++i) cols.push_back(per::kPublicChunk + i);
  if (layout == SchnorrLayout::v4)
    for (std::size_t i = 0; i < 5; ++i) cols.push_back(per::kPublicKeyW + i);
  return cols;
}

/// The number of periodic columns of a layout.
std::size_t periodic_count(SchnorrLayout layout) {
  switch (layout) {
    case SchnorrLayout::v2: return per::kCount;
    case SchnorrLayout::v3: return per::kCountV3;
    case SchnorrLayout::v4: break;
  }
  return per::kCountV4;
}

}  // namespace

std::array<Felt, 40> challenge_chunks_of(const ecgfp5::SigningDomain& domain, const SignatureClaim& claim) {
  const std::vector<Felt> elements =
      ecgfp5::challenge_elements(domain, claim.public_key, claim.commitment, claim.message);
  std::array<Felt, 40> chunks{};
  std::copy(elements.begin() + hash::kRate, elements.end(), chunks.begin());
  return chunks;
}

std::vector<std::vector<Felt>> SchnorrAir::periodic_columns() const {
  const std::size_t n = trace_length();
  const bool hashed = hashes_challenge(layout_);
  std::vector<std::vector<Felt>> cols(periodic_count(layout_));
  const Pattern& pattern = segment_pattern(split_of(layout_));
  for (std::size_t col = 0; col < per::kStructure; ++col) cols[col] = pattern[col];
  for (std::size_t col : public_columns(layout_)) cols[col].assign(n, Felt::zero());
  if (hashed) {
    cols[per::kPublicE].assign(n, Felt::zero());
    for (std::size_t i = 0; i < kHashStructure; ++i) cols[per::kHashRound + i] = hash_pattern()[i];
    for (std::size_t i = 0; i < kArkColumns; ++i) cols[per::kArk1 + i] = ark_pattern()[i];
  }
  for (std::size_t k = 0; k < claims_.size(); ++k) {
    const std::size_t base = k * kSegment;
    std::array<Felt, 40> chunks{};
    if (hashed) chunks = challenge_chunks_of(domain_, claims_[k]);
    for_each_public(claims_[k], hashed ? &chunks : nullptr, layout_, [&](std::size_t col, std::size_t r, Felt v) {
      cols[col][base + r] = v;
    });
  }
  if (hashed)
    for (std::size_t base = claims_.size() * kSegment; base < n; base += kSegment)
      for (const std::size_t row : {kFromIdRow + 7, kToIdRow + 7})
        for (std::size_t i = 0; i < 4; ++i) cols[per::kPublicChunk + i][base + row] = padding_key_id()[i];
  return cols;
}

std::vector<std::size_t> SchnorrAir::periodic_periods() const {
  const bool hashed = hashes_challenge(layout_);
  std::vector<std::size_t> periods(periodic_count(layout_), trace_length());
  std::fill_n(periods.begin(), per::kStructure, kSegment);
  if (hashed) {
    std::fill_n(periods.begin() + per::kHashRound, kHashStructure, kSegment);
    std::fill_n(periods.begin() + per::kArk1, kArkColumns, kArkPeriod);
  }
  return periods;
}

bool SchnorrAir::periodic_values_at(const Ext2& z, std::span<Ext2> out) const {
  const bool hashed = hashes_challenge(layout_);
  if (out.size() != periodic_count(layout_) || z.imag() == Felt::zero()) return false;
  const std::size_t n = trace_length();
  // The structure columns: polynomials of degree < 256 in y = z^(n/256), the round constants of
  // degree < 8 in z^(n/8).
  const Ext2 y = z.pow(n / kSegment);
  const Pattern& polys = segment_polynomials(split_of(layout_));
  for (std::size_t col = 0; col < per::kStructure; ++col)
    out[col] = field::evaluate_polynomial(std::span<const Felt>(polys[col]), y);
  if (hashed) {
    for (std::size_t i = 0; i < kHashStructure; ++i)
      out[per::kHashRound + i] = field::evaluate_polynomial(std::span<const Felt>(hash_polynomials()[i]), y);
    const Ext2 y8 = z.pow(n / kArkPeriod);
    for (std::size_t i = 0; i < kArkColumns; ++i)
      out[per::kArk1 + i] = field::evaluate_polynomial(std::span<const Felt>(ark_polynomials()[i]), y8);
    out[per::kPublicE] = Ext2();
  }

  // The public columns vanish off the rows they pin, a few in each signature's segment: with w
  // generating the trace domain,
  //   P(z) = (z^n - 1) / n * sum_i P(w^i) w^i / (z - w^i)   over those rows i,
  // summed as stark/pinned_rows.hpp says.
  auto rows_pinned = [](SchnorrLayout layout) {
    std::vector<std::size_t> rows;
    const std::array<Felt, 40> chunks{};
    for_each_public(SignatureClaim{}, hashes_challenge(layout) ? &chunks : nullptr, layout,
                    [&](std::size_t, std::size_t r, Felt) { rows.push_back(r); });
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
  };
  static const std::vector<std::size_t> pinned_v2 = rows_pinned(SchnorrLayout::v2),
                                        pinned_v3 = rows_pinned(SchnorrLayout::v3),
                                        pinned_v4 = rows_pinned(SchnorrLayout::v4);
  const std::vector<std::size_t>& pinned_rows =
      layout_ == SchnorrLayout::v4 ? pinned_v4 : hashed ? pinned_v3 : pinned_v2;
  std::array<std::size_t, kSegment> slot_of_row{};
  for (std::size_t i = 0; i < pinned_rows.size(); ++i) slot_of_row[pinned_rows[i]] = i;
  const std::size_t per_claim = pinned_rows.size();
  const Felt w = field::root_of_unity(static_cast<unsigned>(std::countr_zero(n)));
  std::vector<Felt> row_powers(per_claim);
  for (std::size_t i = 0; i < per_claim; ++i) row_powers[i] = w.pow(pinned_rows[i]);
  const Felt segment_step = w.pow(kSegment);
  // The claims a cache-sized chunk at a time, each chunk's weights from one inversion.
  constexpr std::size_t kChunkClaims = 256;
  std::vector<Felt> points(kChunkClaims * per_claim), q(points.size()), qp(points.size());
  const std::size_t columns = periodic_count(layout_);
  std::vector<field::Accumulator> sum_q(columns), sum_qp(columns);
  Felt base = Felt::one();
  std::array<Felt, 40> chunks{};
  for (std::size_t first = 0; first < claims_.size(); first += kChunkClaims) {
    const std::size_t chunk = std::min(kChunkClaims, claims_.size() - first);
    for (std::size_t k = 0; k < chunk; ++k, base *= segment_step)
      for (std::size_t i = 0; i < per_claim; ++i) points[k * per_claim + i] = base * row_powers[i];
    stark::pinned_row_weights(z, std::span<const Felt>(points.data(), chunk * per_claim), q);
    for (std::size_t m = 0; m < chunk * per_claim; ++m) qp[m] = q[m] * points[m];
    for (std::size_t k = 0; k < chunk; ++k) {
      const SignatureClaim& claim = claims_[first + k];
      if (hashed) chunks = challenge_chunks_of(domain_, claim);
      for_each_public(claim, hashed ? &chunks : nullptr, layout_, [&](std::size_t col, std::size_t r, Felt v) {
        // Every segment's key ids are counted as the padding's below; a claim adds its difference.
        if (hashed && (r == kFromIdRow + 7 || r == kToIdRow + 7)) v -= padding_key_id()[col - per::kPublicChunk];
        if (v == Felt::zero()) return;
        const std::size_t m = k * per_claim + slot_of_row[r];
        sum_q[col].add_product(q[m], v);
        sum_qp[col].add_product(qp[m], v);
      });
    }
  }
  const Ext2 scale = (z.pow(n) - Felt::one()) * Felt(n).inverse();
  for (std::size_t col : public_columns(layout_))
    out[col] = stark::pinned_row_sum(z, sum_q[col].reduce(), sum_qp[col].reduce()) * scale;
  if (hashed) {
    // The padding's key id on rows 47 and 55 of every one of the S = n / 256 segments: the rows
    // r + 256 k are the S roots x of x^S = a^S (a = w^r), over which
    //   sum x / (z - x) = S a^S / (z^S - a^S),   with z^S = y.
    const Felt segments(n / kSegment);
    Ext2 all_segments;
    for (const std::size_t row : {kFromIdRow + 7, kToIdRow + 7}) {
      const Felt a_s = w.pow(row * (n / kSegment));
      all_segments = all_segments + (y - Ext2(a_s)).inverse() * (segments * a_s);
    }
    for (std::size_t i = 0; i < 4; ++i)
      out[per::kPublicChunk + i] = out[per::kPublicChunk + i] + all_segments * scale * padding_key_id()[i];
  }
  return true;
}

std::unique_ptr<stark::Air> make_schnorr_air(SchnorrLayout layout, const ecgfp5::SigningDomain& domain,
                                             std::vector<SignatureClaim> claims) {
  switch (layout) {
    case SchnorrLayout::v2: return std::make_unique<SchnorrAir>(std::move(claims));
    case SchnorrLayout::v3: return std::make_unique<SchnorrAir>(domain, std::move(claims));
    case SchnorrLayout::v4: break;
  }
  return std::make_unique<SchnorrAirV4>(domain, std::move(claims));
}

}  // namespace rollup::air
