// The in-proof Schnorr check (air/schnorr_air.hpp): honest batches of good and bad signatures
// prove and verify with the real prover and verifier, the proven bit agrees with the native
// verifier, and each way a cheating prover could claim a wrong bit breaks a constraint (checked
// row by row on the tampered trace) and, for a few, gets its proof rejected.
#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "air/schnorr_air.hpp"
#include "air_wrappers.hpp"
#include "ecgfp5/curve.hpp"
#include "ecgfp5/schnorr.hpp"
#include "field/ntt.hpp"
#include "smt/tree.hpp"
#include "field/packed.hpp"
#include "stark/protocol.hpp"
#include "stark/prover.hpp"
#include "stark/verifier.hpp"

using namespace rollup;
using namespace rollup::air;
using ecgfp5::Point;
using ecgfp5::Scalar;
namespace col = schnorr_col;
namespace con = schnorr_constraint;

namespace {

constexpr std::size_t kRows = SchnorrAir::kRowsPerSignature;  // a segment
const ecgfp5::SigningDomain kDomain{7, 3};

std::vector<std::uint8_t> message_of(std::uint8_t tag) {
  std::vector<std::uint8_t> m(50);
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<std::uint8_t>(tag * 31 + i);
  return m;
}

ecgfp5::KeyPair key_of(std::uint8_t tag) {
  ecgfp5::Seed seed{};
  seed[0] = tag;
  return ecgfp5::KeyPair::from_seed(seed);
}

std::array<std::uint64_t, 5> limbs_of(const Scalar& s) { return s.limbs(); }

/// A signature by the secret x under a chosen challenge (the AIR takes e as given, so a test can
/// pick it): R = k G, s = k + e x.
SignatureClaim signed_with(const Scalar& x, const Scalar& k, const Scalar& e) {
  SignatureClaim claim;
  claim.public_key = Point::mul_generator(x).encode();
  claim.commitment = Point::mul_generator(k).encode();
  claim.response = limbs_of(k + e * x);
  for (std::size_t i = 0; i < 4; ++i) claim.challenge[i] = Felt(e.limbs()[i]);
  claim.valid = expected_result(claim);
  return claim;
}

SignatureClaim claim_of(const ecgfp5::KeyPair& key, std::span<const std::uint8_t> message,
                        const ecgfp5::Signature& signature) {
  auto claim = claim_signature(key.public_key(), kDomain, message, signature);
  REQUIRE(claim);
  return *claim;
}

SignatureClaim good_claim(std::uint8_t tag) {
  const auto key = key_of(tag);
  const auto m = message_of(tag);
  return claim_of(key, m, key.sign(kDomain, m));
}

/// s + n as 5 limbs (fits: s < n < 2^319).
std::array<std::uint64_t, 5> plus_order(std::array<std::uint64_t, 5> s) {
  unsigned __int128 carry = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    carry += static_cast<unsigned __int128>(s[i]) + Scalar::kOrder[i];
    s[i] = static_cast<std::uint64_t>(carry);
    carry >>= 64;
  }
  return s;
}

/// n - 1, and 2^256 (the scalar of G' = 2^256 G).
Scalar order_minus_one() { return -Scalar::from_u64(1); }
const Scalar kTwoTo256 = Scalar::from_limbs_unchecked({0, 0, 0, 0, 1});

/// A signature by the secret x whose response is the chosen s (k = s - e x).
SignatureClaim with_response(const Scalar& x, const Scalar& s, const Scalar& e) {
  return signed_with(x, s - e * x, e);
}

/// A w that encodes no group element.
Gfp5 undecodable_w() {
  for (std::uint64_t v = 1;; ++v) {
    const Gfp5 w = Gfp5::from_u64(v, 2 * v + 1, 0, 0, 0);
    if (!Point::decode(w)) return w;
  }
}

stark::Trace honest_trace(std::span<const SignatureClaim> claims) {
  std::vector<SignatureWitness> ws;
  for (const auto& c : claims) ws.push_back(witness_of(c));
  auto trace = SchnorrAir::build_trace(ws);
  REQUIRE(trace);
  return std::move(*trace);
}

struct Violation {
  bool boundary = false;
  std::size_t row = 0, index = 0;  ///< the transition's constraint, or the boundary's column
};

/// Every constraint the trace breaks: transitions row by row, then boundaries.
std::vector<Violation> violations(const stark::Air& air, const stark::Trace& trace) {
  std::vector<Violation> found;
  const auto periodic = air.periodic_columns();
  const std::size_t w = trace.width(), n = trace.length();
  const std::size_t nc = air.transition_degrees().size();
  std::vector<Felt> cur(w), next(w), per(periodic.size()), out(nc);
  for (std::size_t r = 0; r + 1 < n; ++r) {
    for (std::size_t c = 0; c < w; ++c) {
      cur[c] = trace.at(c, r);
      next[c] = trace.at(c, r + 1);
    }
    for (std::size_t k = 0; k < periodic.size(); ++k) per[k] = periodic[k][r % periodic[k].size()];
    air.evaluate_transition(cur, next, per, out);
    for (std::size_t k = 0; k < nc; ++k)
      if (out[k] != Felt::zero()) found.push_back({false, r, k});
  }
  for (const auto& b : air.boundary_constraints())
    if (trace.at(b.column, b.row) != b.value) found.push_back({true, b.row, b.column});
  return found;
}

bool breaks(const std::vector<Violation>& found, std::size_t constraint) {
  return std::any_of(found.begin(), found.end(),
                     [&](const Violation& v) { return !v.boundary && v.index == constraint; });
}

stark::ProofOptions small_options() {
  stark::ProofOptions o;
  o.max_remainder_size = 16;
  return o;
}

/// The proof `bytes` of `trace` is made byte for byte the same by every instruction set's
/// constraint kernels, and without the prover's head split.
void require_same_proof_everywhere(const stark::Air& air, const stark::Trace& trace, const Bytes& bytes) {
  const auto saved = field::vector_isa();
  for (field::VectorIsa isa : field::supported_vector_isas()) {
    INFO("instruction set " << field::vector_isa_name(isa));
    field::detail::set_vector_isa(isa);
    const auto again = stark::prove(air, trace, small_options(), 2);
    REQUIRE(again);
    CHECK(*stark::serialize(*again) == bytes);
  }
  field::detail::set_vector_isa(saved);
  const auto unsplit = stark::prove(test::WithoutHead(air), trace, small_options(), 2);
  REQUIRE(unsplit);
  CHECK(*stark::serialize(*unsplit) == bytes);
}

/// A cheating prover's proof of `trace` for `air`: the verifier must reject it.
void require_proof_rejected(const stark::Air& air, const stark::Trace& trace) {
  REQUIRE(!stark::prove(air, trace, small_options(), 2));  // the honest prover refuses
  stark::ProverFaults faults;
  faults.skip_checks = true;
  auto proof = stark::prove_with_faults(air, trace, small_options(), 2, faults);
  REQUIRE(proof);
  auto verdict = stark::verify(air, *stark::serialize(*proof));
  REQUIRE(!verdict);
  CHECK(verdict.error().code == Errc::rejected);
}

void set5(stark::Trace& t, std::size_t column, std::size_t row, const Gfp5& v) {
  for (std::size_t i = 0; i < 5; ++i) t.at(column + i, row) = v[i];
}

