#pragma once
// The STARK prover: commits to the trace's low-degree extension, composes the AIR's constraints
// into a quotient polynomial, opens both at a random out-of-domain point (DEEP), and proves the
// resulting DEEP polynomial's low degree with FRI. docs/stark.md describes every step.
#include "core/error.hpp"
#include "stark/air.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"

namespace rollup::stark {

/// Proves that `trace` satisfies `air`. Fails with Errc::bad_input when the trace breaks a
/// constraint (the prover never emits a proof of a false statement), Errc::usage when the
/// options are out of range or below options.min_security_bits. `threads` (at least 1) splits
/// the LDE, constraint evaluation, DEEP and hashing work.
Result<Proof> prove(const Air& air, const Trace& trace, const ProofOptions& options,
                    unsigned threads = 2);

/// The same proof, consuming the trace: its columns become the polynomials' coefficients in
/// place, so the prover holds one trace-sized matrix instead of two (the values and the
/// coefficients). The prover's memory is about that matrix, the Merkle trees (32 bytes per LDE
/// point each) and the kept LDE cosets (ProofOptions::lde_cache_bytes); docs/stark.md §8.
Result<Proof> prove(const Air& air, Trace&& trace, const ProofOptions& options,
                    unsigned threads = 2);

/// Deliberate deviations from the protocol, for the malicious-prover tests only: each yields a
/// proof that a sound verifier must reject. Any fault also disables the prover's self-checks.
/// The prover sees them only through FaultHook (stark/faults.hpp), at three named points.
struct ProverFaults {
  /// Prove a trace that breaks the AIR (the composition polynomial is then truncated to its
  /// degree bound, as a cheating prover would have to).
  bool skip_checks = false;
  /// Add one to the first out-of-domain trace value before it enters the transcript.
  bool alter_ood = false;
  /// Replace FRI layer k (0 = the DEEP polynomial itself, fri_layers = the remainder) by the
  /// evaluations of an unrelated polynomial of the right degree; -1 for none.
  int fri_substitute_layer = -1;
  bool any() const { return skip_checks || alter_ood || fri_substitute_layer >= 0; }
};

Result<Proof> prove_with_faults(const Air& air, const Trace& trace, const ProofOptions& options,
                                unsigned threads, const ProverFaults& faults);

}  // namespace rollup::stark
