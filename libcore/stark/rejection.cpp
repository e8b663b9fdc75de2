#include "stark/rejection.hpp"

namespace rollup::stark {

std::string_view rejection_name(Rejection reason) {
  switch (reason) {
    case Rejection::bad_encoding: return "bad_encoding";
    case Rejection::air_mismatch: return "air_mismatch";
    case Rejection::params_below_security: return "params_below_security";
    case Rejection::params_not_pinned: return "params_not_pinned";
    case Rejection::ood_mismatch: return "ood_mismatch";
    case Rejection::pow_invalid: return "pow_invalid";
    case Rejection::trace_root_mismatch: return "trace_root_mismatch";
    case Rejection::composition_root_mismatch: return "composition_root_mismatch";
    case Rejection::deep_mismatch: return "deep_mismatch";
    case Rejection::fri_root_mismatch: return "fri_root_mismatch";
    case Rejection::fri_fold_mismatch: return "fri_fold_mismatch";
    case Rejection::fri_remainder_mismatch: return "fri_remainder_mismatch";
    case Rejection::air_invalid: return "air_invalid";
    case Rejection::out_of_memory: return "out_of_memory";
  }
  return "unknown";
}

std::string_view rejection_message(Rejection reason) {
  switch (reason) {
    case Rejection::bad_encoding: return "the proof bytes do not decode";
    case Rejection::air_mismatch: return "the proof's shape is not the AIR's";
    case Rejection::params_below_security:
      return "the parameters give less conjectured security than required";
    case Rejection::params_not_pinned: return "the parameters are not the pinned ones";
    case Rejection::ood_mismatch:
      return "out-of-domain check: constraints at z disagree with the composition segments";
    case Rejection::pow_invalid: return "proof-of-work nonce does not meet the grinding target";
    case Rejection::trace_root_mismatch:
      return "trace opening does not match the trace commitment";
    case Rejection::composition_root_mismatch:
      return "composition opening does not match its commitment";
    case Rejection::deep_mismatch: return "FRI layer 0 disagrees with the DEEP composition";
    case Rejection::fri_root_mismatch: return "FRI layer opening does not match its commitment";
    case Rejection::fri_fold_mismatch:
      return "FRI layer disagrees with the previous layer's fold";
    case Rejection::fri_remainder_mismatch:
      return "last FRI layer disagrees with the remainder polynomial";
    case Rejection::air_invalid: return "the AIR breaks the limits of every AIR";
    case Rejection::out_of_memory: return "stark verifier: out of memory";
  }
  return "unknown rejection";
}

Errc rejection_errc(Rejection reason) {
  switch (reason) {
    case Rejection::air_invalid: return Errc::bad_input;
    case Rejection::out_of_memory: return Errc::internal;
    default: return Errc::rejected;
  }
}

std::string Rejected::message() const {
  if (rejection_errc(reason) != Errc::rejected) return detail;
  return "stark proof rejected: " + detail;
}

}  // namespace rollup::stark