/// The head is exactly the constraints of degree 6 and up, `size` of them, and evaluates as the
/// whole does on random rows (the head reads no trace-long periodic column: zeroed for it), on
/// every kernel set and by the default that keeps the head's columns of the whole evaluation.
void require_head_is_high_degree(const stark::Air& air, std::size_t size, std::uint64_t seed) {
  const auto head = air.head_constraints();
  const auto degrees = air.transition_degrees();
  REQUIRE(head.size() == size);
  for (std::size_t k = 0; k < degrees.size(); ++k)
    CHECK((degrees[k] >= 6) == std::binary_search(head.begin(), head.end(), k));
  const std::size_t width = air.trace_width(), nc = degrees.size(), rows = 21, stride = 24;
  const auto periods = air.periodic_periods();
  const std::size_t np = periods.size();
  std::mt19937_64 rng(Catch::rngSeed() + seed);
  auto cells = [&](std::size_t columns) {
    std::vector<Felt> v(columns * stride);
    for (auto& x : v) x = Felt(rng());
    return v;
  };
  const auto cur = cells(width), next = cells(width);
  auto per = cells(np);
  for (std::size_t k = 0; k < np; ++k)
    if (periods[k] == air.trace_length()) std::fill_n(per.begin() + k * stride, stride, Felt::zero());
  std::vector<Felt> whole(nc * stride);
  air.stark::Air::evaluate_transition_rows({rows, stride, cur, next, per, whole});
  test::require_head_as_whole(air, {rows, stride, cur, next, per, {}}, whole);
}

/// The verifier's periodic values at two points equal the interpolated columns'; returns the
/// columns' periods.
std::vector<std::size_t> require_periodic_values_interpolate(const stark::Air& air) {
  const auto polys = stark::protocol::periodic_polynomials(air);
  const auto periods = air.periodic_periods();
  REQUIRE(periods.size() == polys.size());
  for (std::size_t k = 0; k < polys.size(); ++k) CHECK(periods[k] == polys[k].size());
  for (const Ext2 z : {Ext2(Felt(123456789), Felt(987654321)), Ext2(Felt(5), Felt(1))}) {
    std::vector<Ext2> fast(polys.size());
    REQUIRE(air.periodic_values_at(z, fast));
    for (std::size_t k = 0; k < polys.size(); ++k) {
      INFO("periodic column " << k);
      // A column of period p is a polynomial in z^(n/p).
      const Ext2 y = z.pow(air.trace_length() / polys[k].size());
      CHECK(fast[k] == field::evaluate_polynomial(std::span<const Felt>(polys[k]), y));
    }
  }
  return periods;
}

}  // namespace

TEST_CASE("schnorr air: the proven bit is the native verdict", "[schnorr_air]") {
  std::vector<SignatureClaim> claims;
  for (std::uint8_t tag = 1; tag <= 2; ++tag) claims.push_back(good_claim(tag));
  {
    // A signature over another message.
    const auto key = key_of(3);
    claims.push_back(claim_of(key, message_of(4), key.sign(kDomain, message_of(3))));
  }
  {
    // s changed by one.
    const auto key = key_of(5);
    auto sig = key.sign(kDomain, message_of(5));
    sig[40] ^= 1;
    claims.push_back(claim_of(key, message_of(5), sig));
  }
  // The keys G and -G (G - X is then the neutral, or 2G): the table's exceptional entries.
  const Scalar k = Scalar::from_u64(123456789), e = Scalar::from_u64(0xabcdef) * k * k;
  claims.push_back(signed_with(Scalar::from_u64(1), k, e));
  claims.push_back(signed_with(-Scalar::from_u64(1), k, e));
  {
    // s + n: the same group element, refused as non-canonical.
    auto claim = good_claim(6);
    claim.response = plus_order(claim.response);
    claim.valid = expected_result(claim);
    claims.push_back(claim);
  }
  {
    // R that decodes to no group element, and R the neutral with s G = e X.
    auto claim = good_claim(7);
    claim.commitment = undecodable_w();
    claim.valid = expected_result(claim);
    claims.push_back(claim);
    const Scalar x = Scalar::from_u64(99);
    auto neutral = signed_with(x, Scalar(), e);
    CHECK(neutral.commitment.is_zero());
    claims.push_back(neutral);
  }
  // The keys G', -G' and -(G + G'): G' - X, G + G' - X (or G - X) the neutral or a double.
  claims.push_back(signed_with(kTwoTo256, k, e));
  claims.push_back(signed_with(-kTwoTo256, k, e));
  claims.push_back(signed_with(-(kTwoTo256 + Scalar::from_u64(1)), k, e));
  // s at the edges of the two comparisons: n - 1 (s_hi = n >> 256, s_lo = n mod 2^256 - 1) and
  // (n >> 256) 2^256 (s_lo = 0), both canonical; s_hi = 0 and s_lo = 2^256 - 1.
  const Scalar x = Scalar::from_u64(0x5eed);
  claims.push_back(with_response(x, order_minus_one(), e));
  claims.push_back(with_response(
      x, Scalar::from_limbs_unchecked({0, 0, 0, 0, Scalar::kOrder[4]}), e));
  claims.push_back(with_response(x, Scalar::from_limbs_unchecked({~0ull, ~0ull, ~0ull, ~0ull, 0}), e));
  const std::vector<bool> expected = {true, true, false, false, true, true, false, false, false,
                                      true, true, true, true, true, true};
  REQUIRE(claims.size() == expected.size());
  for (std::size_t i = 0; i < claims.size(); ++i) {
    INFO("claim " << i);
    CHECK(claims[i].valid == expected[i]);
    CHECK(expected_result(claims[i]) == expected[i]);
  }
  const SchnorrAir air(claims);
  const auto trace = honest_trace(claims);
  CHECK(trace.length() == 4096);  // 15 segments of 256 and 1 of padding
  for (std::size_t i = 0; i < claims.size(); ++i) {
    INFO("claim " << i);
    CHECK((trace.at(col::kResult, i * kRows + kRows - 1) == Felt::one()) == expected[i]);
  }
  const auto found = violations(air, trace);
  if (!found.empty()) INFO("row " << found[0].row << " constraint " << found[0].index);
  CHECK(found.empty());
}

TEST_CASE("schnorr air: a batch of good and bad signatures proves and verifies",
          "[schnorr_air][stark]") {
  auto bad = good_claim(11);
  bad.response[0] ^= 4;
  bad.valid = expected_result(bad);
  REQUIRE(!bad.valid);
  const std::vector<SignatureClaim> claims = {good_claim(10), bad, good_claim(12)};
  const SchnorrAir air(claims);
  const auto trace = honest_trace(claims);
  REQUIRE(trace.length() == 1024);
  auto proof = stark::prove(air, trace, small_options(), 2);
  INFO((proof ? "" : proof.error().message));
  REQUIRE(proof);
  CHECK(proof->params.num_segments == 6);  // degree 7
  const auto bytes = *stark::serialize(*proof);
  auto report = stark::verify(air, bytes);
  INFO((report ? "" : report.error().message));
  REQUIRE(report);
  CHECK(report->security_bits >= 100);

  // The same proof on every instruction set's kernels, and with the prover's head split off (the
  // head's 51 constraints alone on two of the six cosets) and without it.
  require_same_proof_everywhere(air, trace, bytes);

  // The proof states these results and no others.
  auto flipped = claims;
  flipped[1].valid = true;
  CHECK(!stark::verify(SchnorrAir(flipped), bytes));
  auto other_key = claims;
  other_key[0].public_key = claims[2].public_key;
  CHECK(!stark::verify(SchnorrAir(other_key), bytes));
}

