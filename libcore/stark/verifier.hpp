#pragma once
// The STARK verifier. It trusts only the AIR it is given (which carries the public inputs) and
// its options; the proof bytes may be hostile, and any defect in them is a rejection with a
// typed reason (stark::Rejection, naming the failed check), never a crash.
#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"
#include "stark/air.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"
#include "stark/rejection.hpp"

namespace rollup::stark {

struct VerifyReport {
  std::string air_id;
  ProofParams params;
  unsigned security_bits = 0;  ///< conjectured security computed from the proof's parameters
  std::size_t proof_size = 0;
};

/// What the verifier demands of a proof's parameters.
struct VerifyOptions {
  /// Parameters estimated below this many bits of conjectured security are rejected
  /// (params_below_security).
  unsigned min_security_bits = kDefaultMinSecurityBits;
  /// When set, a proof whose parameters differ from these in any way is rejected
  /// (params_not_pinned); otherwise any parameters that clear min_security_bits are accepted.
  std::optional<PinnedParams> pinned;

  /// Accepts only proofs made with exactly `options`, at `options.min_security_bits`.
  static VerifyOptions pinned_to(const ProofOptions& options);
};

/// Accepts a proof only if every check passes and its parameters meet `options`; otherwise the
/// reason and its detail. Rejections other than air_invalid and out_of_memory are verdicts on
/// the proof.
std::expected<VerifyReport, Rejected> verify_detailed(const Air& air,
                                                      std::span<const std::uint8_t> proof_bytes,
                                                      const VerifyOptions& options);

/// verify_detailed as a Result: a rejection is Errc::rejected with "stark proof rejected: " and
/// the detail (Errc::bad_input for an invalid AIR, Errc::internal when out of memory).
Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const VerifyOptions& options);

/// The same with only min_options.min_security_bits consulted: the proof carries its own
/// blowup, query count and grinding, and any that give enough security are accepted.
Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const ProofOptions& min_options = {});

}  // namespace rollup::stark
