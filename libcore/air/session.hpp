#pragma once
// What rollup-prove and rollup-verify do, over the state file: the prover takes each block from
// the contract, reads its pre-state from the state file's history (vm::state_at), proves it and
// keeps the proof in proof_blocks; the verifier checks proof lines against the committed blocks
// and a pre-state it trusts (genesis, a proof it verified, or a root the contract verified).
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "air/block_proof.hpp"
#include "air/proof_store.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/state.hpp"

namespace rollup::air {

struct ProveOutcome {
  ProofLine line;
  bool already_stored = false;        ///< re-emitted from proof_blocks, not recomputed
  std::optional<BlockProof> figures;  ///< timings etc. when it was proven now
};

class ProverSession {
 public:
  static Result<std::unique_ptr<ProverSession>> open(store::Db& db, l1::Contract& contract,
                                                     const ProveOptions& options);

  /// Proves the block an exec line names: the contract must have committed that block, and the
  /// proven roots must be the exec line's (Errc::bad_input otherwise). A block proven before is
  /// read back from proof_blocks.
  Result<ProveOutcome> prove(const vm::ExecClaim& exec);
  /// Proves the blocks of consecutive exec lines in one range proof (docs/air.md §13); one exec
  /// line is prove(). The proof covers the first blocks whose trace fits
  /// ProveOptions::max_trace_rows, at least one (its line's last_height): the caller proves the
  /// rest next. The pre-root must be the first line's, the post-root the last proven line's. A
  /// proof stored at the first height is read back when it ends within these blocks, and is
  /// Errc::rejected when it reaches past them.
  Result<ProveOutcome> prove_range(std::span<const vm::ExecClaim> execs);

 private:
  ProverSession(store::Db& db, l1::Contract& contract, const ProveOptions& options);
  /// Brings the in-memory prover state to just after block `height`.
  Status replay_to(std::uint64_t height);
  Result<codec::Block> committed_block(std::uint64_t height);

  ProveOptions options_;
  store::Db* db_;            ///< the caller's; outlives the session
  l1::Contract* contract_;  ///< the caller's; outlives the session
  vm::RollupParams params_;
  ProofStore store_;
  std::optional<ProverState> state_;
  std::uint64_t state_height_ = 0;
};

struct Verdict {
  std::uint64_t height = 0;
  std::uint64_t last_height = 0;  ///< a range proof's last block (written when > height)
  bool valid = false;
  unsigned security_bits = 0;
  double verify_ms = 0;
  std::string reason;  ///< why it is invalid
};
std::string to_json(const Verdict& verdict);

class VerifierSession {
 public:
  static Result<std::unique_ptr<VerifierSession>> open(store::Db& db, l1::Contract& contract,
                                                       unsigned min_security_bits);

  /// A block seen on the stream: when a proof names it, it must be signed by the contract's
  /// sequencer and, where the contract committed a block at its height, be that block.
  void remember_block(codec::Block block);
  /// The verdict on one proof line. Errors are for the state file and bugs only: anything wrong
  /// with the proof or its claims is an invalid verdict.
  Result<Verdict> verify(const ProofLine& line);

 private:
  struct Trusted {
    Hash32 root{};
    smt::KeySetCommitment keys;
  };
  VerifierSession(store::Db& db, l1::Contract& contract, unsigned min_security_bits);
  /// The state after block `height` from a source this verifier trusts, if any.
  Result<std::optional<Trusted>> trusted_after(std::uint64_t height);
  /// Checks `line` against `pre`; the reason it fails, or nullopt when it holds.
  Result<std::optional<std::string>> check(const ProofLine& line, const Trusted& pre, Verdict& verdict);

  unsigned min_security_bits_;
  l1::Contract* contract_;  ///< the caller's; outlives the session
  vm::RollupParams params_;
  PublicKey sequencer_{};  ///< the contract's registered sequencer: it signs every block
  Hash32 genesis_root_{};
  ProofStore store_;
  std::map<std::uint64_t, codec::Block> stream_blocks_;
  std::map<std::uint64_t, Trusted> verified_;  ///< post-states of proofs verified in this run
  std::optional<smt::KeySetCommitment> genesis_keys_;
};

}  // namespace rollup::air
