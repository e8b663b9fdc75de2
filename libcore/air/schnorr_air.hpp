#pragma once
// An AIR that checks a batch of Schnorr signatures over ECgFp5 (issue #10's in-proof gadget):
// for each signature, given the public key's encoding w(X), the challenge e = d0 + d1 2^64 +
// d2 2^128 + d3 2^192 and the signature (w(R), s), it proves the result bit
//   1  iff  X decodes to a non-neutral group element, s < n, w(R) decodes to a non-neutral
//           group element, and s G - e X = R;
//   0  otherwise (a key that decodes to nothing, or the neutral, is proven so: key_valid = 0),
// so that a bad signature is proven bad and neither answer can be forged. One signature takes
// a 256-row segment, no idle row: with s = s_lo + 2^256 s_hi and G' = 2^256 G, row r handles
// bit 255 - r of s_lo, e and s_hi in a double-and-add with Shamir's trick over the eight
// entries bs G + bh G' - be X; 94 columns. The power-of-two segment makes the structure
// columns periodic of period 256. The trace's last row is checked by nothing (the STARK
// enforces transitions on rows 0..n-2), and is a segment's row 255: that row's checks are
// made from row 254 on the next row's values.
// Layout v3 (SchnorrLayout::v3, version 7 proofs) also hashes the challenge in the trace: 12 RPO
// state columns run its permutations on rows 0..39 of each segment from the rate chunks the
// verifier pins from the tx's bytes, and e's limbs must equal the digest; rows 40..55 prove the
// key ids of the signer and of the tx's `to`, so the verifier hashes none of these (110 columns).
// Layout v2 (94 columns) takes e as a public value, for the proofs that carry it. Layout v4
// (SchnorrAirV4, the prover's) proves v3's statement over 65 columns: every point normalised to
// (x : 1 : u : 1), the fixed entries and -X added one after the other, s split at bit 255.
// docs/ecgfp5.md ("In the AIR") gives every column and constraint and the soundness argument.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ecgfp5/gfp5.hpp"
#include "ecgfp5/schnorr.hpp"
#include "hash/rpo.hpp"
#include "stark/air.hpp"
#include "stark/rpo_round.hpp"