TEST_CASE("schnorr air: one segment has no head, and proves the same without one",
          "[schnorr_air][stark]") {
  // Its structure columns (period 256) are as long as the trace, which a head may not read.
  const std::vector<SignatureClaim> claims = {good_claim(19)};
  const SchnorrAir air(claims);
  REQUIRE(air.trace_length() == kRows);
  CHECK(air.head_constraints().empty());
  const auto trace = honest_trace(claims);
  const auto proof = stark::prove(air, trace, small_options(), 2);
  INFO((proof ? "" : proof.error().message));
  REQUIRE(proof);
  CHECK(stark::verify(air, *stark::serialize(*proof)));
}

TEST_CASE("schnorr air: the head is the constraints of degree 6 and 7, evaluated as in the whole",
          "[schnorr_air]") {
  require_head_is_high_degree(SchnorrAir({good_claim(17), good_claim(18)}), 51, 17);
}

TEST_CASE("schnorr air: the verifier's periodic values are the interpolated columns",
          "[schnorr_air]") {
  // Three claims, and 300 (the verifier sums the public columns 256 claims at a time: the
  // second crosses that boundary; varied by hand, the claims need no signature behind them).
  std::vector<SignatureClaim> many;
  for (std::size_t k = 0; k < 300; ++k) {
    SignatureClaim c = good_claim(14 + k % 3);
    c.challenge[k % 4] += Felt(k);
    c.response[k % 5] ^= k;
    c.valid = k % 7 != 0;
    many.push_back(c);
  }
  for (const auto& claims :
       {std::vector<SignatureClaim>{good_claim(14), good_claim(15), good_claim(16)}, many}) {
    const SchnorrAir air(claims);
    const auto periods = require_periodic_values_interpolate(air);
    REQUIRE(periods.size() == schnorr_periodic::kCount);
    // The structure has the period of a segment; the public columns are as long as the trace.
    for (std::size_t k = 0; k < periods.size(); ++k)
      CHECK(periods[k] == (k < schnorr_periodic::kStructure ? kRows : air.trace_length()));
  }
}

TEST_CASE("schnorr air: invalid public keys are proven invalid", "[schnorr_air][stark]") {
  // The neutral (w = 0) and a w with no decoding: the claim exists, its result is 0, proven by
  // a square root of 7 delta(w) in place of the key's x.
  std::vector<SignatureClaim> claims;
  for (const Gfp5& w : {Gfp5::zero(), undecodable_w()}) {
    SignatureClaim claim = good_claim(13);
    claim.public_key = w;
    CHECK(!expected_result(claim));
    claim.valid = false;
    const auto made = claim_signature(Gfp5(w).to_bytes(), kDomain, message_of(13),
                                      key_of(13).sign(kDomain, message_of(13)));
    REQUIRE(made);
    CHECK(!made->valid);
    claims.push_back(claim);
  }
  claims.push_back(good_claim(12));
  const SchnorrAir air(claims);
  const auto trace = honest_trace(claims);
  CHECK(violations(air, trace).empty());
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("claim " << i);
    CHECK(trace.at(col::kKeyValid, i * kRows + kRows - 1) == (i == 2 ? Felt::one() : Felt::zero()));
    CHECK(trace.at(col::kResult, i * kRows + kRows - 1) == (i == 2 ? Felt::one() : Felt::zero()));
  }
  auto proof = stark::prove(air, trace, small_options(), 2);
  REQUIRE(proof);
  CHECK(stark::verify(air, *stark::serialize(*proof)));
  // A coefficient >= p is no field element: no claim can be made of such bytes.
  auto bytes = good_claim(13).public_key.to_bytes();
  for (std::size_t b = 0; b < 8; ++b) bytes[b] = 0xFF;
  CHECK(!claim_signature(bytes, kDomain, message_of(13), key_of(13).sign(kDomain, message_of(13))));
}

