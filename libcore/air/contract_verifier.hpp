#pragma once
// The rollup contract's proof check: the block-proof verifier, in the form the contract calls
// (l1::ProofVerifier). The contract passes the key-set commitment it holds; the prover's own
// claims about it are never trusted.
#include "l1/contract.hpp"

namespace rollup::air {

l1::ProofVerifier contract_verifier(unsigned min_security_bits = 100);

}  // namespace rollup::air
