#pragma once
// Block proofs: proving a block with the rollup AIR, verifying a proof against the block as
// committed, the proof's byte encoding and its `proof` stream line (docs/air.md §6-7).
//
// A proof shows that the committed block takes the state from pre_root to post_root and the key
// set from pre_keys to post_keys. The key set commitment (docs/air.md §2) chains beside the
// state root: the contract keeps the verified post_keys of each block and passes them as the
// next block's pre_keys; the first block starts from l1::genesis_keys().
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "smt/key_set.hpp"
#include "air/witness.hpp"
#include "codec/objects.hpp"
#include "core/error.hpp"
#include "l1/contract.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"
#include "vm/state.hpp"

namespace rollup::air {

struct BlockProofClaim {
  std::uint64_t height = 0;
  Hash32 block_hash{};
  Hash32 pre_root{};   ///< hash::digest_bytes of the state root before the block
  Hash32 post_root{};
  smt::KeySetCommitment pre_keys;  ///< l1::genesis_keys(), or the previous block's verified post_keys
};

struct BlockProofReport {
  unsigned security_bits = 0;
  std::size_t proof_bytes = 0;
  double verify_ms = 0;  ///< the whole check: signatures, program, STARK
  std::vector<vm::Withdrawal> withdrawals;     ///< payable on L1, in tx order
  std::vector<std::uint64_t> failed_deposits;  ///< deposit queue indices to refund
  smt::KeySetCommitment post_keys;                     ///< to store as the next block's pre_keys
  std::vector<vm::Receipt> receipts;           ///< what the proof binds, in application order
};

/// Verifies `proof` for `block` (as committed on the contract) against the claim. Checks the
/// block's hash and tx-list hash, computes the signature bits itself (Ed25519), builds the op
/// program from the block and the proof's receipt claims, and verifies the STARK with the
/// roots lifted from the proof's subtree roots. Errc::rejected for any defect of the proof or
/// mismatch with the claim; never Errc::internal for hostile bytes.
Result<BlockProofReport> verify_block_proof(const codec::Block& block, const vm::RollupParams& params,
                                            const BlockProofClaim& claim,
                                            std::span<const std::uint8_t> proof,
                                            unsigned min_security_bits = 100);

struct ProveOptions {
  unsigned threads = 2;
  stark::ProofOptions stark;
};

struct BlockProof {
  std::uint64_t height = 0;       ///< the (first) block's height
  std::uint64_t last_height = 0;  ///< a range proof's last block; = height for one block
  Hash32 block_hash{};            ///< the block at `height`
  Hash32 pre_root{}, post_root{};
  smt::KeySetCommitment pre_keys, post_keys;
  unsigned security_bits = 0;
  Bytes bytes;  ///< the encoded proof (section 6 of docs/air.md)
  double prove_ms = 0;
  // Figures for the benchmark and --verbose.
  double witness_ms = 0, trace_ms = 0;
  stark::ProverTimings timings;
  std::size_t trace_rows = 0, trace_width = 0, ops = 0;
  unsigned depth = 0;
};

/// Proves `block` from `state` (the state after the block below it) and advances `state` past
/// it. The block must be the one committed at its height; the caller authenticates it.
Result<BlockProof> prove_block(ProverState& state, const codec::Block& block,
                               const vm::RollupParams& params, const ProveOptions& options = {});

// ---- Range proofs (docs/air.md §13): one proof for the blocks at first_height .. last_height.

struct RangeProofClaim {
  std::uint64_t first_height = 0, last_height = 0;
  Hash32 pre_root{};   ///< before the first block
  Hash32 post_root{};  ///< after the last block
  smt::KeySetCommitment pre_keys;
};

/// What one block of a verified range makes happen on L1.
struct RangeBlockEffects {
  std::uint64_t height = 0;
  std::vector<vm::Withdrawal> withdrawals;
  std::vector<std::uint64_t> failed_deposits;
  std::vector<vm::Receipt> receipts;
};

struct RangeProofReport {
  unsigned security_bits = 0;
  std::size_t proof_bytes = 0;
  double verify_ms = 0;
  std::vector<RangeBlockEffects> blocks;  ///< one per block, in height order
  smt::KeySetCommitment post_keys;                ///< after the last block
};

/// Verifies a proof for `blocks` (the committed blocks at claim.first_height .. last_height, in
/// order). A single-block proof ("RBLK") is the range of one block; a range proof ("RRNG")
/// covers two or more. Checks every block as verify_block_proof does and builds the program of
/// all of them, concatenated. Errc::rejected for any defect or mismatch.
Result<RangeProofReport> verify_range_proof(std::span<const codec::Block> blocks,
                                            const vm::RollupParams& params,
                                            const RangeProofClaim& claim,
                                            std::span<const std::uint8_t> proof,
                                            unsigned min_security_bits = 100);

/// Proves `blocks` (consecutive heights, the committed ones) in one proof from `state`, and
/// advances `state` past the last. One block gives exactly prove_block's proof.
Result<BlockProof> prove_range(ProverState& state, std::span<const codec::Block> blocks,
                               const vm::RollupParams& params, const ProveOptions& options = {});

/// How many blocks an encoded proof covers: the block count of a range proof's header, 1 for
/// anything else (a block proof, or bytes the verifier will refuse).
std::uint64_t proof_block_count(std::span<const std::uint8_t> proof);

/// The range proof's header: one claim list per block.
struct RangeProofHeader {
  unsigned depth = 0;
  std::vector<std::vector<ReceiptClaim>> claims;
  Digest sub_pre_state{}, sub_post_state{}, sub_pre_keys{}, sub_post_keys{};
};
Bytes encode_range_proof(const RangeProofHeader& header, std::span<const std::uint8_t> stark_proof);
Result<std::pair<RangeProofHeader, std::span<const std::uint8_t>>> decode_range_proof(
    std::span<const std::uint8_t> bytes);

/// The proof's byte encoding: a header with the prover's claims, then the STARK proof.
struct ProofHeader {
  unsigned depth = 0;
  std::vector<ReceiptClaim> claims;
  Digest sub_pre_state{}, sub_post_state{}, sub_pre_keys{}, sub_post_keys{};
};
Bytes encode_proof(const ProofHeader& header, std::span<const std::uint8_t> stark_proof);
/// Strict: Errc::rejected for anything but an exact encoding.
Result<std::pair<ProofHeader, std::span<const std::uint8_t>>> decode_proof(std::span<const std::uint8_t> bytes);

/// The `proof` stream object (docs/air.md §7).
struct ProofLine {
  std::uint64_t height = 0;
  std::uint64_t last_height = 0;  ///< `last_height` of a range proof; = height otherwise
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