TEST_CASE("schnorr air malicious: each false claim breaks a constraint", "[schnorr_air]") {
  const std::size_t last = kRows - 1;

  SECTION("result 1 for a signature over another message") {
    const auto key = key_of(20);
    auto claim = claim_of(key, message_of(21), key.sign(kDomain, message_of(20)));
    REQUIRE(!claim.valid);
    auto trace = honest_trace(std::vector{claim});
    claim.valid = true;
    const SchnorrAir air({claim});
    CHECK(breaks(violations(air, trace), con::kPublicResult));
    trace.at(col::kResult, last) = Felt::one();
    auto found = violations(air, trace);
    CHECK(breaks(found, con::kResult));
    // Claiming equality as well: the accumulated point is not R.
    trace.at(col::kEqual, last) = Felt::one();
    found = violations(air, trace);
    CHECK(breaks(found, con::kEqual));
    require_proof_rejected(air, trace);
  }

  SECTION("result 0 for a good signature") {
    auto claim = good_claim(22);
    auto trace = honest_trace(std::vector{claim});
    claim.valid = false;
    const SchnorrAir air({claim});
    CHECK(breaks(violations(air, trace), con::kPublicResult));
    trace.at(col::kResult, last) = Felt::zero();
    CHECK(breaks(violations(air, trace), con::kResult));
    // ... by claiming the points differ: no inverse of a zero difference exists.
    trace.at(col::kEqual, last) = Felt::zero();
    CHECK(breaks(violations(air, trace), con::kUnequal));
    trace.at(col::kEqual, last) = Felt::one();
    // ... or by claiming R invalid: 7 delta is then a non-square, with no root to show.
    trace.at(col::kCommitValid, last) = Felt::zero();
    CHECK(breaks(violations(air, trace), con::kCommitInvalid));
  }

  SECTION("s + n") {
    auto claim = good_claim(23);
    claim.response = plus_order(claim.response);
    claim.valid = true;  // the cheating claim: s + n accepted
    const SchnorrAir air({claim});
    auto trace = honest_trace(std::vector{claim});
    // The honest run over s + n's bits reaches R but finds s >= n.
    CHECK(trace.at(col::kEqual, last) == Felt::one());
    CHECK(trace.at(col::kCanonical, last) == Felt::zero());
    trace.at(col::kResult, last) = Felt::one();
    CHECK(breaks(violations(air, trace), con::kResult));
    trace.at(col::kCanonical, last) = Felt::one();
    CHECK(breaks(violations(air, trace), con::kCanonical));
    // The bits of s itself under s + n's limbs break the limbs' boundary.
    auto canonical = claim;
    canonical.response = good_claim(23).response;
    const auto s_trace = honest_trace(std::vector{canonical});
    CHECK(breaks(violations(air, s_trace), con::kPublicS));
    require_proof_rejected(air, trace);
  }

  SECTION("a bit that is not a bit") {
    auto claim = good_claim(24);
    auto trace = honest_trace(std::vector{claim});
    trace.at(col::kBitS, 100) = Felt(2);
    CHECK(breaks(violations(SchnorrAir({claim}), trace), con::kBits));
  }

  SECTION("e + p in a limb of e") {
    // e's low limb d0 = 5, and a signature that is valid for e + p (the limb's bits 5 + p,
    // which also sum to 5 in the field): only the limb's comparison with p catches it.
    const Scalar x = Scalar::from_u64(0x1234567), k = Scalar::from_u64(0x89abcdef);
    const Scalar e_wrapped = Scalar::from_limbs_unchecked({5 + Felt::kModulus, 0x1111, 0x2222,
                                                          0x3333, 0});
    SignatureClaim claim = signed_with(x, k, e_wrapped);
    REQUIRE(claim.challenge[0] == Felt(5));  // e + p reduces to e's elements
    REQUIRE(!expected_result(claim));      // a bad signature for e
    claim.valid = true;
    SignatureWitness witness = witness_of(claim);
    witness.challenge = e_wrapped.limbs();
    auto trace = SchnorrAir::build_trace(std::vector{witness});
    REQUIRE(trace);
    CHECK(trace->at(col::kResult, last) == Felt::one());
    const SchnorrAir air({claim});
    const auto found = violations(air, *trace);
    REQUIRE(!found.empty());
    for (const auto& v : found) {
      CHECK(!v.boundary);
      CHECK(v.index == con::kLimbE);
    }
    require_proof_rejected(air, *trace);
  }

  SECTION("an invalid key claimed valid") {
    for (const Gfp5& w : {Gfp5::zero(), undecodable_w()}) {
      auto claim = good_claim(25);
      claim.public_key = w;
      claim.valid = false;
      auto trace = honest_trace(std::vector{claim});
      const SchnorrAir honest_air({claim});
      REQUIRE(violations(honest_air, trace).empty());
      // No x solves the decoding equation for this w (its discriminant is not a square),
      // whatever the prover puts in the key's columns.
      CHECK(!Gfp5(schnorr_detail::discriminant(w.coefficients())).sqrt().is_square);
      trace.at(col::kKeyValid, last) = Felt::one();
      auto found = violations(honest_air, trace);
      CHECK(breaks(found, con::kKeyOnCurve));
      CHECK(!breaks(found, con::kKeyInvalid));
      // ... to claim result 1.
      claim.valid = true;
      trace.at(col::kEqual, last) = Felt::one();
      trace.at(col::kResult, last) = Felt::one();
      const SchnorrAir air({claim});
      CHECK(breaks(violations(air, trace), con::kKeyOnCurve));
      require_proof_rejected(air, trace);
    }
  }

  SECTION("a valid key claimed invalid, to dodge a good signature") {
    auto claim = good_claim(33);
    REQUIRE(claim.valid);
    auto trace = honest_trace(std::vector{claim});
    claim.valid = false;
    trace.at(col::kKeyValid, last) = Felt::zero();
    trace.at(col::kResult, last) = Felt::zero();
    const SchnorrAir air({claim});
    const auto found = violations(air, trace);
    CHECK(breaks(found, con::kKeyInvalid));
    CHECK(!breaks(found, con::kResult));
    // 7 delta(w) is no square for a valid key: no value of the key's columns proves it invalid.
    CHECK(!(Gfp5(schnorr_detail::discriminant(claim.public_key.coefficients())) * Felt(7))
               .sqrt()
               .is_square);
    require_proof_rejected(air, trace);
  }

  SECTION("the key's other root, a square: a point outside the group") {
    auto claim = good_claim(26);
    auto trace = honest_trace(std::vector{claim});
    const Gfp5 w = claim.public_key;
    const Gfp5 key_x(std::array<Felt, 5>{trace.at(col::kKeyX, 0), trace.at(col::kKeyX + 1, 0),
                                         trace.at(col::kKeyX + 2, 0), trace.at(col::kKeyX + 3, 0),
                                         trace.at(col::kKeyX + 4, 0)});
    // The roots sum to w^2 - a; the group's is the non-square, the other a square.
    const Gfp5 other = w.square() - Gfp5(Felt(2)) - key_x;
    REQUIRE(other.legendre() == Felt::one());
    for (std::size_t r = 0; r < kRows; ++r) set5(trace, col::kKeyX, r, other);
    const auto found = violations(SchnorrAir({claim}), trace);
    CHECK(!breaks(found, con::kKeyOnCurve));  // it is on the curve
    CHECK(breaks(found, con::kKeyNonSquare));
    // Its norm is a square of GF(p), so 7 norm(x) is not: no value of the root column helps.
    const Felt norm = schnorr_detail::norm(other.coefficients());
    CHECK(!ecgfp5::sqrt(Felt(7) * norm).is_square);
  }

  SECTION("R that does not decode, or the neutral, claimed valid") {
    for (const Gfp5& w : {undecodable_w(), Gfp5::zero()}) {
      auto claim = good_claim(27);
      claim.commitment = w;
      claim.valid = false;
      auto trace = honest_trace(std::vector{claim});
      CHECK(violations(SchnorrAir({claim}), trace).empty());
      trace.at(col::kCommitValid, last) = Felt::one();
      // No x solves R's decoding equation, whatever the prover puts there.
      CHECK(breaks(violations(SchnorrAir({claim}), trace), con::kCommitOnCurve));
    }
  }

  SECTION("a step of the double-and-add") {
    auto claim = good_claim(28);
    auto trace = honest_trace(std::vector{claim});
    trace.at(col::kAcc + 12, 200) += Felt::one();
    const auto found = violations(SchnorrAir({claim}), trace);
    CHECK(breaks(found, con::kAddition + 12));
    CHECK(breaks(found, con::kDoubling));
  }

  SECTION("no state carries into the next segment") {
    const std::vector<SignatureClaim> claims = {good_claim(29), good_claim(30)};
    const SchnorrAir air(claims);
    const auto honest = honest_trace(claims);
    REQUIRE(violations(air, honest).empty());
    // The transitions stop at row 255, and the next segment's row 0 starts from the neutral,
    // whatever came before: a comparison state carried into it breaks the start.
    auto picked_up = honest;
    REQUIRE(honest.at(col::kCmpS, last) != honest.at(col::kCmpS, kRows));
    picked_up.at(col::kCmpS, kRows) = honest.at(col::kCmpS, last);
    CHECK(breaks(violations(air, picked_up), con::kStartLimbs + 1));
    for (std::size_t i = 0; i < 20; ++i)
      picked_up.at(col::kAcc + i, kRows) = honest.at(col::kAcc + i, last);
    CHECK(breaks(violations(air, picked_up), con::kStart));
    // A run carried on: the next segment's accumulators continue this one's (row 0's limb
    // starts are then broken, not any transition).
    auto carried = honest;
    carried.at(col::kAccS, kRows) = honest.at(col::kAccS, last) * Felt(2) + honest.at(col::kBitS, kRows);
    const auto found = violations(air, carried);
    REQUIRE(!found.empty());
    for (const auto& v : found) CHECK(v.row == kRows);
    CHECK(breaks(found, con::kStartLimbs));
    require_proof_rejected(air, carried);
  }
}

