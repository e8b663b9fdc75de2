#pragma once
// Proofs of blocks: proving one or more consecutive committed blocks with the rollup AIR in one
// proof, verifying it against the blocks as committed, the proof's byte encoding and its `proof`
// stream line (docs/air.md §6-7, §13). A proof of one block is the range of one block: one claim,
// one prover, one verifier and one decoder serve every block count; only the encoding and the
// AIR's public inputs of one block keep their established single-block form.
//
// A proof shows that the committed blocks take the state from pre_root to post_root and the key
// set from pre_keys to post_keys. The key set commitment (docs/air.md §2) chains beside the
// state root: the contract keeps the verified post_keys of each proof and passes them as the
// next proof's pre_keys; the first proof starts from l1::genesis_keys().
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "air/schnorr_air.hpp"
#include "air/witness.hpp"
#include "codec/objects.hpp"
#include "core/error.hpp"
#include "l1/contract.hpp"
#include "smt/key_set.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"
#include "vm/state.hpp"

namespace rollup::air {

/// What a proof is checked against: the committed blocks at first_height .. last_height (one or
/// more) take the state from pre_root and pre_keys to post_root.
struct RangeProofClaim {
  std::uint64_t first_height = 0;
  std::uint64_t last_height = 0;  ///< = first_height for one block
  Hash32 block_hash{};            ///< the block at first_height
  Hash32 pre_root{};              ///< hash::digest_bytes of the state root before the first block
  Hash32 post_root{};             ///< after the last block
  smt::KeySetCommitment pre_keys;  ///< l1::genesis_keys(), or the verified post_keys below
};

/// What one block of a verified proof makes happen on L1.
struct BlockEffects {
  std::uint64_t height = 0;
  std::vector<vm::Withdrawal> withdrawals;     ///< payable on L1, in tx order
  std::vector<std::uint64_t> failed_deposits;  ///< deposit queue indices to refund
  std::vector<vm::Receipt> receipts;           ///< what the proof binds, in application order
};

struct RangeProofReport {
  unsigned security_bits = 0;
  std::size_t proof_bytes = 0;
  double verify_ms = 0;              ///< the whole check: signatures, programs, STARK
  std::vector<BlockEffects> blocks;  ///< one per block, in height order
  smt::KeySetCommitment post_keys;   ///< after the last block: the next proof's pre_keys
};

/// Why a verifier refuses a proof: each defect has its reason, so tests and callers can tell
/// them apart without reading messages (docs/air.md §6).
enum class Rejection : std::uint8_t {
  encoding,             ///< the bytes are no exact encoding: magic, version, depth, counts, claim bytes, digests
  wrong_blocks,         ///< the blocks are not the claimed heights, or the proof covers another number of blocks
  wrong_block_hash,     ///< the first block is not the claimed one
  bad_block,            ///< a block's hash or tx-list hash does not match its contents
  claims_contradict_block,  ///< a receipt claim contradicts the block or the verifier's signature bits
  root_mismatch,        ///< a state subtree root does not lift to the claimed state root
  keys_mismatch,        ///< the key subtree root does not lift to the claimed key set
  bad_public_inputs,    ///< the public values do not fit together (accounts beyond the subtree depth)
  stark_rejected,       ///< the STARK proof does not verify; the detail is the STARK verifier's message
  signature_proof_rejected,  ///< an ecgfp5 rollup's SchnorrAir proof does not verify for the txs and the proof's bits
};
/// What the reason means, in a few words.
std::string_view describe(Rejection reason);

struct Rejected {
  Rejection reason;
  std::string detail;  ///< what exactly is wrong
  /// "block proof rejected: <detail>", the message callers have always been given.
  std::string message() const { return "block proof rejected: " + detail; }
  /// As callers that want a verdict only see it: Errc::rejected with the message.
  Error error() const { return Error{Errc::rejected, message()}; }
};

/// A verifier's conclusion: what a proof proves, or why it is refused. An Error around it (an
/// outer Result) is no verdict on the proof: running out of memory.
template <class T>
using Checked = std::expected<T, Rejected>;

/// Verifies `proof` for `blocks` (as committed on the contract at claim.first_height ..
/// last_height, in order) against the claim. Checks each block's hash and tx-list hash, takes
/// the signature bits (an Ed25519 rollup: checks each signature itself; an ecgfp5 rollup: from
/// the proof, bound by its SchnorrAir proof over claims the verifier builds from the txs' bytes),
/// builds the op program of every block from them and the proof's receipt claims, concatenated,
/// and verifies the STARK with the roots lifted from the proof's subtree roots. A Rejected for
/// any defect of the proof or mismatch with the claim; never an Error for hostile bytes.
Result<Checked<RangeProofReport>> verify_range_proof(std::span<const codec::Block> blocks,
                                            const vm::RollupParams& params,
                                            const RangeProofClaim& claim,
                                            std::span<const std::uint8_t> proof,
                                            unsigned min_security_bits = 100);

/// rollup-prove's default trace budget per proof: the largest trace the contract's work cap lets a
/// single block take, so that a range proof needs no more memory than a block.
inline constexpr std::uint64_t kDefaultMaxTraceRows = l1::kMaxTraceRows;

struct ProveOptions {
  unsigned threads = 2;
  stark::ProofOptions stark;
  /// The most trace rows one proof may take (0: no limit): a range proof covers as many of its
  /// blocks as fit, at least one (the prover's memory follows its trace).
  std::uint64_t max_trace_rows = 0;
  /// The AIR's layout: v1 makes the proofs of the previous versions (2, or 4 for ecgfp5), which
  /// only tests of their verification want.
  AirLayout layout = AirLayout::v2;
  /// An ecgfp5 rollup's signature proof layout: v2 and v3 make version 6 and 7 proofs, for the
  /// same tests.
  SchnorrLayout signature_layout = SchnorrLayout::v4;
};

/// A proof of the blocks at height .. last_height, with what it claims and how it was made.
struct BlockProof {
  std::uint64_t height = 0;       ///< the first block's height
  std::uint64_t last_height = 0;  ///< the last block's; = height for one block
  Hash32 block_hash{};            ///< the block at `height`
  Hash32 pre_root{}, post_root{};
  smt::KeySetCommitment pre_keys, post_keys;
  unsigned security_bits = 0;
  Bytes bytes;  ///< the encoded proof (docs/air.md §6, §13)
  double prove_ms = 0;
  // Figures for the benchmark and --verbose.
  double witness_ms = 0, trace_ms = 0;
  stark::ProverTimings timings;
  std::size_t trace_rows = 0, trace_width = 0, ops = 0;
  /// An ecgfp5 rollup's signature proof: its time (claims, trace, STARK), claims and trace rows.
  double signature_ms = 0;
  std::size_t signature_claims = 0, signature_rows = 0;
  stark::ProverTimings signature_timings;  ///< the SchnorrAir STARK's phases
  unsigned depth = 0;
};

/// Proves `blocks` (one or more at consecutive heights, the committed ones; the caller
/// authenticates them) in one proof from `state` (the state after the block below the first),
/// and advances `state` past the last one proven: all of them, or the first ones whose trace fits
/// options.max_trace_rows (the proof's last_height says which).
Result<BlockProof> prove_range(ProverState& state, std::span<const codec::Block> blocks,
                               const vm::RollupParams& params, const ProveOptions& options = {});

/// The proof format version the prover writes for an Ed25519 rollup: 5, whose programs defer the
/// fee recipient's credits (FeeCredits::deferred) and whose STARK uses the AIR's layout v2.
/// Versions 1 (one credit op per fee) and 2 (deferred), both of layout v1, still verify.
inline constexpr std::uint8_t kProofVersion = 5;
/// The version of an ecgfp5 rollup's proofs: version 5's programs and layout, and beside the
/// rollup STARK a SchnorrAir proof of the txs' signatures (docs/air.md §6.1) in its layout v4
/// (rollup/schnorr-ecgfp5/v4), which hashes each challenge in its trace, so the verifier hashes
/// none, over a ladder of 65 columns. Version 7 (the same statement in SchnorrAir v3, 110
/// columns), version 6 (a SchnorrAir v2 proof, whose challenges the verifier hashes) and version
/// 4 (the same with layout v1) still verify; version 3 (a SchnorrAir v1 proof) is refused.
inline constexpr std::uint8_t kSignatureProofVersion = 8;
/// The retired version of an ecgfp5 rollup's proofs (SchnorrAir v1's layout): refused with a
/// request to re-prove.
inline constexpr std::uint8_t kRetiredSignatureProofVersion = 3;
/// Whether a proof of this version carries a signature proof (an ecgfp5 rollup's: 4, 6, 7 and 8).
constexpr bool carries_signature_proof(std::uint8_t version) { return version == 4 || version >= 6; }
/// The rollup AIR's layout a proof of this version is checked against: v1 up to version 4.
constexpr AirLayout layout_of(std::uint8_t version) { return version >= 5 ? AirLayout::v2 : AirLayout::v1; }
/// The SchnorrAir layout of a version that carries a signature proof: v3 in version 7, v4 from 8.
constexpr SchnorrLayout signature_layout_of(std::uint8_t version) {
  return version >= 8 ? SchnorrLayout::v4 : version == 7 ? SchnorrLayout::v3 : SchnorrLayout::v2;
}
/// The version the prover writes for a layout, with or without a signature proof, and the
/// signature proof's layout: the one version that layout_of, carries_signature_proof and
/// signature_layout_of map back to them (2, 4, 5, 6, 7 or 8). Layout v1 exists only with
/// SchnorrAir v2 (version 4), which it gets whatever `signatures` says.
constexpr std::uint8_t proof_version_for(AirLayout layout, bool signature_proof,
                                         SchnorrLayout signatures = SchnorrLayout::v4) {
  if (layout == AirLayout::v1) return signature_proof ? 4 : 2;
  if (!signature_proof) return kProofVersion;
  switch (signatures) {
    case SchnorrLayout::v2: return 6;
    case SchnorrLayout::v3: return 7;
    case SchnorrLayout::v4: break;
  }
  return kSignatureProofVersion;
}
static_assert(layout_of(proof_version_for(AirLayout::v1, true)) == AirLayout::v1 &&
              layout_of(proof_version_for(AirLayout::v2, true)) == AirLayout::v2 &&
              layout_of(proof_version_for(AirLayout::v2, true, SchnorrLayout::v2)) == AirLayout::v2 &&
              layout_of(proof_version_for(AirLayout::v1, false)) == AirLayout::v1 &&
              layout_of(proof_version_for(AirLayout::v2, false)) == AirLayout::v2);
static_assert(carries_signature_proof(proof_version_for(AirLayout::v1, true)) &&
              carries_signature_proof(proof_version_for(AirLayout::v2, true)) &&
              carries_signature_proof(proof_version_for(AirLayout::v2, true, SchnorrLayout::v2)) &&
              !carries_signature_proof(proof_version_for(AirLayout::v1, false)) &&
              !carries_signature_proof(proof_version_for(AirLayout::v2, false)));
static_assert(signature_layout_of(proof_version_for(AirLayout::v2, true)) == SchnorrLayout::v4 &&
              signature_layout_of(proof_version_for(AirLayout::v2, true, SchnorrLayout::v3)) == SchnorrLayout::v3 &&
              !carries_signature_proof(kProofVersion) &&
              signature_layout_of(proof_version_for(AirLayout::v2, true, SchnorrLayout::v2)) == SchnorrLayout::v2 &&
              signature_layout_of(proof_version_for(AirLayout::v1, true)) == SchnorrLayout::v2);

/// The proof's header: the prover's receipt claims, one list per block, and the subtree roots.
struct ProofHeader {
  unsigned depth = 0;
  std::vector<std::vector<ReceiptClaim>> claims;
  Digest sub_pre_state{}, sub_post_state{}, sub_pre_keys{}, sub_post_keys{};
  /// The format version, which fixes how the programs credit fees (1: per tx, then deferred),
  /// whether a signature proof follows (4, 6 and 7) and the AIRs' layouts (layout_of,
  /// signature_layout_of).
  std::uint8_t version = kProofVersion;
  /// Versions 4, 6 and 7 only: the signature bit of every rollup tx of the blocks, in block and tx
  /// order, and the SchnorrAir STARK proof of the claims they are the result bits of.
  std::vector<bool> signature_bits{};
  /// Version 7 only: the key ids (smt::account_key_bytes) of each signature claim's signer and
  /// `to`, two a claim in claim order, which the SchnorrAir proof proves and the verifier uses
  /// instead of hashing those keys.
  std::vector<Digest> key_ids{};
  Bytes signature_proof{};
};
/// The header, then the STARK proof: one block as "RBLK" (docs/air.md §6), more as "RRNG" (§13).
Bytes encode_proof(const ProofHeader& header, std::span<const std::uint8_t> stark_proof);
/// Either form; strict: Rejection::encoding for anything but an exact encoding (an "RRNG" of one
/// block included: one block has one encoding).
Checked<std::pair<ProofHeader, std::span<const std::uint8_t>>> decode_proof(std::span<const std::uint8_t> bytes);
/// The Schnorr claim of a tx of an ecgfp5 rollup, its result bit left false: the tx's key, w(R)
/// and s from its signature, and its signing message (layouts v3 and v4, which hash the challenge in
/// the trace) or the challenge hashed natively (v2). Nothing when the tx's bytes alone make its
/// signature bit 0 (docs/air.md §6.1): a chain id or namespace not the rollup's, a key or
/// signature of another size, or a key or w(R) with a coefficient >= p. Byte checks only: a key
/// that is no non-neutral group element gets a claim, whose result the SchnorrAir proves 0.
std::optional<SignatureClaim> signature_claim_of(const codec::Tx& tx, const vm::RollupParams& params,
                                                 SchnorrLayout layout = SchnorrLayout::v4);
/// signature_claim_of of every tx, v2's challenges hashed side by side (eight sponges at a time
/// where the CPU has AVX-512): what the verifier and the prover call for a block's txs.
std::vector<std::optional<SignatureClaim>> signature_claims_of(std::span<const codec::Tx> txs,
                                                               const vm::RollupParams& params,
                                                               SchnorrLayout layout = SchnorrLayout::v4);

/// How many blocks an encoded proof covers, from its header; 1 for bytes the verifier refuses.
std::uint64_t proof_block_count(std::span<const std::uint8_t> proof);

/// The `proof` stream object (docs/air.md §7).
struct ProofLine {
  std::uint64_t height = 0;
  std::uint64_t last_height = 0;  ///< the last block's; = height for one block (no field then)
  Hash32 block_hash{};
  Hash32 pre_root{}, post_root{};
  smt::KeySetCommitment pre_keys, post_keys;
  unsigned security_bits = 0;
  std::uint64_t prove_ms = 0;
  Bytes proof;
};
ProofLine proof_line_of(const BlockProof& proof);
std::string to_json(const ProofLine& line);
Result<ProofLine> parse_proof_line(const codec::Json& object);

}  // namespace rollup::air