namespace rollup::air {

using ecgfp5::Gfp5;
using field::Ext2;
using field::Felt;

/// The layouts (docs/ecgfp5.md, "In the AIR"). v2 takes each challenge's digest as a public
/// value that the verifier hashes; v3 hashes it in the trace from the signed message and proves
/// the key ids of the signer and `to`, so the verifier hashes none of them; v4 is v3's statement
/// over a narrower ladder (65 columns instead of 110): its points normalised to (x : 1 : u : 1),
/// the fixed and the key's entries added one after the other, so that no sum with the key is
/// kept. Proofs of versions 4 and 6 carry v2, version 7 v3; the prover writes v4.
enum class SchnorrLayout : std::uint8_t { v2 = 2, v3 = 3, v4 = 4 };
/// Whether the layout hashes the challenge in its trace (and proves the key ids).
constexpr bool hashes_challenge(SchnorrLayout layout) { return layout != SchnorrLayout::v2; }

/// The message a v3 claim signs: a tx's signing message (codec::Tx::signing_message, "tx:v3"),
/// always this long, so that every challenge input takes the same six permutations.
inline constexpr std::size_t kSignedMessageBytes = 135;

/// What the proof states about one signature: every field is public. The caller binds
/// `public_key` to the signer's account, the challenge to the tx (v2: `challenge`, the RPO digest
/// of the challenge input; v3: `message`, which the AIR hashes with the key, R and its domain),
/// and (`commitment`, `response`) to the signature's 80 bytes. Layout v3 also proves the key ids
/// (smt::account_key_bytes) of the signer and of the tx's `to`, which the verifier then need not
/// hash: `from_id` = RPO(w(X)), `to_id` = RPO(`to_key`).
struct SignatureClaim {
  Gfp5 public_key;                         ///< w(X)
  std::array<Felt, 4> challenge{};         ///< v2: d0..d3; v3: unused (the AIR hashes `message`)
  Gfp5 commitment;                         ///< w(R), the signature's bytes 0..39
  std::array<std::uint64_t, 5> response{};  ///< s as read from bytes 40..79 (may be >= n)
  std::array<std::uint8_t, kSignedMessageBytes> message{};  ///< v3: the signed message
  std::array<Felt, 5> to_key{};            ///< v3: smt::key_id_elements of the tx's `to` (0 for a withdrawal)
  std::array<Felt, 4> from_id{}, to_id{};  ///< v3: the key ids of w(X) and of `to_key`
  bool valid = false;                      ///< the result bit
};

/// The claim's signature fields from a signature's 80 bytes: `commitment` w(R) from bytes 0..39,
/// `response` s from bytes 40..79 (read as they are, possibly >= n). False, leaving `claim`
/// unchanged, when w(R) holds a coefficient >= p (no field element).
bool read_signature_fields(std::span<const std::uint8_t, 80> signature, SignatureClaim& claim);

/// The claim for (public key, signature) under `domain` and `message`, with the native
/// verdict as its result (0 for a key that is no non-neutral group element: the AIR proves
/// that too), its `challenge` hashed (v2) and, for a message of kSignedMessageBytes, the
/// message kept (v3). Fails (Errc::bad_input) where the AIR cannot state anything: a public key
/// or a w(R) whose bytes hold a coefficient >= p (no field element; the caller rejects such
/// bytes before proving).
Result<SignatureClaim> claim_signature(const ecgfp5::PublicKey& public_key,
                                       const ecgfp5::SigningDomain& domain,
                                       std::span<const std::uint8_t> message,
                                       const ecgfp5::Signature& signature);

/// The result bit the AIR proves for a claim, computed natively (the claim's own `valid` is
/// ignored): 0 when the public key is not a non-neutral group element.
bool expected_result(const SignatureClaim& claim);

/// The challenge input of a v3 claim, as the AIR absorbs it: the sponge's capacity after the
/// first chunk of 8 elements (the domain tag and the chain id's low half, the same for every tx
/// of a rollup; docs/ecgfp5.md "The challenge") and the five chunks that follow, zero-padded:
/// chain_id >> 32, namespace, w(X), w(R), the message packed as bytes.
struct ChallengeInput {
  std::array<Felt, 4> capacity{};
  std::array<Felt, 40> chunks{};
};
inline constexpr std::size_t kChallengeChunks = 5;
/// The input's five chunks alone, packed from the claim's bytes without hashing: what the
/// verifier pins.
std::array<Felt, 40> challenge_chunks_of(const ecgfp5::SigningDomain& domain, const SignatureClaim& claim);
/// The chunks and the capacity they start from (one permutation).
ChallengeInput challenge_input_of(const ecgfp5::SigningDomain& domain, const SignatureClaim& claim);

/// What a trace is built from: the claim's public values, and the two scalars as the integers
/// whose bits the trace runs over. An honest witness (witness_of) has e's limbs d0..d3, 0;
/// tests put other integers there to play a cheating prover. Layout v3 also runs the
/// challenge's sponge over `hashed` (witness_of's second form fills it and sets e to its digest).
struct SignatureWitness {
  Gfp5 public_key, commitment;
  std::array<std::uint64_t, 5> response{}, challenge{};  ///< little-endian 64-bit limbs
  ChallengeInput hashed{};
  std::array<Felt, 5> to_key{};  ///< v3: the `to` key id's input
};
/// v2's witness, e from the claim.
SignatureWitness witness_of(const SignatureClaim& claim);
/// v3's: the challenge input of the claim's message under `domain`, and e its digest.
SignatureWitness witness_of(const SignatureClaim& claim, const ecgfp5::SigningDomain& domain);
/// The key id of five key-id elements (smt::key_id_elements), as the AIR computes it: the
/// digest of hash::hash_elements over them.
std::array<Felt, 4> key_id_digest(const std::array<Felt, 5>& elements);
/// Sets a v3 claim's `from_id` and `to_id` from its key and `to_key`, hashing natively (the
/// prover's side; the verifier takes them from the proof).
void set_key_ids(SignatureClaim& claim);

/// Trace columns. Rows 256 k .. 256 k + 255 hold signature k's run: row r processes bit
/// j = 255 - r of s_lo, of e and of s_hi (s = s_lo + 2^256 s_hi, s_hi's bits zero above 63).
namespace schnorr_col {
inline constexpr std::size_t kAcc = 0;     ///< 20: accumulated point (X, Z, U, T), 5 each
inline constexpr std::size_t kDouble = 20;  ///< 20: 2 * acc; the last row holds the slots below
inline constexpr std::size_t kBitS = 40;   ///< bit j of s_lo
inline constexpr std::size_t kBitE = 41;   ///< bit j of e
inline constexpr std::size_t kBitH = 42;   ///< bit j of s_hi
inline constexpr std::size_t kBitSE = 43;  ///< bit_s bit_e
inline constexpr std::size_t kBitSH = 44;  ///< bit_s bit_h
inline constexpr std::size_t kBitEH = 45;  ///< bit_e bit_h
inline constexpr std::size_t kBitSEH = 46;  ///< bit_s bit_e bit_h
inline constexpr std::size_t kKeyX = 47;   ///< 5: x of X, or sqrt(7 delta(w(X))) for an invalid key
inline constexpr std::size_t kKeyW = 52;   ///< 5: w(X)
inline constexpr std::size_t kDiffX = 57;  ///< 5: x of G - X, normalised (Z = 1)
inline constexpr std::size_t kDiffU = 62;  ///< 5: u of G - X, normalised (T = 1)
inline constexpr std::size_t kHighDiffX = 67;  ///< 5: x of G' - X (G' = 2^256 G), normalised
inline constexpr std::size_t kHighDiffU = 72;  ///< 5: u of G' - X
inline constexpr std::size_t kBothDiffX = 77;  ///< 5: x of G + G' - X, normalised
inline constexpr std::size_t kBothDiffU = 82;  ///< 5: u of G + G' - X
inline constexpr std::size_t kTableColumns = 40;  ///< kKeyX .. kBothDiffU, constant per segment
inline constexpr std::size_t kAccS = 87;   ///< s_lo's current 32-bit limb, accumulated from its top
inline constexpr std::size_t kCmpS = 88;   ///< n mod 2^256 against s_lo's bits so far: 1 >, 0 =, -1 <
inline constexpr std::size_t kAccH = 89;   ///< s_hi's current 32-bit limb (zero above its 64 bits)
inline constexpr std::size_t kCmpH = 90;   ///< n >> 256 against s_hi's bits so far
inline constexpr std::size_t kAccE = 91;   ///< e's current 64-bit limb
inline constexpr std::size_t kCmpE = 92;   ///< p against the current e limb's bits so far
inline constexpr std::size_t kKeyValid = 93;  ///< on the last row: w(X) encodes a non-neutral element
inline constexpr std::size_t kWidth = 94;
/// Layout v3: an RPO state (12). Row 8k holds permutation k's input, row 8k + r its state after
/// r rounds: k = 0..4 the challenge's sponge, k = 5 the key id of w(X), k = 6 that of `to`.
inline constexpr std::size_t kHash = 94;
/// Layout v3: the challenge's digest (4), from row 40 to the segment's end.
inline constexpr std::size_t kDigest = 106;
inline constexpr std::size_t kWidthV3 = 110;
// The last row of a segment, in the kDouble columns:
inline constexpr std::size_t kCommitW = 20;  ///< 5: w(R)
inline constexpr std::size_t kCommitX = 25;  ///< 5: x of R (valid R) or sqrt(7 delta) (invalid)
inline constexpr std::size_t kDiffInv = 30;  ///< 5: 1 / (U w(R) - T) when that is nonzero
inline constexpr std::size_t kKeyRoot = 35;  ///< sqrt(7 norm(x of X)): x of X is a non-square
inline constexpr std::size_t kCommitValid = 36;  ///< w(R) encodes a non-neutral group element
inline constexpr std::size_t kEqual = 37;        ///< the accumulated point equals R
inline constexpr std::size_t kResult = 38;       ///< the result bit
inline constexpr std::size_t kCanonical = 39;    ///< s < n, from the two comparisons
}  // namespace schnorr_col

/// Layout v4's columns. Row r of a segment processes bit j = 255 - r of e, of s_a = s mod 2^255
/// and of s_b = s >> 255 (zero above its 65 bits): the accumulator A_r, its double, the double
/// plus the fixed entry bs G + bh G' (G' = 2^255 G) of the next row's bits, and the base -X,
/// each normalised to (x : 1 : u : 1), so that A_{r+1} = mid_r + be (-X).
namespace schnorr_col4 {
inline constexpr std::size_t kAccX = 0, kAccU = 5;    ///< A_r
inline constexpr std::size_t kDblX = 10, kDblU = 15;  ///< 2 A_r
inline constexpr std::size_t kMidX = 20, kMidU = 25;  ///< 2 A_r + bs G + bh G' (the next row's bits)
/// -X, constant along the segment; for a key that is no non-neutral group element, any point
/// (the honest prover's is the neutral, (0, 0)), as its result is 0 whatever the run.
inline constexpr std::size_t kBaseX = 30, kBaseU = 35;
inline constexpr std::size_t kBitS = 40;  ///< bit j of s_a
inline constexpr std::size_t kBitE = 41;  ///< bit j of e
inline constexpr std::size_t kBitH = 42;  ///< bit j of s_b
inline constexpr std::size_t kAccS = 43;  ///< as schnorr_col's, over s_a's, s_b's and e's limbs
inline constexpr std::size_t kCmpS = 44;
inline constexpr std::size_t kAccH = 45;
inline constexpr std::size_t kCmpH = 46;
inline constexpr std::size_t kAccE = 47;
inline constexpr std::size_t kCmpE = 48;
inline constexpr std::size_t kHash = 49;    ///< 12: as schnorr_col::kHash
inline constexpr std::size_t kDigest = 61;  ///< 4: as schnorr_col::kDigest
inline constexpr std::size_t kWidth = 65;
// The last row of a segment, in columns no constraint reads there (the ladder's and the state's):
inline constexpr std::size_t kCommitW = 10;  ///< 5: w(R)
inline constexpr std::size_t kCommitX = 15;  ///< 5: x of R (valid R) or sqrt(7 delta) (invalid)
inline constexpr std::size_t kDiffInv = 20;  ///< 5: 1 / (u w(R) - 1) when that is nonzero
inline constexpr std::size_t kKeyX = 25;     ///< 5: x of X, or sqrt(7 delta(w(X))) for an invalid key
inline constexpr std::size_t kKeyW = 49;     ///< 5: w(X)
inline constexpr std::size_t kKeyRoot = 54;  ///< sqrt(7 norm(x of X))
inline constexpr std::size_t kKeyValid = 55;
inline constexpr std::size_t kCommitValid = 56;
inline constexpr std::size_t kEqual = 57;
inline constexpr std::size_t kResult = 58;
inline constexpr std::size_t kCanonical = 59;
}  // namespace schnorr_col4

namespace schnorr_detail {
struct FixedEntries;
/// Where a layout keeps the last row's key and R (columns or slots).
struct LastRowColumns {
  std::size_t key_x, key_w, key_valid, key_root, commit_w, commit_x, commit_valid;
  std::size_t equal, diff_inv, canonical, result, cmp_s, cmp_h, cmp_e;
};
inline constexpr LastRowColumns kLastRowV3{
    schnorr_col::kKeyX,      schnorr_col::kKeyW,    schnorr_col::kKeyValid, schnorr_col::kKeyRoot,
    schnorr_col::kCommitW,   schnorr_col::kCommitX, schnorr_col::kCommitValid, schnorr_col::kEqual,
    schnorr_col::kDiffInv,   schnorr_col::kCanonical, schnorr_col::kResult, schnorr_col::kCmpS,
    schnorr_col::kCmpH,      schnorr_col::kCmpE};
inline constexpr LastRowColumns kLastRowV4{
    schnorr_col4::kKeyX,     schnorr_col4::kKeyW,    schnorr_col4::kKeyValid, schnorr_col4::kKeyRoot,
    schnorr_col4::kCommitW,  schnorr_col4::kCommitX, schnorr_col4::kCommitValid, schnorr_col4::kEqual,
    schnorr_col4::kDiffInv,  schnorr_col4::kCanonical, schnorr_col4::kResult, schnorr_col4::kCmpS,
    schnorr_col4::kCmpH,     schnorr_col4::kCmpE};
}  // namespace schnorr_detail

class SchnorrAir : public stark::TypedAir<SchnorrAir> {
 public:
  /// A segment: one row per bit of the 256-bit scalars s_lo, e and s_hi, no idle row; the
  /// period of the structure columns.
  static constexpr std::size_t kRowsPerSignature = 256;
  static constexpr std::size_t kLimbBitsS = 32;  ///< s is exposed as ten 32-bit limbs (8 + 2)
  static constexpr std::size_t kLimbBitsE = 64;  ///< e as its 4 digest elements

  /// Layout v2: each claim's `challenge` is the public e.
  explicit SchnorrAir(std::vector<SignatureClaim> claims);
  /// Layout v3: each claim's e is the RPO digest of its challenge input under `domain`. (v4 is
  /// SchnorrAirV4.)
  SchnorrAir(const ecgfp5::SigningDomain& domain, std::vector<SignatureClaim> claims);