TEST_CASE("schnorr air malicious: s < n is decided by both halves", "[schnorr_air]") {
  const std::size_t last = kRows - 1;
  const Scalar x = Scalar::from_u64(0xc0ffee), e = Scalar::from_u64(0xabcdef12345);
  // s + n for a small s: s_hi = n >> 256 exactly and s_lo >= n mod 2^256, so the high
  // comparison ties and the low one finds s too large.
  SECTION("s_hi = n_hi, s_lo >= n_lo") {
    auto claim = with_response(x, Scalar::from_u64(12345), e);
    REQUIRE(claim.valid);
    claim.response = plus_order(claim.response);
    REQUIRE(claim.response[4] == Scalar::kOrder[4]);
    REQUIRE(!expected_result(claim));
    claim.valid = true;
    auto trace = honest_trace(std::vector{claim});
    CHECK(trace.at(col::kCmpH, last) == Felt::zero());
    CHECK(trace.at(col::kCmpS, last) == -Felt::one());
    CHECK(trace.at(col::kEqual, last) == Felt::one());  // the same point
    trace.at(col::kCanonical, last) = Felt::one();
    trace.at(col::kResult, last) = Felt::one();
    const SchnorrAir air({claim});
    const auto found = violations(air, trace);
    REQUIRE(!found.empty());
    for (const auto& v : found) CHECK(v.index == con::kCanonical);
    require_proof_rejected(air, trace);
    // Nor can the prover run other bits: s's limbs are public.
    SignatureWitness other = witness_of(claim);
    other.response = with_response(x, Scalar::from_u64(12345), e).response;
    auto other_trace = SchnorrAir::build_trace(std::vector{other});
    REQUIRE(other_trace);
    const auto other_found = violations(air, *other_trace);
    CHECK(breaks(other_found, con::kPublicS));
    CHECK(breaks(other_found, con::kPublicH));
  }
  SECTION("s_hi > n_hi with s_lo < n_lo (the low half carried)") {
    // s_lo + n_lo >= 2^256: s + n has s_hi = n_hi + 1 and a small s_lo.
    auto claim = with_response(x, Scalar::from_limbs_unchecked({~0ull, ~0ull, ~0ull, ~0ull, 0}), e);
    REQUIRE(claim.valid);
    claim.response = plus_order(claim.response);
    REQUIRE(claim.response[4] == Scalar::kOrder[4] + 1);
    claim.valid = true;
    auto trace = honest_trace(std::vector{claim});
    CHECK(trace.at(col::kCmpH, last) == -Felt::one());
    CHECK(trace.at(col::kCmpS, last) == Felt::one());
    trace.at(col::kCanonical, last) = Felt::one();
    trace.at(col::kResult, last) = Felt::one();
    const SchnorrAir air({claim});
    CHECK(breaks(violations(air, trace), con::kCanonical));
    require_proof_rejected(air, trace);
  }
  SECTION("s_hi's bits above its 64") {
    // A bit of s_hi at position 255 - 10 adds 2^501 to s: the limb it sits in is pinned to 0.
    auto claim = good_claim(31);
    auto trace = honest_trace(std::vector{claim});
    trace.at(col::kBitH, 10) = Felt::one();
    trace.at(col::kBitSH, 10) = trace.at(col::kBitS, 10);
    trace.at(col::kBitEH, 10) = trace.at(col::kBitE, 10);
    trace.at(col::kBitSEH, 10) = trace.at(col::kBitSE, 10);
    CHECK(breaks(violations(SchnorrAir({claim}), trace), con::kAccH));
    for (std::size_t r = 10; r < 32; ++r)
      trace.at(col::kAccH, r) = Felt(std::uint64_t{1} << (r - 10));
    CHECK(breaks(violations(SchnorrAir({claim}), trace), con::kPublicH));
  }
}

TEST_CASE("schnorr air malicious: the table's entries with G' are pinned", "[schnorr_air]") {
  const std::size_t last = kRows - 1;
  auto claim = good_claim(32);
  const SchnorrAir air({claim});
  const auto honest = honest_trace(std::vector{claim});
  REQUIRE(violations(air, honest).empty());
  for (const std::size_t column : {col::kHighDiffX, col::kHighDiffU + 2, col::kBothDiffX + 4,
                                   col::kBothDiffU}) {
    INFO("column " << column);
    // The same wrong value on every row: the copy holds, the last row's normalisation does not.
    auto tampered = honest;
    for (std::size_t r = 0; r < kRows; ++r) tampered.at(column, r) += Felt::one();
    const auto found = violations(air, tampered);
    const bool high = column < col::kBothDiffX;
    CHECK(breaks(found, high ? con::kHighDiff + (column - col::kHighDiffX)
                             : con::kBothDiff + (column - col::kBothDiffX)));
    CHECK(!breaks(found, con::kCopy + (column - col::kKeyX)));
    // Row 255's checks are made on row 254 (the trace's last row is checked by nothing).
    for (const auto& v : found)
      if (v.index >= con::kDiff && v.index < con::kValidBit) CHECK(v.row == last - 1);
    require_proof_rejected(air, tampered);
    // On one row only: the copy breaks.
    auto one_row = honest;
    one_row.at(column, 100) += Felt::one();
    CHECK(breaks(violations(air, one_row), con::kCopy + (column - col::kKeyX)));
  }
}

// ---- Layout v3: the challenge hashed in the trace (docs/ecgfp5.md, "In the AIR").
namespace {

/// A 135-byte message, the length of a tx's signing message, which v3 claims sign.
std::vector<std::uint8_t> tx_message_of(std::uint8_t tag) {
  std::vector<std::uint8_t> m(kSignedMessageBytes);
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<std::uint8_t>(tag * 17 + 3 * i);
  return m;
}

SignatureClaim hashed_claim(std::uint8_t tag, const ecgfp5::SigningDomain& domain = kDomain) {
  const auto key = key_of(tag);
  const auto m = tx_message_of(tag);
  auto claim = claim_signature(key.public_key(), domain, m, key.sign(domain, m));
  REQUIRE(claim);
  REQUIRE(claim->valid);
  const auto to = key_of(static_cast<std::uint8_t>(tag + 100)).public_key();
  claim->to_key = Gfp5::from_bytes(std::span<const std::uint8_t, 40>(to))->coefficients();
  set_key_ids(*claim);
  return *claim;
}

stark::Trace hashed_trace(std::span<const SignatureClaim> claims, const ecgfp5::SigningDomain& domain = kDomain) {
  std::vector<SignatureWitness> ws;
  for (const auto& c : claims) ws.push_back(witness_of(c, domain));
  auto trace = SchnorrAir::build_trace(ws, domain);
  REQUIRE(trace);
  return std::move(*trace);
}

/// The state's rate[0..4] on row r of segment k: a permutation's digest on its last row.
std::array<Felt, 4> held_digest(const stark::Trace& trace, std::size_t k, std::size_t r) {
  std::array<Felt, 4> d;
  for (std::size_t i = 0; i < 4; ++i) d[i] = trace.at(col::kHash + hash::kRateStart + i, k * kRows + r);
  return d;
}

}  // namespace

