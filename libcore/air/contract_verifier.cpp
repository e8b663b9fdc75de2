#include "air/contract_verifier.hpp"

#include "air/block_proof.hpp"

namespace rollup::air {

l1::ProofVerifier contract_verifier(unsigned min_security_bits) {
  return [min_security_bits](const codec::Block& block, const l1::Config& config,
                             const l1::ProofClaim& claim,
                             std::span<const std::uint8_t> proof) -> Result<l1::ProvenEffects> {
    BlockProofClaim c;
    c.height = claim.height;
    c.block_hash = claim.block_hash;
    c.pre_root = claim.pre_root;
    c.post_root = claim.post_root;
    c.pre_keys = KeyCommitment{claim.pre_keys.root, claim.pre_keys.count};
    auto report = ROLLUP_TRY(verify_block_proof(
        block, vm::RollupParams{config.chain_id, config.namespace_id}, c, proof, min_security_bits));
    l1::ProvenEffects effects;
    for (const auto& w : report.withdrawals) effects.withdrawals.emplace_back(w.to, w.amount);
    effects.failed_deposits = report.failed_deposits;
    effects.post_keys = l1::KeySetCommitment{report.post_keys.root, report.post_keys.count};
    effects.security_bits = report.security_bits;
    return effects;
  };
}

}  // namespace rollup::air