  /// The honest trace, for any witness (a key that decodes to no non-neutral group element is
  /// proven so, with result 0). The result bits are the true ones, whatever the claims say.
  /// Segments are independent: `threads` build them side by side. Layout v3 needs the domain
  /// for its padding segments' challenge input.
  static Result<stark::Trace> build_trace(std::span<const SignatureWitness> witnesses, unsigned threads = 1);
  static Result<stark::Trace> build_trace(std::span<const SignatureWitness> witnesses,
                                          const ecgfp5::SigningDomain& domain, unsigned threads = 1,
                                          SchnorrLayout layout = SchnorrLayout::v3);
  /// Rows for `signatures` signatures: 256 each, padded to a power of two (at least one
  /// segment). The padding segments hold the run of the all-zero claim (the key w = 0, which
  /// encodes no key, e = s = 0, w(R) = 0, result 0), so the verifier skips them.
  static std::size_t trace_length_for(std::size_t signatures);

  std::string id() const override;
  std::size_t trace_width() const override { return width_of(layout_); }
  static std::size_t width_of(SchnorrLayout layout);
  SchnorrLayout layout() const { return layout_; }
  std::size_t trace_length() const override { return trace_length_for(claims_.size()); }
  Bytes public_inputs() const override;
  std::vector<unsigned> transition_degrees() const override;
  std::vector<std::vector<Felt>> periodic_columns() const override;
  /// 256 for the structure columns, the trace length for the public ones (without building
  /// them: the verifier asks for the periods only).
  std::vector<std::size_t> periodic_periods() const override;
  /// The structure columns (period 256) at z^(n/512) from their cached coefficients, and the
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

  /// The head (stark::Air::head_constraints): the 40 of the double-and-add step (degree 7; v4:
  /// its 30 normalisations, degree 8) and the 11 decoding checks of degree 6 and 7 (the key's
  /// non-square root, an undecodable key or commitment), and v3's and v4's sponge rounds (degree
  /// 8); every other constraint has degree 5 or less. None for a trace of one segment, where the
  /// structure columns the head reads are as long as the trace.
  std::vector<std::size_t> head_constraints() const override;
  template <class F>
  [[gnu::always_inline]] inline void evaluate_head(std::span<const F> cur, std::span<const F> next,
                                                   std::span<const F> periodic,
                                                   std::span<F> out) const;

 private:
  friend class SchnorrAirV4;
  struct V4 {};
  SchnorrAir(V4, const ecgfp5::SigningDomain& domain, std::vector<SignatureClaim> claims);

  template <class F>
  [[gnu::always_inline]] inline void evaluate_head_v4(std::span<const F> cur, std::span<const F> next,
                                                      std::span<const F> periodic, std::span<F> out) const;
  template <class F>
  [[gnu::always_inline]] inline void evaluate_v4(std::span<const F> cur, std::span<const F> next,
                                                 std::span<const F> periodic, std::span<F> out) const;
  // v4's head groups: doubling[10], mid[10], addition[10].
  template <class F>
  [[gnu::always_inline]] inline void ladder_step_v4(std::span<const F> cur, std::span<const F> next,
                                                    const F& step, F* out) const;
  // The constraints v3 and v4 share over their own columns: the scalars' limbs and comparisons
  // (6, from `limbs`: acc_s, cmp_s, acc_h, cmp_h, acc_e, cmp_e), their start on row 0 (6), and
  // the sponge (28: rounds, chunks, starts, digest).
  template <class F>
  [[gnu::always_inline]] inline void limb_steps(std::span<const F> cur, std::span<const F> next,
                                                std::span<const F> periodic, std::size_t limbs,
                                                std::size_t bits, F* out) const;
  template <class F>
  [[gnu::always_inline]] inline void limb_starts(std::span<const F> cur, std::span<const F> periodic,
                                                 std::size_t limbs, std::size_t bits, F* out) const;
  template <class F>
  [[gnu::always_inline]] inline void sponge(std::span<const F> cur, std::span<const F> next,
                                            std::span<const F> periodic, std::size_t hash_col,
                                            std::size_t digest_col, F* out) const;
  // The head's two groups, written where `out` says: doubling[20], addition[20]; and
  // key_non_square[1], key_invalid[5], commit_invalid[5] (evaluate's order is the same).
  template <class F>
  [[gnu::always_inline]] inline void ladder_step(std::span<const F> cur, std::span<const F> next,
                                                 const F& step, F* doubling, F* addition) const;
  template <class F>
  [[gnu::always_inline]] inline void decoding_checks(std::span<const F> fin,
                                                     const schnorr_detail::LastRowColumns& columns,
                                                     const F& last, F* key_non_square, F* key_invalid,
                                                     F* commit_invalid) const;
  // v3: the state columns' RPO rounds, and the capacity carried between the challenge's
  // permutations, 12 values.
  template <class F>
  [[gnu::always_inline]] inline void hash_rounds(std::span<const F> cur, std::span<const F> next,
                                                 std::span<const F> periodic, std::size_t hash_col,
                                                 F* out) const;