TEST_CASE("schnorr air v3: the trace hashes each challenge as ecgfp5::challenge does", "[schnorr_air]") {
  // Good signatures, one over another message, one with another key's bytes, an invalid key.
  std::vector<SignatureClaim> claims = {hashed_claim(40), hashed_claim(41)};
  {
    const auto key = key_of(42);
    claims.push_back(*claim_signature(key.public_key(), kDomain, tx_message_of(43), key.sign(kDomain, tx_message_of(42))));
    set_key_ids(claims.back());
    REQUIRE(!claims.back().valid);
  }
  {
    auto claim = hashed_claim(44);
    claim.public_key = undecodable_w();
    claim.valid = false;
    set_key_ids(claim);
    claims.push_back(claim);
  }
  const SchnorrAir air(kDomain, claims);
  CHECK(air.id() == "rollup/schnorr-ecgfp5/v3");
  CHECK(air.trace_width() == col::kWidthV3);
  CHECK(air.transition_degrees().size() == con::kCountV3);
  const auto trace = hashed_trace(claims);
  CHECK(trace.length() == 4 * kRows);
  for (std::size_t k = 0; k < claims.size(); ++k) {
    INFO("claim " << k);
    const Scalar e = ecgfp5::challenge(kDomain, claims[k].public_key, claims[k].commitment, claims[k].message);
    const auto d = held_digest(trace, k, 39);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(d[i].value() == e.limbs()[i]);
      for (const std::size_t r : {std::size_t{40}, std::size_t{100}, kRows - 2})
        CHECK(trace.at(col::kDigest + i, k * kRows + r) == d[i]);
    }
    CHECK((trace.at(col::kResult, k * kRows + kRows - 1) == Felt::one()) == claims[k].valid);
  }
  const auto found = violations(air, trace);
  if (!found.empty()) INFO("row " << found[0].row << " constraint " << found[0].index);
  CHECK(found.empty());
  // The capacity it starts from is the first chunk's (tag and chain id), hashed natively.
  const auto input = challenge_input_of(kDomain, claims[0]);
  std::vector<Felt> elements = ecgfp5::challenge_elements(kDomain, claims[0].public_key, claims[0].commitment,
                                                          claims[0].message);
  REQUIRE(elements.size() == 41);
  CHECK(std::equal(elements.begin() + 8, elements.end(), input.chunks.begin()));
  CHECK(std::all_of(input.chunks.begin() + 33, input.chunks.end(), [](Felt v) { return v == Felt::zero(); }));
}

TEST_CASE("schnorr air v3: a batch proves and verifies, under its domain and messages only",
          "[schnorr_air][stark]") {
  auto bad = hashed_claim(45);
  bad.response[0] ^= 4;
  bad.valid = expected_result(bad);
  REQUIRE(!bad.valid);
  const std::vector<SignatureClaim> claims = {hashed_claim(46), bad, hashed_claim(47)};
  const SchnorrAir air(kDomain, claims);
  const auto trace = hashed_trace(claims);
  REQUIRE(violations(air, trace).empty());
  auto proof = stark::prove(air, trace, small_options(), 2);
  INFO((proof ? "" : proof.error().message));
  REQUIRE(proof);
  CHECK(proof->params.num_segments == 7);  // degree 8: the sponge's rounds
  const auto bytes = *stark::serialize(*proof);
  REQUIRE(stark::verify(air, bytes));

  require_same_proof_everywhere(air, trace, bytes);

  // Another result, message, domain (chain or namespace) or key: refused.
  auto flipped = claims;
  flipped[1].valid = true;
  CHECK(!stark::verify(SchnorrAir(kDomain, flipped), bytes));
  auto other_message = claims;
  other_message[0].message[60] ^= 1;
  CHECK(!stark::verify(SchnorrAir(kDomain, other_message), bytes));
  CHECK(!stark::verify(SchnorrAir(ecgfp5::SigningDomain{kDomain.chain_id + 1, kDomain.namespace_id}, claims), bytes));
  CHECK(!stark::verify(SchnorrAir(ecgfp5::SigningDomain{kDomain.chain_id, kDomain.namespace_id + 1}, claims), bytes));
  CHECK(!stark::verify(SchnorrAir(ecgfp5::SigningDomain{kDomain.chain_id + (1ull << 32), kDomain.namespace_id},
                                  claims), bytes));
  auto other_key = claims;
  other_key[0].public_key = claims[2].public_key;
  CHECK(!stark::verify(SchnorrAir(kDomain, other_key), bytes));
  // Nor as v2's statement, whose challenges the verifier would take as given.
  auto with_e = claims;
  for (auto& c : with_e) {
    const Scalar e = ecgfp5::challenge(kDomain, c.public_key, c.commitment, c.message);
    for (std::size_t i = 0; i < 4; ++i) c.challenge[i] = Felt(e.limbs()[i]);
  }
  CHECK(!stark::verify(SchnorrAir(with_e), bytes));
}

TEST_CASE("schnorr air v3: the head adds the sponge's rounds; periodic values interpolate",
          "[schnorr_air]") {
  require_head_is_high_degree(SchnorrAir(kDomain, {hashed_claim(48), hashed_claim(49)}), 51 + hash::kStateWidth, 49);

  // 300 claims cross the verifier's chunk of 256.
  std::vector<SignatureClaim> many;
  for (std::size_t k = 0; k < 300; ++k) {
    SignatureClaim c = hashed_claim(static_cast<std::uint8_t>(50 + k % 3));
    c.message[k % kSignedMessageBytes] ^= static_cast<std::uint8_t>(k);
    c.valid = k % 7 != 0;
    many.push_back(c);
  }
  const SchnorrAir big(kDomain, many);
  const auto periods = require_periodic_values_interpolate(big);
  REQUIRE(periods.size() == schnorr_periodic::kCountV3);
  CHECK(periods[schnorr_periodic::kArk1] == 8);
  CHECK(periods[schnorr_periodic::kHashRound] == kRows);
  CHECK(periods[schnorr_periodic::kPublicChunk] == big.trace_length());
}

