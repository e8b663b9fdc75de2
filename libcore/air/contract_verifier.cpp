#include "air/contract_verifier.hpp"

#include <algorithm>

namespace rollup::air {

Result<Checked<l1::ProvenEffects>> verify_for_contract(std::span<const codec::Block> blocks,
                                                       const l1::Config& config,
                                                       const l1::ProofClaim& claim,
                                                       std::span<const std::uint8_t> proof,
                                                       unsigned min_security_bits) {
  using Verdict = Checked<l1::ProvenEffects>;
  // The contract's claim names one block with a last height of 0 (or its own height).
  const RangeProofClaim c{claim.height, std::max(claim.height, claim.last_height), claim.block_hash,
                          claim.pre_root, claim.post_root, claim.pre_keys};
  auto report = ROLLUP_TRY(verify_range_proof(
      blocks, vm::params_of(config), c, proof, min_security_bits));
  if (!report) return Verdict(std::unexpected(std::move(report.error())));
  l1::ProvenEffects effects;
  for (const auto& block : report->blocks) {
    for (const auto& w : block.withdrawals) {
      effects.withdrawals.emplace_back(w.to, w.amount);
      effects.withdrawal_heights.push_back(block.height);
    }
    effects.failed_deposits.insert(effects.failed_deposits.end(), block.failed_deposits.begin(),
                                   block.failed_deposits.end());
  }
  effects.post_keys = report->post_keys;
  effects.security_bits = report->security_bits;
  return Verdict(std::move(effects));
}

l1::ProofVerifier contract_verifier(unsigned min_security_bits) {
  return [min_security_bits](std::span<const codec::Block> blocks, const l1::Config& config,
                             const l1::ProofClaim& claim,
                             std::span<const std::uint8_t> proof) -> Result<l1::ProvenEffects> {
    auto effects = ROLLUP_TRY(verify_for_contract(blocks, config, claim, proof, min_security_bits));
    if (!effects) return std::unexpected(effects.error().error());
    return std::move(*effects);
  };
}

}  // namespace rollup::air