  std::vector<SignatureClaim> claims_;
  const schnorr_detail::FixedEntries* fixed_;  ///< schnorr_detail::fixed_entries(), at hand
  SchnorrLayout layout_ = SchnorrLayout::v2;
  ecgfp5::SigningDomain domain_{};            ///< v3
  std::array<Felt, 4> start_capacity_{};      ///< v3: ChallengeInput::capacity under domain_
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
inline constexpr std::uint64_t kGeneratorW = 4;  ///< G = (x_G : 1 : 1 : 4), encoded by w = 4

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

/// The table's fixed entries: G = (g_x : 1 : 1 : 4) (the element encoded by w = 4; g_u = 1/4
/// normalises it), and G' = 2^split G and G + G', normalised to (x : 1 : u : 1). v2 and v3 split
/// s at bit 256, v4 at bit 255.
struct FixedEntries {
  E5<Felt> g_x, g_u, high_x, high_u, both_x, both_u;
};
const FixedEntries& fixed_entries(unsigned split = 256);

/// The sum of (x1 : 1 : u1 : 1) and (x2 : 1 : u2 : 1): point_add with Z = T = 1 folded in.
template <class F>
[[gnu::always_inline]] inline Pt<F> point_add_normalised(const E5<F>& x1, const E5<F>& u1,
                                                         const E5<F>& x2, const E5<F>& u2) {
  const E5<F> t1 = mul(x1, x2), t3 = mul(u1, u2);
  const E5<F> t5 = add(x1, x2), t6 = add(u1, u2);
  const F zero = F(Felt());
  const E5<F> b{zero, F(Felt(kBOverZ)), zero, zero, zero};
  const E5<F> t7 = add(t1, b);  // t8 = t4 t7 = t7
  const E5<F> t9 = mul(t3, add(twice(mul_b(t5)), twice(t7)));
  const E5<F> t10 = mul(plus_base(twice(t3), F(Felt::one())), add(t5, t7));
  return {mul_b(sub(t10, t7)), sub(t7, t9), mul(t6, sub(b, t1)), add(t7, t9)};
}

/// The double of (x : 1 : u : 1): point_double with Z = T = 1 folded in.
template <class F>
[[gnu::always_inline]] inline Pt<F> point_double_normalised(const E5<F>& x, const E5<F>& u) {
  const F zero = F(Felt());
  const E5<F> one{F(Felt::one()), zero, zero, zero, zero}, two{F(Felt(2)), zero, zero, zero, zero};
  const E5<F> u2 = square(u);
  const E5<F> w1 = sub(one, mul(twice(plus_base(x, F(Felt::one()))), u2));
  const E5<F> z = square(w1);
  const E5<F> four_u2 = twice(twice(u2));
  return {mul_b(four_u2), z, twice(mul(w1, u)), sub(sub(two, four_u2), z)};
}

/// x Z = X and u T = U: (x : 1 : u : 1) is the point (X : Z : U : T), whose Z and T are never
/// zero for a group element. 10 values.
template <class F>
[[gnu::always_inline]] inline void normalisation(const E5<F>& x, const E5<F>& u, const Pt<F>& p,
                                                 const F& gate, F* out) {
  const E5<F> x_eq = sub(mul(x, p.z), p.x), u_eq = sub(mul(u, p.t), p.u);
  for (std::size_t i = 0; i < 5; ++i) {
    out[i] = gate * x_eq[i];
    out[5 + i] = gate * u_eq[i];
  }
}

/// v4's fixed entry bs G + bh G' as (x, u) (the neutral is (0, 0)): degree 2 in the bits.
template <class F>
[[gnu::always_inline]] inline void fixed_entry(const F& bs, const F& bh, const FixedEntries& fixed,
                                               E5<F>& x, E5<F>& u) {
  const F both = bs * bh;
  for (unsigned i = 0; i < 5; ++i) {
    x[i] = bs * fixed.g_x[i] + bh * fixed.high_x[i] + both * (fixed.both_x[i] - fixed.g_x[i] - fixed.high_x[i]);
    u[i] = bs * fixed.g_u[i] + bh * fixed.high_u[i] + both * (fixed.both_u[i] - fixed.g_u[i] - fixed.high_u[i]);
  }
}

/// The variable entries, read from a row: -X = (key_x : 1 : -1 : key_w) and the normalised
/// G - X, G' - X and G + G' - X, each (x : 1 : u : 1).
template <class F>
struct Table {
  E5<F> key_x, key_w, diff_x, diff_u, high_x, high_u, both_x, both_u;
};

/// The bits of one row: s_lo's, e's, s_hi's and their products (columns, so that each entry's
/// indicator is linear in them).
template <class F>
struct Bits {
  F s, e, h, se, sh, eh, seh;
};

/// The entry bs G + bh G' - be X, with all Z = 1:
///   N = (0 : 1 : 0 : 1), G, G', G + G', -X, G - X, G' - X, G + G' - X,
/// each multiplied by the product of its bits, expanded to be linear in the bit columns.
/// Degree 2 in the columns.
template <class F>
[[gnu::always_inline]] inline Pt<F> select_entry(const Bits<F>& b, const Table<F>& table,
                                                 const FixedEntries& fixed) {
  const F only_g = b.s - b.se - b.sh + b.seh;     // G
  const F only_high = b.h - b.sh - b.eh + b.seh;  // G'
  const F g_high = b.sh - b.seh;                  // G + G'
  const F only_x = b.e - b.se - b.eh + b.seh;     // -X
  const F g_x = b.se - b.seh;                     // G - X
  const F high_x = b.eh - b.seh;                  // G' - X
  const F all = b.seh;                            // G + G' - X
  E5<F> x, u, t;
  for (unsigned i = 0; i < 5; ++i) {
    x[i] = only_g * fixed.g_x[i] + only_high * fixed.high_x[i] + g_high * fixed.both_x[i] +
           only_x * table.key_x[i] + g_x * table.diff_x[i] + high_x * table.high_x[i] +
           all * table.both_x[i];
    u[i] = only_high * fixed.high_u[i] + g_high * fixed.both_u[i] + g_x * table.diff_u[i] +
           high_x * table.high_u[i] + all * table.both_u[i];
    t[i] = only_x * table.key_w[i];
  }
  const F one = F(Felt::one());
  u[0] = u[0] + only_g - only_x;
  // The indicators sum to 1: every entry but -X has T = 1, G's T is 4.
  t[0] = t[0] + one - only_x + only_g * Felt(3);
  const F zero = F(Felt());
  return {x, {one, zero, zero, zero, zero}, u, t};
}

template <class F>
[[gnu::always_inline]] inline E5<F> load5(std::span<const F> row, std::size_t c) {
  return {row[c], row[c + 1], row[c + 2], row[c + 3], row[c + 4]};
}
template <class F>
[[gnu::always_inline]] inline Pt<F> load_point(std::span<const F> row, std::size_t c) {
  return {load5(row, c), load5(row, c + 5), load5(row, c + 10), load5(row, c + 15)};
}

template <class F>
[[gnu::always_inline]] inline Table<F> load_table(std::span<const F> row) {
  namespace c = schnorr_col;
  return {load5(row, c::kKeyX),     load5(row, c::kKeyW),     load5(row, c::kDiffX),
          load5(row, c::kDiffU),    load5(row, c::kHighDiffX), load5(row, c::kHighDiffU),
          load5(row, c::kBothDiffX), load5(row, c::kBothDiffU)};
}
template <class F>
[[gnu::always_inline]] inline Bits<F> load_bits(std::span<const F> row) {
  namespace c = schnorr_col;
  return {row[c::kBitS],  row[c::kBitE],  row[c::kBitH],  row[c::kBitSE],
          row[c::kBitSH], row[c::kBitEH], row[c::kBitSEH]};
}

/// What a run's last row says about the key and R, for the decoding checks.
template <class F>
struct LastRow {
  E5<F> key_x, key_w;
  F key_valid, key_root;
  E5<F> commit_w, commit_x;
  F commit_valid;
};

/// A valid key's x is not a square (key_root^2 = 7 N(x): the non-square root, the group's
/// element); an invalid key's x, and an invalid R's, is a root of 7 delta(w), which exists
/// exactly when w has no decoding. 11 values, of degree 6 and 7 with their gates.
template <class F>
[[gnu::always_inline]] inline void decoding_checks(const LastRow<F>& fin, const F& last, F* key_non_square,
                                                   F* key_invalid, F* commit_invalid) {
  const F last_key_valid = last * fin.key_valid, last_key_invalid = last - last_key_valid;
  const F seven = F(Felt(kNonSquare));
  *key_non_square = last_key_valid * (fin.key_root * fin.key_root - seven * norm(fin.key_x));
  const E5<F> key_invalid_eq = sub(square(fin.key_x), scale(discriminant(fin.key_w), seven));
  for (std::size_t i = 0; i < 5; ++i) key_invalid[i] = last_key_invalid * key_invalid_eq[i];
  const F last_invalid = last - last * fin.commit_valid;
  const E5<F> invalid_eq = sub(square(fin.commit_x), scale(discriminant(fin.commit_w), seven));
  for (std::size_t i = 0; i < 5; ++i) commit_invalid[i] = last_invalid * invalid_eq[i];
}

/// The last row's checks of R and of the result, the same in both layouts given `diff`, which is
/// zero exactly when the accumulator is R (v3: U w(R) - T; v4: u w(R) - 1). 25 values from
/// kValidBit, in both layouts' order: R's valid bit, its decoding (5), five left to
/// decoding_checks (R's invalidity), the equal bit, equal (5), unequal (5), canonical (s < n),
/// the result, and e's last limb below p.
template <class F>
[[gnu::always_inline]] inline void result_checks(std::span<const F> fin, const LastRowColumns& c,
                                                 const E5<F>& diff, const F& last,
                                                 const F& before_end_e, F* out) {
  const F one = F(Felt::one()), zero = F(Felt());
  const E5<F> unit{one, zero, zero, zero, zero};
  const F valid = fin[c.commit_valid];
  out[0] = last * (valid * valid - valid);
  const E5<F> commit_eq = decoding_equation(load5(fin, c.commit_x), load5(fin, c.commit_w));
  const F last_valid = last * valid;
  // A root exists iff w(R) encodes a non-neutral group element; unlike the key's x, R's x is
  // never used, so the root need not be the non-square one.
  for (std::size_t i = 0; i < 5; ++i) out[1 + i] = last_valid * commit_eq[i];
  const F equal = fin[c.equal];
  out[11] = last * (equal * equal - equal);
  const E5<F> diff_times_inv = mul(diff, load5(fin, c.diff_inv));
  const F last_equal = last * equal, last_unequal = last - last_equal;
  for (std::size_t i = 0; i < 5; ++i) {
    out[12 + i] = last_equal * diff[i];
    out[17 + i] = last_unequal * (diff_times_inv[i] - unit[i]);
  }
  // s < n iff its high part is below n's, or equal to it with its low part below n's. For cmp in
  // {-1, 0, 1}, cmp (cmp + 1) / 2 is [cmp = 1] and 1 - cmp^2 is [cmp = 0].
  const F half = F(Felt((Felt::kModulus + 1) / 2));
  const F cmp_s = fin[c.cmp_s], cmp_h = fin[c.cmp_h];
  const F canonical = fin[c.canonical];
  out[22] = last * (canonical - (cmp_h * (cmp_h + one) * half + (one - cmp_h * cmp_h) * cmp_s * (cmp_s + one) * half));
  out[23] = last * (fin[c.result] - fin[c.key_valid] * valid * equal * canonical);
  out[24] = before_end_e * (fin[c.cmp_e] - one);
}

}  // namespace schnorr_detail

/// Periodic columns: first the structure of a segment, period 256 (the same for every segment,
/// padding segments included), then the public values, as long as the trace, each on the rows
/// it pins (zero on padding segments).
namespace schnorr_periodic {
inline constexpr std::size_t kStep = 0;        ///< rows 0..254: the next row continues the run
inline constexpr std::size_t kFirst = 1;       ///< row 0
/// Row 254: the next row is the run's last. The run's final checks are made here on the next
/// row's values: the STARK enforces no constraint on the trace's last row (n - 1), which is
/// the last segment's row 255.
inline constexpr std::size_t kBeforeLast = 2;
inline constexpr std::size_t kOrderBit = 3;    ///< bit of n mod 2^256 at the next row's position
inline constexpr std::size_t kOrderHighBit = 4;  ///< bit of n >> 256 at the next row's position
inline constexpr std::size_t kModulusBit = 5;  ///< bit of p at the next row's position in e's limb
inline constexpr std::size_t kResetE = 6;      ///< the next row starts a 64-bit limb of e
inline constexpr std::size_t kResetS = 7;      ///< the next row starts a 32-bit limb of s_lo, s_hi
inline constexpr std::size_t kBeforeLimbEndE = 8;  ///< the next row ends a 64-bit limb of e
inline constexpr std::size_t kBeforeLimbEndS = 9;  ///< the next row ends a 32-bit limb of s
inline constexpr std::size_t kStructure = 10;
inline constexpr std::size_t kPublicW = 10;  ///< 5: w(X) on row 0, w(R) on row 254 (row 255's)
inline constexpr std::size_t kPublicE = 15;  ///< e's limb on the row before the one that ends it
inline constexpr std::size_t kPublicS = 16;  ///< s_lo's limb likewise
inline constexpr std::size_t kPublicH = 17;  ///< s_hi's limb likewise (0 above its 64 bits)
inline constexpr std::size_t kPublicResult = 18;  ///< the result bit on row 254 (row 255's)
inline constexpr std::size_t kCount = 19;
// Layout v3's columns follow v2's (v3 leaves kPublicE zero: e is the digest). Structure, period
// 256, for the challenge's sponge and the two key ids:
inline constexpr std::size_t kHashRound = 19;   ///< rows 8k + r (k < 7, r < 7): the next row is a round on
inline constexpr std::size_t kHashAbsorb = 20;  ///< rows 7, 15, 23, 31: the next row keeps the capacity
inline constexpr std::size_t kDigestLoad = 21;  ///< row 39: the next row's digest columns take the output
inline constexpr std::size_t kDigestHold = 22;  ///< rows 40..253: the next row keeps the digest
inline constexpr std::size_t kHashChunk = 23;   ///< rows 0, 8, ..., 48: the rate is a pinned chunk
inline constexpr std::size_t kKeyIdStart = 24;  ///< rows 40, 48: a key id's capacity (5, 0, 0, 0)
inline constexpr std::size_t kKeyIdEnd = 25;    ///< rows 47, 55: the rate's first four are a pinned key id
/// 4: kDigestLimb + k on row 254 - 64 k, the row before the one that ends e's limb k, which
/// must equal the digest's element k.
inline constexpr std::size_t kDigestLimb = 26;
inline constexpr std::size_t kStructureV3End = 30;
inline constexpr std::size_t kArk1 = 30;  ///< 12, period 8: round r's first constants on row 8k + r
inline constexpr std::size_t kArk2 = 42;  ///< 12, period 8: its second ones
/// 8, public: chunk k + 1 of the challenge's input on row 8k (k < 5); on rows 40 and 48 the key
/// ids' inputs (w(X), `to_key`, then zeros), on rows 47 and 55 the ids (the first four).
inline constexpr std::size_t kPublicChunk = 54;
inline constexpr std::size_t kCountV3 = 62;
/// Layout v4's, after v3's (v4 pins w(R) alone in kPublicW, on row 254): w(X) on row 254, whose
/// next row's slots hold it.
inline constexpr std::size_t kPublicKeyW = 62;
inline constexpr std::size_t kCountV4 = 67;
}  // namespace schnorr_periodic

/// Constraint order (docs/ecgfp5.md, "In the AIR", lists them in this order).
namespace schnorr_constraint {
inline constexpr std::size_t kCopy = 0;        ///< 40: the key's table is constant
inline constexpr std::size_t kDoubling = 40;   ///< 20: double = 2 acc
inline constexpr std::size_t kAddition = 60;   ///< 20: next acc = double + entry(next bits)
inline constexpr std::size_t kAccS = 80;
inline constexpr std::size_t kCmpS = 81;
inline constexpr std::size_t kAccH = 82;
inline constexpr std::size_t kCmpH = 83;
inline constexpr std::size_t kAccE = 84;
inline constexpr std::size_t kCmpE = 85;
inline constexpr std::size_t kBits = 86;       ///< 7: three bits boolean, then their products
inline constexpr std::size_t kLastBits = 93;   ///< 7: the same for row 255, from row 254
inline constexpr std::size_t kStart = 100;     ///< 20: acc on row 0 = entry(row 0's bits)
inline constexpr std::size_t kStartLimbs = 120;  ///< 6: acc and cmp columns on row 0
// From here to kPublicResult, the checks of row 255, made on row 254 (kBeforeLast).
inline constexpr std::size_t kKeyValidBit = 126;
inline constexpr std::size_t kKeyOnCurve = 127;  ///< 5: key valid => x on the curve for w(X)
inline constexpr std::size_t kKeyNonSquare = 132;  ///< key valid => x is not a square
inline constexpr std::size_t kKeyInvalid = 133;  ///< 5: key invalid => x^2 = 7 delta(w(X))
inline constexpr std::size_t kDiff = 138;       ///< 10: (xD, uD) normalise G + (-X)
inline constexpr std::size_t kHighDiff = 148;   ///< 10: G' + (-X)
inline constexpr std::size_t kBothDiff = 158;   ///< 10: (G + G') + (-X)
inline constexpr std::size_t kValidBit = 168;
inline constexpr std::size_t kCommitOnCurve = 169;  ///< 5: any root will do, only w(R) is used
inline constexpr std::size_t kCommitInvalid = 174;  ///< 5: x^2 = 7 delta
inline constexpr std::size_t kEqualBit = 179;
inline constexpr std::size_t kEqual = 180;     ///< 5: equal => U w(R) - T = 0
inline constexpr std::size_t kUnequal = 185;   ///< 5: unequal => (U w(R) - T) inv = 1
inline constexpr std::size_t kCanonical = 190;  ///< s < n from the two comparisons
inline constexpr std::size_t kResult = 191;
inline constexpr std::size_t kLimbE = 192;     ///< e's limbs below p
inline constexpr std::size_t kPublicW = 193;   ///< 5: w(X) and w(R) are the public ones
inline constexpr std::size_t kPublicE = 198;   ///< e's limbs are the public ones (v3: the digest)
inline constexpr std::size_t kPublicS = 199;   ///< s_lo's limbs are the public ones
inline constexpr std::size_t kPublicH = 200;   ///< s_hi's limbs are the public ones
inline constexpr std::size_t kPublicResult = 201;
inline constexpr std::size_t kCount = 202;
// Layout v3's, after v2's:
inline constexpr std::size_t kHashRound = 202;  ///< 12: a round of the state, or the capacity's copy
inline constexpr std::size_t kHashChunk = 214;  ///< 8: the rate is the pinned chunk, or key id
inline constexpr std::size_t kHashStart = 222;  ///< 4: row 0's capacity is the domain's, rows 40 and 48's a key id's
inline constexpr std::size_t kDigest = 226;     ///< 4: the digest columns take row 39's output and keep it
inline constexpr std::size_t kCountV3 = 230;
}  // namespace schnorr_constraint

/// Layout v4's constraint order (docs/ecgfp5.md lists them in this order).
namespace schnorr_constraint4 {
inline constexpr std::size_t kBaseCopy = 0;    ///< 10: -X is constant
inline constexpr std::size_t kDoubling = 10;   ///< 10: dbl normalises 2 acc
inline constexpr std::size_t kMid = 20;        ///< 10: mid normalises dbl + bs G + bh G' (next bits)
inline constexpr std::size_t kAddition = 30;   ///< 10: next acc normalises mid + be base (next bit)
inline constexpr std::size_t kLimbs = 40;      ///< 6: acc_s, cmp_s, acc_h, cmp_h, acc_e, cmp_e steps
inline constexpr std::size_t kBits = 46;       ///< 3: the bits are bits
inline constexpr std::size_t kLastBits = 49;   ///< 3: row 255's, from row 254
inline constexpr std::size_t kStart = 52;      ///< 10: acc on row 0 = be base (s_a's, s_b's bit 255 are 0)
inline constexpr std::size_t kStartLimbs = 62;  ///< 6
// From here to kPublicResult, the checks of row 255, made on row 254.
inline constexpr std::size_t kKeyValidBit = 68;
inline constexpr std::size_t kKeyOnCurve = 69;    ///< 5
inline constexpr std::size_t kKeyNonSquare = 74;
inline constexpr std::size_t kKeyInvalid = 75;    ///< 5
inline constexpr std::size_t kBaseIsKey = 80;     ///< 10: key valid => base = -X = (key_x, -1/w(X))
inline constexpr std::size_t kValidBit = 90;
inline constexpr std::size_t kCommitOnCurve = 91;  ///< 5
inline constexpr std::size_t kCommitInvalid = 96;  ///< 5
inline constexpr std::size_t kEqualBit = 101;
inline constexpr std::size_t kEqual = 102;     ///< 5: equal => u w(R) - 1 = 0
inline constexpr std::size_t kUnequal = 107;   ///< 5: unequal => (u w(R) - 1) inv = 1
inline constexpr std::size_t kCanonical = 112;
inline constexpr std::size_t kResult = 113;
inline constexpr std::size_t kLimbE = 114;
inline constexpr std::size_t kPublicKeyW = 115;  ///< 5: w(X) is the public one
inline constexpr std::size_t kPublicW = 120;     ///< 5: w(R) likewise
inline constexpr std::size_t kPublicE = 125;     ///< e's limbs are the digest
inline constexpr std::size_t kPublicS = 126;
inline constexpr std::size_t kPublicH = 127;
inline constexpr std::size_t kPublicResult = 128;
inline constexpr std::size_t kSponge = 129;    ///< 28: as v3's kHashRound .. kDigest
inline constexpr std::size_t kCount = 157;
}  // namespace schnorr_constraint4

// schnorr_detail::result_checks writes the same 25 in both layouts, from kValidBit.
static_assert(schnorr_constraint::kCommitOnCurve - schnorr_constraint::kValidBit == 1 &&
              schnorr_constraint::kCommitInvalid - schnorr_constraint::kValidBit == 6 &&
              schnorr_constraint::kEqualBit - schnorr_constraint::kValidBit == 11 &&
              schnorr_constraint::kEqual - schnorr_constraint::kValidBit == 12 &&
              schnorr_constraint::kUnequal - schnorr_constraint::kValidBit == 17 &&
              schnorr_constraint::kCanonical - schnorr_constraint::kValidBit == 22 &&
              schnorr_constraint::kResult - schnorr_constraint::kValidBit == 23 &&
              schnorr_constraint::kLimbE - schnorr_constraint::kValidBit == 24);
static_assert(schnorr_constraint4::kCommitOnCurve - schnorr_constraint4::kValidBit == 1 &&
              schnorr_constraint4::kCommitInvalid - schnorr_constraint4::kValidBit == 6 &&
              schnorr_constraint4::kEqualBit - schnorr_constraint4::kValidBit == 11 &&
              schnorr_constraint4::kEqual - schnorr_constraint4::kValidBit == 12 &&
              schnorr_constraint4::kUnequal - schnorr_constraint4::kValidBit == 17 &&
              schnorr_constraint4::kCanonical - schnorr_constraint4::kValidBit == 22 &&
              schnorr_constraint4::kResult - schnorr_constraint4::kValidBit == 23 &&
              schnorr_constraint4::kLimbE - schnorr_constraint4::kValidBit == 24);

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
  const F step = periodic[per::kStep];
  const F first = periodic[per::kFirst];

