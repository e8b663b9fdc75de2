#pragma once
// Which stored proof covers a height: proof_blocks keys a proof by its first block, and a range
// proof covers the heights up to its last block. For readers that ask about a block (rollup-serve).
#include <optional>

#include "air/block_proof.hpp"
#include "store/db.hpp"

namespace rollup::air {

/// The stored proof whose blocks include `height` (a block proof of it, or a range over it).
Result<std::optional<ProofLine>> proof_covering(store::Db& db, std::uint64_t height);
/// The last height the stored proofs reach (0: none): the last block of the highest proof.
Result<std::uint64_t> proven_height(store::Db& db);

}  // namespace rollup::air
