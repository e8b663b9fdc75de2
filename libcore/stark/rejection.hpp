#pragma once
// Why the STARK verifier refused a proof: one typed reason per check (docs/stark.md §9) with the
// detail of the failure. Errors, and Errc::rejected messages, are made from these.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rollup::stark {

enum class Rejection {
  // Verdicts on the proof (Errc::rejected), in the order the verifier checks them.
  bad_encoding,               ///< the bytes do not decode (magic, version, limits, size, elements)
  air_mismatch,               ///< trace dimensions or segment count are not the AIR's
  params_below_security,      ///< the parameters estimate below the required security
  params_not_pinned,          ///< the parameters differ from the ones the verifier pins
  ood_mismatch,               ///< constraints at z disagree with the composition segments
  pow_invalid,                ///< the proof-of-work nonce misses the grinding target
  trace_root_mismatch,        ///< a trace opening does not authenticate against the trace root
  composition_root_mismatch,  ///< a composition opening does not authenticate against its root
  deep_mismatch,              ///< FRI layer 0 disagrees with DEEP computed from the openings
  fri_root_mismatch,          ///< a FRI coset does not authenticate against its layer's root
  fri_fold_mismatch,          ///< a FRI layer disagrees with the previous layer's fold
  fri_remainder_mismatch,     ///< the last fold disagrees with the remainder polynomial
  // Not verdicts on the proof: the verifier could not judge it.
  air_invalid,    ///< the AIR breaks the limits every AIR must meet (Errc::bad_input)
  out_of_memory,  ///< (Errc::internal)
};

/// The reason's name as written above, e.g. "ood_mismatch".
std::string_view rejection_name(Rejection reason);
/// What the failed check means, in a sentence fragment.
std::string_view rejection_message(Rejection reason);
/// Errc::rejected for a verdict; bad_input for air_invalid, internal for out_of_memory.
Errc rejection_errc(Rejection reason);

struct Rejected {
  Rejection reason;
  std::string detail;  ///< the check's finding, e.g. "query 3: FRI layer 1 disagrees with ..."

  /// "stark proof rejected: <detail>" for a verdict; the detail alone otherwise.
  std::string message() const;
  Error error() const { return Error{rejection_errc(reason), message()}; }
};

}  // namespace rollup::stark