  // The key's table is constant along the segment.
  for (std::size_t i = 0; i < c::kTableColumns; ++i)
    out[k::kCopy + i] = step * (next[c::kKeyX + i] - cur[c::kKeyX + i]);

  const Table<F> table = load_table(cur);
  ladder_step<F>(cur, next, step, &out[k::kDoubling], &out[k::kAddition]);
  const Pt<F> acc = load_point(cur, c::kAcc);

  limb_steps<F>(cur, next, periodic, c::kAccS, c::kBitS, &out[k::kAccS]);

  // The bits are bits, and their products the products, on every row: row 255 through row 254,
  // as row n - 1 of the trace is checked by nothing.
  const F last = periodic[per::kBeforeLast];  // selects the checks of the run's last row
  const Bits<F> bits = load_bits(cur), last_bits = load_bits(next);
  auto bit_constraints = [&](std::size_t at, const Bits<F>& b, const F& gate) {
    out[at] = gate * (b.s * b.s - b.s);
    out[at + 1] = gate * (b.e * b.e - b.e);
    out[at + 2] = gate * (b.h * b.h - b.h);
    out[at + 3] = gate * (b.se - b.s * b.e);
    out[at + 4] = gate * (b.sh - b.s * b.h);
    out[at + 5] = gate * (b.eh - b.e * b.h);
    out[at + 6] = gate * (b.seh - b.se * b.h);
  };
  bit_constraints(k::kBits, bits, one);
  bit_constraints(k::kLastBits, last_bits, last);

