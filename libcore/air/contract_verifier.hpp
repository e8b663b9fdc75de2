#pragma once
// The rollup contract's proof check: the verifier of proofs of blocks, in the form the contract
// calls (l1::ProofVerifier). The contract passes the key-set commitment it holds; the prover's
// own claims about it are never trusted.
#include "air/block_proof.hpp"
#include "l1/contract.hpp"

namespace rollup::air {

/// What a verified proof makes happen on L1, or why the proof is refused (the contract's
/// check with its typed reason).
Result<Checked<l1::ProvenEffects>> verify_for_contract(std::span<const codec::Block> blocks,
                                                       const l1::Config& config,
                                                       const l1::ProofClaim& claim,
                                                       std::span<const std::uint8_t> proof,
                                                       unsigned min_security_bits = 100);

/// verify_for_contract as the contract calls it: a refusal is Errc::rejected with its message.
l1::ProofVerifier contract_verifier(unsigned min_security_bits = 100);

}  // namespace rollup::air
