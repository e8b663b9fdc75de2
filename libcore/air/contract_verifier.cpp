#include "air/contract_verifier.hpp"

#include "air/block_proof.hpp"

namespace rollup::air {

l1::ProofVerifier contract_verifier(unsigned min_security_bits) {
  return [min_security_bits](std::span<const codec::Block> blocks, const l1::Config& config,
                             const l1::ProofClaim& claim,
                             std::span<const std::uint8_t> proof) -> Result<l1::ProvenEffects> {
    // The contract's claim names one block with a last height of 0 (or its own height).
    const RangeProofClaim c{claim.height, std::max(claim.height, claim.last_height), claim.block_hash,
                            claim.pre_root, claim.post_root, claim.pre_keys};
    auto report = ROLLUP_TRY(verify_range_proof(
        blocks, vm::RollupParams{config.chain_id, config.namespace_id}, c, proof, min_security_bits));
    l1::ProvenEffects effects;
    for (const auto& block : report.blocks) {
      for (const auto& w : block.withdrawals) {
        effects.withdrawals.emplace_back(w.to, w.amount);
        effects.withdrawal_heights.push_back(block.height);
      }
      effects.failed_deposits.insert(effects.failed_deposits.end(), block.failed_deposits.begin(),
                                     block.failed_deposits.end());
    }
    effects.post_keys = report.post_keys;
    effects.security_bits = report.security_bits;
    return effects;
  };
}

}  // namespace rollup::air