  // Row 0: the run starts from the neutral, so acc is the entry of row 0's bits; the limbs
  // start at the top bits (bit 255 of n mod 2^256 and of n >> 256 is 0, p's bit 63 is 1).
  const Pt<F> start = select_entry(bits, table, *fixed_);
  const E5<F>* acc_parts[4] = {&acc.x, &acc.z, &acc.u, &acc.t};
  const E5<F>* start_parts[4] = {&start.x, &start.z, &start.u, &start.t};
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t i = 0; i < 5; ++i)
      out[k::kStart + 5 * p + i] = first * ((*acc_parts[p])[i] - (*start_parts[p])[i]);
  limb_starts<F>(cur, periodic, c::kAccS, c::kBitS, &out[k::kStartLimbs]);

  // Row 255, read from row 254: the key decodes (x on the curve and not a square), the table's
  // sums with -X are normalised right, R decodes or provably does not, and acc equals R or
  // provably differs.
  const std::span<const F> fin = next;  // row 255 when last = 1
  const Table<F> fin_table = load_table(fin);
  // key_valid = 1: x is the group element's root (on the curve for w, and not a square);
  // key_valid = 0: x is a root of 7 delta(w), a square exactly when w has no decoding.
  const F key_valid = fin[c::kKeyValid];
  out[k::kKeyValidBit] = last * (key_valid * key_valid - key_valid);
  const F last_key_valid = last * key_valid;
  const E5<F> key_eq = decoding_equation(fin_table.key_x, fin_table.key_w);
  for (std::size_t i = 0; i < 5; ++i) out[k::kKeyOnCurve + i] = last_key_valid * key_eq[i];
  decoding_checks<F>(fin, kLastRowV3, last, &out[k::kKeyNonSquare], &out[k::kKeyInvalid], &out[k::kCommitInvalid]);

  const F zero = F(Felt());
  const E5<F> unit{one, zero, zero, zero, zero};
  const E5<F> minus_unit{-one, zero, zero, zero, zero};
  const Pt<F> minus_x{fin_table.key_x, unit, minus_unit, fin_table.key_w};
  // (x : 1 : u : 1) normalises (X' : Z' : U' : T') iff x Z' = X' and u T' = U'.
  auto normalised = [&](std::size_t constraint, const Pt<F>& fixed_entry, const E5<F>& x,
                        const E5<F>& u) {
    const Pt<F> s = point_add(fixed_entry, minus_x);
    const E5<F> x_eq = sub(mul(x, s.z), s.x), u_eq = sub(mul(u, s.t), s.u);
    for (std::size_t i = 0; i < 5; ++i) {
      out[constraint + i] = last_key_valid * x_eq[i];
      out[constraint + 5 + i] = last_key_valid * u_eq[i];
    }
  };
  auto lift = [](const E5<Felt>& v) { return E5<F>{F(v[0]), F(v[1]), F(v[2]), F(v[3]), F(v[4])}; };
  const E5<F> four{F(Felt(kGeneratorW)), zero, zero, zero, zero};
  normalised(k::kDiff, Pt<F>{lift(fixed_->g_x), unit, unit, four}, fin_table.diff_x,
             fin_table.diff_u);
  normalised(k::kHighDiff, Pt<F>{lift(fixed_->high_x), unit, lift(fixed_->high_u), unit},
             fin_table.high_x, fin_table.high_u);
  normalised(k::kBothDiff, Pt<F>{lift(fixed_->both_x), unit, lift(fixed_->both_u), unit},
             fin_table.both_x, fin_table.both_u);

  const E5<F> commit_w = load5(fin, c::kCommitW);
  const Pt<F> fin_acc = load_point(fin, c::kAcc);
  const F before_end_e = periodic[per::kBeforeLimbEndE];
  const F before_end_s = periodic[per::kBeforeLimbEndS];
  result_checks<F>(fin, kLastRowV3, sub(mul(fin_acc.u, commit_w), fin_acc.t), last, before_end_e, &out[k::kValidBit]);

  // The public values, as boundary constraints carried by periodic columns (the selectors of
  // each are disjoint from its other rows, where the public column is zero). Those of row 0 are
  // read there, the others from the row before theirs (no row of a run is the trace's row 0
  // but a first one, and its last row may be the trace's row n - 1).
  for (std::size_t i = 0; i < 5; ++i)
    out[k::kPublicW + i] =
        first * cur[c::kKeyW + i] + last * fin[c::kCommitW + i] - periodic[per::kPublicW + i];
  if (layout_ == SchnorrLayout::v2) {
    out[k::kPublicE] = before_end_e * next[c::kAccE] - periodic[per::kPublicE];
  } else {
    // e's limb k is the digest's element k, held in the digest columns to row 254.
    F binding = F(Felt());
    for (std::size_t i = 0; i < 4; ++i)
      binding = binding + periodic[per::kDigestLimb + i] * (next[c::kAccE] - cur[c::kDigest + i]);
    out[k::kPublicE] = binding;
  }
  out[k::kPublicS] = before_end_s * next[c::kAccS] - periodic[per::kPublicS];
  out[k::kPublicH] = before_end_s * next[c::kAccH] - periodic[per::kPublicH];
  out[k::kPublicResult] = last * fin[c::kResult] - periodic[per::kPublicResult];
  if (layout_ == SchnorrLayout::v2) return;

  sponge<F>(cur, next, periodic, c::kHash, c::kDigest, &out[k::kHashRound]);
}

