#pragma once
// The STARK verifier. It trusts only the AIR it is given (which carries the public inputs) and
// its minimum options; the proof bytes may be hostile, and any defect in them is a rejection
// (Errc::rejected, naming the failed check), never a crash.
#include <cstddef>
#include <span>
#include <string>

#include "core/error.hpp"
#include "stark/air.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"

namespace rollup::stark {

struct VerifyReport {
  std::string air_id;
  ProofParams params;
  unsigned security_bits = 0;  ///< conjectured security computed from the proof's parameters
  std::size_t proof_size = 0;
};

/// Accepts a proof only if every check passes and its parameters give at least
/// min_options.min_security_bits of conjectured security. Only that field of min_options is
/// consulted: the proof carries its own blowup, query count and grinding.
Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const ProofOptions& min_options = {});

}  // namespace rollup::stark