TEST_CASE("schnorr air v3 malicious: the challenge cannot be chosen", "[schnorr_air]") {
  SECTION("e of another message, run on this message's chunks: e is not the digest") {
    // A signature that is good for message b, claimed for message a.
    const auto key = key_of(53);
    const auto a = tx_message_of(53), b = tx_message_of(54);
    auto claim_b = *claim_signature(key.public_key(), kDomain, b, key.sign(kDomain, b));
    set_key_ids(claim_b);
    auto claim = claim_b;
    std::copy(a.begin(), a.end(), claim.message.begin());
    REQUIRE(!expected_result(claim_of(key, a, key.sign(kDomain, b))));
    claim.valid = true;
    const SchnorrAir air(kDomain, {claim});
    SignatureWitness cheat = witness_of(claim, kDomain);  // a's sponge
    cheat.challenge = witness_of(claim_b, kDomain).challenge;  // b's e
    auto trace = SchnorrAir::build_trace(std::vector{cheat}, kDomain);
    REQUIRE(trace);
    CHECK(trace->at(col::kResult, kRows - 1) == Felt::one());
    const auto found = violations(air, *trace);
    CHECK(breaks(found, con::kPublicE));
    for (const auto& v : found) CHECK(v.index == con::kPublicE);
    require_proof_rejected(air, *trace);
    // Run on b's chunks instead, the digest is b's e, and the pinned chunks are a's.
    auto on_b = SchnorrAir::build_trace(std::vector{witness_of(claim_b, kDomain)}, kDomain);
    REQUIRE(on_b);
    const auto found_b = violations(air, *on_b);
    CHECK(breaks(found_b, con::kHashChunk));
    CHECK(!breaks(found_b, con::kPublicE));
    require_proof_rejected(air, *on_b);
  }

  SECTION("a tampered round, absorption, start or held digest") {
    const auto claim = hashed_claim(55);
    const SchnorrAir air(kDomain, {claim, hashed_claim(56)});
    const auto honest = hashed_trace(std::vector{claim, hashed_claim(56)});
    REQUIRE(violations(air, honest).empty());
    struct Case {
      std::size_t column, row, constraint, at_row;
    };
    for (const Case c : {Case{col::kHash + 9, 20, con::kHashRound + 9, 19},    // a round's output
                         Case{col::kHash + 2, 8, con::kHashRound + 2, 7},      // the capacity absorbed
                         Case{col::kHash + 1, 0, con::kHashStart + 1, 0},      // the domain's start
                         Case{col::kHash + 6, 44, con::kHashRound + 6, 43},    // a key id's round
                         Case{col::kDigest + 1, 100, con::kDigest + 1, 99},    // the digest held
                         Case{col::kDigest, kRows - 2, con::kDigest, kRows - 3}}) {
      INFO("column " << c.column << " row " << c.row);
      auto tampered = honest;
      tampered.at(c.column, c.row) += Felt::one();
      const auto found = violations(air, tampered);
      CHECK(std::any_of(found.begin(), found.end(), [&](const Violation& v) {
        return v.index == c.constraint && v.row == c.at_row;
      }));
    }
    // The same digest change on every row from 40 on: the load from row 39 breaks.
    auto forged = honest;
    for (std::size_t r = 40; r < kRows; ++r) forged.at(col::kDigest, r) += Felt::one();
    CHECK(breaks(violations(air, forged), con::kDigest));
    // The second segment's sponge started from the first one's end: its start breaks.
    auto carried = honest;
    for (std::size_t i = 0; i < hash::kCapacity; ++i)
      carried.at(col::kHash + i, kRows) = honest.at(col::kHash + i, kRows - 1);
    CHECK(breaks(violations(air, carried), con::kHashStart));
  }

  SECTION("the key ids: the trace's are smt's, and no other is accepted") {
    const auto claim = hashed_claim(58);
    const SchnorrAir air(kDomain, {claim});
    const auto honest = hashed_trace(std::vector{claim});
    REQUIRE(violations(air, honest).empty());
    const PublicKey from(claim.public_key.to_bytes());
    CHECK(hash::digest_bytes(held_digest(honest, 0, 47)) == smt::account_key_bytes(from));
    CHECK(held_digest(honest, 0, 47) == claim.from_id);
    CHECK(held_digest(honest, 0, 55) == claim.to_id);
    // Another id claimed for the signer, or for `to`: the pinned rate of row 47 (55) breaks, and
    // the proof made anyway is rejected.
    for (const bool of_to : {false, true}) {
      auto lie = claim;
      (of_to ? lie.to_id : lie.from_id)[2] += Felt::one();
      const SchnorrAir lying(kDomain, {lie});
      const auto found = violations(lying, honest);
      REQUIRE(!found.empty());
      for (const auto& v : found) {
        CHECK(v.index == con::kHashChunk + 2);
        CHECK(v.row == (of_to ? 55u : 47u));
      }
      require_proof_rejected(lying, honest);
    }
    // Another `to` key under the same id: its input row breaks.
    auto other_to = claim;
    other_to.to_key[0] += Felt::one();
    CHECK(breaks(violations(SchnorrAir(kDomain, {other_to}), honest), con::kHashChunk));
    // A key id's capacity other than (5, 0, 0, 0): its start breaks.
    auto tampered = honest;
    tampered.at(col::kHash + 1, 48) += Felt::one();
    CHECK(breaks(violations(air, tampered), con::kHashStart + 1));
    // The digest columns take the challenge's output and keep it.
    auto digest = honest;
    digest.at(col::kDigest + 3, 40) += Felt::one();
    CHECK(breaks(violations(air, digest), con::kDigest + 3));
  }

  SECTION("another domain's capacity: the chain id and the tag are bound") {
    const ecgfp5::SigningDomain other{kDomain.chain_id + 1, kDomain.namespace_id};
    const auto claim = hashed_claim(57, other);
    const SchnorrAir air(kDomain, {claim});
    const auto trace = hashed_trace(std::vector{claim}, other);
    const auto found = violations(air, trace);
    CHECK(breaks(found, con::kHashStart));
    CHECK(!breaks(found, con::kHashChunk));  // the chain id's low half is in the capacity alone
    require_proof_rejected(air, trace);
  }
}

namespace {

namespace col4 = schnorr_col4;
namespace con4 = schnorr_constraint4;

stark::Trace v4_trace(std::span<const SignatureClaim> claims) {
  std::vector<SignatureWitness> ws;
  for (const auto& c : claims) ws.push_back(witness_of(c, kDomain));
  auto trace = SchnorrAir::build_trace(ws, kDomain, 2, SchnorrLayout::v4);
  REQUIRE(trace);
  return std::move(*trace);
}

SchnorrAirV4 v4_air(std::vector<SignatureClaim> claims) { return SchnorrAirV4(kDomain, std::move(claims)); }

/// Good and bad signatures of every kind the AIR tells apart: a signature over another message,
/// keys and commitments without a decoding or neutral, and s + n.
std::vector<SignatureClaim> mixed_claims() {
  std::vector<SignatureClaim> claims = {hashed_claim(60), hashed_claim(61)};
  const auto key = key_of(62);
  claims.push_back(*claim_signature(key.public_key(), kDomain, tx_message_of(63), key.sign(kDomain, tx_message_of(62))));
  for (const bool neutral : {false, true}) {
    auto bad_key = hashed_claim(64);
    bad_key.public_key = neutral ? Gfp5() : undecodable_w();
    claims.push_back(bad_key);
    auto bad_r = hashed_claim(65);
    bad_r.commitment = neutral ? Gfp5() : undecodable_w();
    claims.push_back(bad_r);
  }
  auto high = hashed_claim(66);
  high.response = plus_order(high.response);
  claims.push_back(high);
  for (auto& c : claims) {
    set_key_ids(c);
    // The native verdict over the hashed challenge.
    const Scalar e = ecgfp5::challenge(kDomain, c.public_key, c.commitment, c.message);
    for (std::size_t i = 0; i < 4; ++i) c.challenge[i] = Felt(e.limbs()[i]);
    c.valid = expected_result(c);
  }
  return claims;
}

}  // namespace