template <class F>
void SchnorrAir::evaluate_v4(std::span<const F> cur, std::span<const F> next,
                             std::span<const F> periodic, std::span<F> out) const {
  using namespace schnorr_detail;
  namespace c = schnorr_col4;
  namespace k = schnorr_constraint4;
  namespace per = schnorr_periodic;
  const F one = F(Felt::one()), zero = F(Felt());
  const F step = periodic[per::kStep], first = periodic[per::kFirst];

  for (std::size_t i = 0; i < 10; ++i) out[k::kBaseCopy + i] = step * (next[c::kBaseX + i] - cur[c::kBaseX + i]);
  ladder_step_v4<F>(cur, next, step, &out[k::kDoubling]);
  limb_steps<F>(cur, next, periodic, c::kAccS, c::kBitS, &out[k::kLimbs]);

  // The bits are bits on every row: row 255 through row 254, as row n - 1 of the trace is
  // checked by nothing.
  const F last = periodic[per::kBeforeLast];  // selects the checks of the run's last row
  for (std::size_t i = 0; i < 3; ++i) {
    const F b = cur[c::kBitS + i], b_last = next[c::kBitS + i];
    out[k::kBits + i] = b * b - b;
    out[k::kLastBits + i] = last * (b_last * b_last - b_last);
  }

  // Row 0: the run starts at be (-X): the bits of s_a and s_b at 255 are zero (their top limbs
  // are pinned below 2^31 and to 0), so no fixed entry is added there.
  const F be = cur[c::kBitE];
  for (std::size_t i = 0; i < 10; ++i) out[k::kStart + i] = first * (cur[c::kAccX + i] - be * cur[c::kBaseX + i]);
  limb_starts<F>(cur, periodic, c::kAccS, c::kBitS, &out[k::kStartLimbs]);

  // Row 255, read from row 254: the key decodes or provably does not, the base is -X for a valid
  // key, R decodes or provably does not, and acc equals R or provably differs.
  const std::span<const F> fin = next;  // row 255 when last = 1
  const E5<F> key_x = load5(fin, c::kKeyX), key_w = load5(fin, c::kKeyW);
  const F key_valid = fin[c::kKeyValid];
  out[k::kKeyValidBit] = last * (key_valid * key_valid - key_valid);
  const F last_key_valid = last * key_valid;
  const E5<F> key_eq = decoding_equation(key_x, key_w);
  for (std::size_t i = 0; i < 5; ++i) out[k::kKeyOnCurve + i] = last_key_valid * key_eq[i];
  decoding_checks<F>(fin, kLastRowV4, last, &out[k::kKeyNonSquare], &out[k::kKeyInvalid], &out[k::kCommitInvalid]);
  // -X = (x : 1 : -1 : w(X)) = (x : 1 : -1/w(X) : 1).
  const E5<F> base_u_w = mul(load5(fin, c::kBaseU), key_w);
  for (std::size_t i = 0; i < 5; ++i) {
    out[k::kBaseIsKey + i] = last_key_valid * (fin[c::kBaseX + i] - key_x[i]);
    out[k::kBaseIsKey + 5 + i] = last_key_valid * (i == 0 ? base_u_w[i] + one : base_u_w[i]);
  }

  // acc = (x : 1 : u : 1) is R, of w(R) = 1 / u(R), iff u w(R) = 1.
  const E5<F> commit_w = load5(fin, c::kCommitW);
  const F before_end_e = periodic[per::kBeforeLimbEndE];
  const F before_end_s = periodic[per::kBeforeLimbEndS];
  result_checks<F>(fin, kLastRowV4, plus_base(mul(load5(fin, c::kAccU), commit_w), F(-Felt::one())), last,
                   before_end_e, &out[k::kValidBit]);

  // The public values (see evaluate), all but the sponge's read from the row before theirs.
  for (std::size_t i = 0; i < 5; ++i) {
    out[k::kPublicKeyW + i] = last * key_w[i] - periodic[per::kPublicKeyW + i];
    out[k::kPublicW + i] = last * commit_w[i] - periodic[per::kPublicW + i];
  }
  F binding = zero;
  for (std::size_t i = 0; i < 4; ++i)
    binding = binding + periodic[per::kDigestLimb + i] * (next[c::kAccE] - cur[c::kDigest + i]);
  out[k::kPublicE] = binding;
  out[k::kPublicS] = before_end_s * next[c::kAccS] - periodic[per::kPublicS];
  out[k::kPublicH] = before_end_s * next[c::kAccH] - periodic[per::kPublicH];
  out[k::kPublicResult] = last * fin[c::kResult] - periodic[per::kPublicResult];
  sponge<F>(cur, next, periodic, c::kHash, c::kDigest, &out[k::kSponge]);
}

template <class F>
void SchnorrAir::ladder_step_v4(std::span<const F> cur, std::span<const F> next, const F& step,
                                F* out) const {
  using namespace schnorr_detail;
  namespace c = schnorr_col4;
  // dbl = 2 acc; mid = dbl + bs G + bh G'; next acc = mid + be (-X), with the next row's bits.
  const E5<F> dbl_x = load5(cur, c::kDblX), dbl_u = load5(cur, c::kDblU);
  const E5<F> mid_x = load5(cur, c::kMidX), mid_u = load5(cur, c::kMidU);
  normalisation(dbl_x, dbl_u, point_double_normalised(load5(cur, c::kAccX), load5(cur, c::kAccU)), step, out);
  E5<F> fixed_x, fixed_u;
  fixed_entry(next[c::kBitS], next[c::kBitH], *fixed_, fixed_x, fixed_u);
  normalisation(mid_x, mid_u, point_add_normalised(dbl_x, dbl_u, fixed_x, fixed_u), step, out + 10);
  const F be = next[c::kBitE];
  const E5<F> key_x = scale(load5(cur, c::kBaseX), be), key_u = scale(load5(cur, c::kBaseU), be);
  normalisation(load5(next, c::kAccX), load5(next, c::kAccU), point_add_normalised(mid_x, mid_u, key_x, key_u),
                step, out + 20);
}

template <class F>
void SchnorrAir::hash_rounds(std::span<const F> cur, std::span<const F> next,
                             std::span<const F> periodic, std::size_t hash_col, F* out) const {
  namespace per = schnorr_periodic;
  constexpr std::size_t W = hash::kStateWidth;
  std::array<F, W> image;
  stark::rpo_round::image(&cur[hash_col], &periodic[per::kArk1], &periodic[per::kArk2], image);
  const F round = periodic[per::kHashRound], absorb = periodic[per::kHashAbsorb];
  for (std::size_t i = 0; i < W; ++i) {
    out[i] = round * (stark::rpo_round::pow7(next[hash_col + i]) - image[i]);
    if (i < hash::kCapacity) out[i] = out[i] + absorb * (next[hash_col + i] - cur[hash_col + i]);
  }
}

template <class F>
void SchnorrAir::sponge(std::span<const F> cur, std::span<const F> next, std::span<const F> periodic,
                        std::size_t hash_col, std::size_t digest_col, F* out) const {
  namespace per = schnorr_periodic;
  // The challenge's sponge and the key ids: rounds and copies, the pinned chunks and ids, the
  // capacities they start from; the digest carried to e's limbs.
  hash_rounds<F>(cur, next, periodic, hash_col, out);
  out += hash::kStateWidth;
  const F chunk_row = periodic[per::kHashChunk], id_row = periodic[per::kKeyIdEnd];
  for (std::size_t i = 0; i < hash::kRate; ++i) {
    const F pinned = i < 4 ? chunk_row + id_row : chunk_row;
    out[i] = pinned * cur[hash_col + hash::kRateStart + i] - periodic[per::kPublicChunk + i];
  }
  out += hash::kRate;
  const F first = periodic[per::kFirst], key_id_start = periodic[per::kKeyIdStart];
  for (std::size_t i = 0; i < hash::kCapacity; ++i) {
    // A key id hashes five elements: the sponge's capacity starts at (5, 0, 0, 0).
    const F key_id_capacity = i == 0 ? cur[hash_col] - F(Felt(5)) : cur[hash_col + i];
    out[i] = first * (cur[hash_col + i] - F(start_capacity_[i])) + key_id_start * key_id_capacity;
  }
  out += hash::kCapacity;
  const F load = periodic[per::kDigestLoad], hold = periodic[per::kDigestHold];
  for (std::size_t i = 0; i < 4; ++i)
    out[i] = load * (next[digest_col + i] - cur[hash_col + hash::kRateStart + i]) +
             hold * (next[digest_col + i] - cur[digest_col + i]);
}

