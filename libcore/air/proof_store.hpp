#pragma once
// The prover's table in the state file (proof_blocks, docs/design.md §8): one proof per proven
// block, so that re-running rollup-prove re-emits a stored proof instead of computing it again.
#include <optional>

#include "air/block_proof.hpp"
#include "store/db.hpp"

namespace rollup::air {

class ProofStore {
 public:
  explicit ProofStore(store::Db& db) : db_(db) {}

  /// The stored proof of `height` (a range proof: whose first block is at `height`), as its
  /// stream line. A range proof's last height follows from its bytes (its block count).
  Result<std::optional<ProofLine>> get(std::uint64_t height);
  /// The stored proof whose last block is at `height` (a block proof of it, or a range ending
  /// there), if any.
  Result<std::optional<ProofLine>> get_ending(std::uint64_t height);
  /// Stores a proof in its own transaction. A proof already stored for the same block is kept
  /// (proofs are deterministic); one for another block at that height is Errc::rejected.
  Status put(const ProofLine& proof);

 private:
  store::Db& db_;
};

}  // namespace rollup::air