TEST_CASE("schnorr air v4: the proven bit is the native verdict; the batch proves and verifies",
          "[schnorr_air][stark]") {
  const auto claims = mixed_claims();
  REQUIRE(claims[0].valid);
  REQUIRE(claims[1].valid);
  for (std::size_t k = 2; k < claims.size(); ++k) REQUIRE(!claims[k].valid);
  const SchnorrAirV4 air = v4_air(claims);
  CHECK(air.id() == "rollup/schnorr-ecgfp5/v4");
  CHECK(air.trace_width() == col4::kWidth);
  CHECK(air.transition_degrees().size() == con4::kCount);
  const auto trace = v4_trace(claims);
  CHECK(trace.length() == 8 * kRows);
  for (std::size_t k = 0; k < claims.size(); ++k) {
    INFO("claim " << k);
    CHECK((trace.at(col4::kResult, k * kRows + kRows - 1) == Felt::one()) == claims[k].valid);
  }
  const auto found = violations(air, trace);
  if (!found.empty()) INFO("row " << found[0].row << " constraint " << found[0].index);
  CHECK(found.empty());

  auto proof = stark::prove(air, trace, small_options(), 2);
  INFO((proof ? "" : proof.error().message));
  REQUIRE(proof);
  CHECK(proof->params.num_segments == 7);  // degree 8: the ladder's normalisations, the rounds
  const auto bytes = *stark::serialize(*proof);
  REQUIRE(stark::verify(air, bytes));
  require_same_proof_everywhere(air, trace, bytes);
  // Another result, key or message; or the same claims as v3's statement: refused.
  auto flipped = claims;
  flipped[0].valid = false;
  CHECK(!stark::verify(v4_air(flipped), bytes));
  auto other_key = claims;
  other_key[0].public_key = claims[1].public_key;
  CHECK(!stark::verify(v4_air(other_key), bytes));
  auto other_message = claims;
  other_message[1].message[7] ^= 1;
  CHECK(!stark::verify(v4_air(other_message), bytes));
  CHECK(!stark::verify(SchnorrAir(kDomain, claims), bytes));
}

TEST_CASE("schnorr air v4: the head is its degree 6 to 8; periodic values interpolate", "[schnorr_air]") {
  require_head_is_high_degree(v4_air({hashed_claim(67), hashed_claim(68)}), 30 + 11 + hash::kStateWidth, 67);
  std::vector<SignatureClaim> many;
  for (std::size_t k = 0; k < 300; ++k) {
    SignatureClaim c = hashed_claim(static_cast<std::uint8_t>(70 + k % 3));
    c.message[k % kSignedMessageBytes] ^= static_cast<std::uint8_t>(k);
    c.response[k % 5] ^= k;
    c.valid = k % 7 != 0;
    many.push_back(c);
  }
  const SchnorrAirV4 big = v4_air(many);
  const auto periods = require_periodic_values_interpolate(big);
  REQUIRE(periods.size() == schnorr_periodic::kCountV4);
  CHECK(periods[schnorr_periodic::kPublicKeyW] == big.trace_length());
}

TEST_CASE("schnorr air v4 malicious: each false claim breaks a constraint", "[schnorr_air]") {
  const auto claims = mixed_claims();
  const std::size_t last = kRows - 1;

  SECTION("result 1 for a signature over another message, or for s + n") {
    for (const std::size_t k : {std::size_t{2}, claims.size() - 1}) {
      INFO("claim " << k);
      auto lie = claims[k];
      lie.valid = true;
      const SchnorrAirV4 air = v4_air({lie});
      auto trace = v4_trace(std::vector{lie});
      CHECK(breaks(violations(air, trace), con4::kPublicResult));
      trace.at(col4::kResult, last) = Felt::one();  // the forged bit in the trace too
      CHECK(breaks(violations(air, trace), con4::kResult));
      trace.at(col4::kEqual, last) = Felt::one();
      trace.at(col4::kCanonical, last) = Felt::one();
      const auto found = violations(air, trace);
      CHECK((breaks(found, con4::kEqual) || breaks(found, con4::kCanonical)));
      require_proof_rejected(air, trace);
    }
  }

  SECTION("a key without a decoding claimed valid") {
    auto lie = claims[3];  // undecodable w(X)
    lie.valid = true;
    const SchnorrAirV4 air = v4_air({lie});
    auto trace = v4_trace(std::vector{lie});
    trace.at(col4::kKeyValid, last) = Felt::one();
    trace.at(col4::kResult, last) = Felt::one();
    const auto found = violations(air, trace);
    CHECK((breaks(found, con4::kKeyOnCurve) || breaks(found, con4::kKeyNonSquare)));
  }

  SECTION("another base than -X: the ladder would check another key") {
    const SchnorrAirV4 air = v4_air({claims[0]});
    auto trace = v4_trace(std::vector{claims[0]});
    const auto other = v4_trace(std::vector{claims[1]});
    for (std::size_t r = 0; r < kRows; ++r)
      for (std::size_t i = 0; i < 10; ++i) trace.at(col4::kBaseX + i, r) = other.at(col4::kBaseX + i, r);
    CHECK(breaks(violations(air, trace), con4::kBaseIsKey));
    // Changed on one row only, the copy breaks.
    auto one_row = v4_trace(std::vector{claims[0]});
    one_row.at(col4::kBaseU + 2, 100) += Felt::one();
    CHECK(breaks(violations(air, one_row), con4::kBaseCopy + 7));
  }

  SECTION("a step of the ladder: each normalised point is the only one") {
    const SchnorrAirV4 air = v4_air({claims[0]});
    const auto honest = v4_trace(std::vector{claims[0]});
    struct Case {
      std::size_t column, row, constraint, at_row;
    };
    // `constraint` starts the five of the coordinate's normalisation: a coefficient changed by 1
    // changes x Z by Z (or u T by T), whose coefficients are not all nonzero.
    for (const Case c : {Case{col4::kDblX + 1, 50, con4::kDoubling, 50},
                         Case{col4::kMidU + 3, 51, con4::kMid + 5, 51},
                         Case{col4::kAccU, 52, con4::kAddition + 5, 51},
                         Case{col4::kAccX + 4, 0, con4::kStart, 0}}) {
      INFO("column " << c.column << " row " << c.row);
      auto tampered = honest;
      tampered.at(c.column, c.row) += Felt::one();
      const auto found = violations(air, tampered);
      CHECK(std::any_of(found.begin(), found.end(), [&](const Violation& v) {
        return v.index >= c.constraint && v.index < c.constraint + 5 && v.row == c.at_row;
      }));
    }
  }

  SECTION("bit 255 of s_a, or a bit of s_b above its 65: their limbs break") {
    const SchnorrAirV4 air = v4_air({claims[0]});
    auto top = v4_trace(std::vector{claims[0]});
    top.at(col4::kBitS, 0) = Felt::one() - top.at(col4::kBitS, 0);
    const auto found = violations(air, top);
    CHECK(!found.empty());
    auto high = v4_trace(std::vector{claims[0]});
    high.at(col4::kBitH, 100) = Felt::one() - high.at(col4::kBitH, 100);
    CHECK(!violations(air, high).empty());
  }

  SECTION("R that does not decode claimed valid, and a valid R claimed invalid") {
    auto lie = claims[4];  // undecodable w(R)
    lie.valid = true;
    const SchnorrAirV4 air = v4_air({lie});
    auto trace = v4_trace(std::vector{lie});
    trace.at(col4::kCommitValid, last) = Felt::one();
    CHECK(breaks(violations(air, trace), con4::kCommitOnCurve));
    auto dodge = claims[0];
    dodge.valid = false;
    auto good = v4_trace(std::vector{claims[0]});
    good.at(col4::kCommitValid, last) = Felt::zero();
    good.at(col4::kResult, last) = Felt::zero();
    CHECK(breaks(violations(v4_air({dodge}), good), con4::kCommitInvalid));
  }
}