template <class F>
void SchnorrAir::limb_steps(std::span<const F> cur, std::span<const F> next, std::span<const F> periodic,
                            std::size_t limbs, std::size_t bits, F* out) const {
  namespace per = schnorr_periodic;
  // The scalars' limbs, accumulated from their top bit (a limb-end row resets the next one), and
  // their comparisons with n's halves and p: cmp' = cmp + (1 - cmp^2)(bound bit - bit) keeps
  // the first difference (cmp is in {-1, 0, 1}). Columns from `limbs`: acc_s, cmp_s, acc_h,
  // cmp_h, acc_e, cmp_e; from `bits`: s, e, h.
  const F one = F(Felt::one()), two = F(Felt(2));
  const F step = periodic[per::kStep];
  const F reset_s = periodic[per::kResetS], reset_e = periodic[per::kResetE];
  const F bs_next = next[bits], be_next = next[bits + 1], bh_next = next[bits + 2];
  out[0] = step * (next[limbs] - ((one - reset_s) * two * cur[limbs] + bs_next));
  const F cmp_s = cur[limbs + 1];
  out[1] = step * (next[limbs + 1] - cmp_s - (one - cmp_s * cmp_s) * (periodic[per::kOrderBit] - bs_next));
  out[2] = step * (next[limbs + 2] - ((one - reset_s) * two * cur[limbs + 2] + bh_next));
  const F cmp_h = cur[limbs + 3];
  out[3] = step * (next[limbs + 3] - cmp_h -
                   (one - cmp_h * cmp_h) * (periodic[per::kOrderHighBit] - bh_next));
  out[4] = step * (next[limbs + 4] - ((one - reset_e) * two * cur[limbs + 4] + be_next));
  const F cmp_e = cur[limbs + 5];
  // A limb of e starts at p's top bit, 1: cmp = 1 - bit.
  const F cmp_e_continued = cmp_e + (one - cmp_e * cmp_e) * (periodic[per::kModulusBit] - be_next);
  out[5] = step * (next[limbs + 5] - (one - reset_e) * cmp_e_continued - reset_e * (one - be_next));
}

template <class F>
void SchnorrAir::limb_starts(std::span<const F> cur, std::span<const F> periodic, std::size_t limbs,
                             std::size_t bits, F* out) const {
  // Row 0: the limbs start at the top bits (the top bit of each half of n is 0, p's bit 63 is 1).
  const F first = periodic[schnorr_periodic::kFirst], one = F(Felt::one());
  const F bs = cur[bits], be = cur[bits + 1], bh = cur[bits + 2];
  out[0] = first * (cur[limbs] - bs);
  out[1] = first * (cur[limbs + 1] + bs);
  out[2] = first * (cur[limbs + 2] - bh);
  out[3] = first * (cur[limbs + 3] + bh);
  out[4] = first * (cur[limbs + 4] - be);
  out[5] = first * (cur[limbs + 5] - (one - be));
}

template <class F>
void SchnorrAir::ladder_step(std::span<const F> cur, std::span<const F> next, const F& step,
                             F* doubling, F* addition) const {
  using namespace schnorr_detail;
  namespace c = schnorr_col;
  // One step of the double-and-add: double, then add the entry the next row's bits select.
  const Pt<F> acc = load_point(cur, c::kAcc), dbl = load_point(cur, c::kDouble);
  const Pt<F> doubled = point_double(acc);
  const Pt<F> entry = select_entry(load_bits(next), load_table(cur), *fixed_);
  const Pt<F> sum = point_add(dbl, entry);
  const Pt<F> acc_next = load_point(next, c::kAcc);
  const E5<F>* dbl_parts[4] = {&dbl.x, &dbl.z, &dbl.u, &dbl.t};
  const E5<F>* doubled_parts[4] = {&doubled.x, &doubled.z, &doubled.u, &doubled.t};
  const E5<F>* next_parts[4] = {&acc_next.x, &acc_next.z, &acc_next.u, &acc_next.t};
  const E5<F>* sum_parts[4] = {&sum.x, &sum.z, &sum.u, &sum.t};
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t i = 0; i < 5; ++i) {
      doubling[5 * p + i] = step * ((*dbl_parts[p])[i] - (*doubled_parts[p])[i]);
      addition[5 * p + i] = step * ((*next_parts[p])[i] - (*sum_parts[p])[i]);
    }
}

template <class F>
void SchnorrAir::decoding_checks(std::span<const F> fin, const schnorr_detail::LastRowColumns& c,
                                 const F& last, F* key_non_square, F* key_invalid,
                                 F* commit_invalid) const {
  using schnorr_detail::load5;
  schnorr_detail::decoding_checks<F>({load5(fin, c.key_x), load5(fin, c.key_w), fin[c.key_valid], fin[c.key_root],
                                      load5(fin, c.commit_w), load5(fin, c.commit_x), fin[c.commit_valid]},
                                     last, key_non_square, key_invalid, commit_invalid);
}

template <class F>
void SchnorrAir::evaluate_head(std::span<const F> cur, std::span<const F> next,
                               std::span<const F> periodic, std::span<F> out) const {
  namespace per = schnorr_periodic;
  // In head_constraints() order: kDoubling, kAddition, kKeyNonSquare, kKeyInvalid, kCommitInvalid,
  // and v3's kHashRound.
  ladder_step<F>(cur, next, periodic[per::kStep], &out[0], &out[20]);
  decoding_checks<F>(next, schnorr_detail::kLastRowV3, periodic[per::kBeforeLast], &out[40], &out[41], &out[46]);
  if (layout_ == SchnorrLayout::v3) hash_rounds<F>(cur, next, periodic, schnorr_col::kHash, &out[51]);
}

template <class F>
void SchnorrAir::evaluate_head_v4(std::span<const F> cur, std::span<const F> next,
                                  std::span<const F> periodic, std::span<F> out) const {
  namespace per = schnorr_periodic;
  // In head_constraints() order: kDoubling, kMid, kAddition, kKeyNonSquare, kKeyInvalid,
  // kCommitInvalid, kSponge's rounds.
  ladder_step_v4<F>(cur, next, periodic[per::kStep], &out[0]);
  decoding_checks<F>(next, schnorr_detail::kLastRowV4, periodic[per::kBeforeLast], &out[30], &out[31], &out[36]);
  hash_rounds<F>(cur, next, periodic, schnorr_col4::kHash, &out[41]);
}

/// Layout v4 (docs/ecgfp5.md, "Layout v4"): v3's statement, its claims, periodic and public
/// columns computed by a SchnorrAir of layout v4, its constraints its own. A class of its own so
/// that its vector kernels are compiled apart from v3's: one kernel flattening both layouts' took
/// over twenty minutes and more memory than a build machine has.
class SchnorrAirV4 final : public stark::TypedAir<SchnorrAirV4> {
 public:
  SchnorrAirV4(const ecgfp5::SigningDomain& domain, std::vector<SignatureClaim> claims)
      : statement_(SchnorrAir::V4{}, domain, std::move(claims)) {}

  std::string id() const override { return statement_.id(); }
  std::size_t trace_width() const override { return statement_.trace_width(); }
  std::size_t trace_length() const override { return statement_.trace_length(); }
  Bytes public_inputs() const override { return statement_.public_inputs(); }
  std::vector<unsigned> transition_degrees() const override { return statement_.transition_degrees(); }
  std::vector<std::vector<Felt>> periodic_columns() const override { return statement_.periodic_columns(); }
  std::vector<std::size_t> periodic_periods() const override { return statement_.periodic_periods(); }
  bool periodic_values_at(const Ext2& z, std::span<Ext2> out) const override {
    return statement_.periodic_values_at(z, out);
  }
  std::vector<stark::BoundaryConstraint> boundary_constraints() const override { return {}; }
  std::vector<std::size_t> head_constraints() const override { return statement_.head_constraints(); }
  const std::vector<SignatureClaim>& claims() const { return statement_.claims(); }

  template <class F>
  [[gnu::always_inline]] inline void evaluate(std::span<const F> cur, std::span<const F> next,
                                              std::span<const F> periodic, std::span<F> out) const {
    statement_.evaluate_v4<F>(cur, next, periodic, out);
  }
  template <class F>
  [[gnu::always_inline]] inline void evaluate_head(std::span<const F> cur, std::span<const F> next,
                                                   std::span<const F> periodic, std::span<F> out) const {
    statement_.evaluate_head_v4<F>(cur, next, periodic, out);
  }

 private:
  SchnorrAir statement_;
};

/// The AIR of `layout` over `claims`: SchnorrAir (v2, which takes no domain, or v3) or
/// SchnorrAirV4.
std::unique_ptr<stark::Air> make_schnorr_air(SchnorrLayout layout, const ecgfp5::SigningDomain& domain,
                                             std::vector<SignatureClaim> claims);

}  // namespace rollup::air

// TypedAir's kernels (its vector loops, each flattened over evaluate) take minutes to compile:
// each is instantiated once, in a file of its own (schnorr_air_kernel_*.cpp), which the build
// compiles side by side, and not in schnorr_air.cpp (which makes the vtable) nor in the tests.
ROLLUP_AIR_KERNELS_EXTERN(rollup::air::SchnorrAir);
ROLLUP_AIR_KERNELS_EXTERN(rollup::air::SchnorrAirV4);
