#include "stark/verifier.hpp"

#include <new>

#include "field/ntt.hpp"
#include "stark/fri.hpp"
#include "stark/merkle.hpp"
#include "stark/protocol.hpp"

namespace rollup::stark {
namespace {

namespace proto = protocol;

template <class T = void>
using Checked = std::expected<T, Rejected>;

std::unexpected<Rejected> reject(Rejection reason, std::string detail) {
  return std::unexpected(Rejected{reason, std::move(detail)});
}

// ---- The proof's shape must be this AIR's, and its parameters strong enough.
Checked<ProofShape> check_params(const Air& air, const ProofParams& params,
                                 const VerifyOptions& options) {
  auto shape = proof_shape(params);
  if (!shape) return reject(Rejection::bad_encoding, shape.error().message);
  if (params.log_trace_length != proto::log2_exact(air.trace_length()) ||
      params.trace_width != air.trace_width())
    return reject(Rejection::air_mismatch, "trace dimensions differ from the AIR's");
  if (params.num_segments != proto::composition_segments(air))
    return reject(Rejection::air_mismatch,
                  "composition segment count differs from the AIR's constraint degrees");
  if (shape->security_bits < options.min_security_bits)
    return reject(Rejection::params_below_security,
                  "parameters give " + std::to_string(shape->security_bits) +
                      " bits of conjectured security, below the required " +
                      std::to_string(options.min_security_bits));
  if (options.pinned) {
    PinnedParams carried;
    carried.blowup = 1u << params.log_blowup;
    carried.num_queries = params.num_queries;
    carried.grinding_bits = params.grinding_bits;
    carried.folding_factor = kFoldingFactor;  // the only one the encoding admits
    carried.max_remainder_size = 1u << params.log_max_remainder;
    if (carried != *options.pinned)
      return reject(Rejection::params_not_pinned, "parameters (" + describe(carried) +
                                                      ") differ from the pinned ones (" +
                                                      describe(*options.pinned) + ")");
  }
  return *shape;
}

// ---- The AIR at z: the composition recomputed from the trace frame must equal the one the
// committed segments give, C(z) = sum_k S_k(z) z^(kn).
Checked<> check_out_of_domain(const Air& air, const Proof& proof, std::span<const Ext2> alphas,
                              Ext2 z) {
  if (proto::composition_at(air, alphas, proof.ood_current, proof.ood_next, z) !=
      proto::composition_from_segments(proof.ood_composition, z, air.trace_length()))
    return reject(Rejection::ood_mismatch,
                  std::string(rejection_message(Rejection::ood_mismatch)));
  return {};
}

// What the queries are checked against, from the transcript replay.
struct Challenges {
  Ext2 z, zw;
  proto::DeepCoeffs deep;
  std::vector<Ext2> betas;
  std::vector<std::size_t> positions;
};

// ---- Replays the transcript (docs/stark.md §6), checking the out-of-domain frame and the
// proof of work where they enter it.
Checked<Challenges> replay_transcript(const Air& air, const Proof& proof) {
  Challenges ch;
  Transcript transcript = proto::start_transcript(air, proof.params);
  proto::absorb_trace_root(transcript, proof.trace_root);
  const std::vector<Ext2> alphas = proto::draw_composition_coeffs(transcript, air);
  proto::absorb_composition_root(transcript, proof.composition_root);
  ch.z = proto::draw_ood_point(transcript);
  ch.zw = ch.z * field::root_of_unity(proof.params.log_trace_length);
  proto::absorb_ood_frame(transcript, proof.ood_current, proof.ood_next, proof.ood_composition);
  if (auto ok = check_out_of_domain(air, proof, alphas, ch.z); !ok)
    return std::unexpected(ok.error());
  ch.deep =
      proto::draw_deep_coeffs(transcript, proof.ood_current, proof.ood_next, proof.ood_composition);
  ch.betas = fri::replay_challenges(transcript, proof.fri_roots, proof.fri_remainder);
  if (!proto::accept_pow_nonce(transcript, proof.params.grinding_bits, proof.pow_nonce))
    return reject(Rejection::pow_invalid,
                  std::string(rejection_message(Rejection::pow_invalid)));
  ch.positions = proto::draw_query_positions(transcript, proof.params);
  if (ch.positions.size() != proof.queries.size())
    return reject(Rejection::bad_encoding, "query count mismatch");
  return ch;
}

// ---- One query: trace and composition openings, the DEEP value they give, then FRI.
Checked<> check_query(const Proof& proof, const ProofShape& shape, const Challenges& ch,
                      std::size_t q) {
  const std::size_t pos = ch.positions[q];
  const QueryOpening& open = proof.queries[q];
  const std::string where = "query " + std::to_string(q) + ": ";
  if (!verify_path(proof.trace_root, pos, hash_leaf(std::span<const Felt>(open.trace_row)),
                   open.trace_path))
    return reject(Rejection::trace_root_mismatch,
                  where + std::string(rejection_message(Rejection::trace_root_mismatch)));
  if (!verify_path(proof.composition_root, pos,
                   hash_leaf(std::span<const Ext2>(open.composition_row)), open.composition_path))
    return reject(Rejection::composition_root_mismatch,
                  where + std::string(rejection_message(Rejection::composition_root_mismatch)));
  const fri::LayerDomain lde{shape.lde_size, Felt(kDomainOffset)};
  const Ext2 deep = ch.deep.deep_at(lde.point(pos), ch.z, ch.zw, open.trace_row,
                                    open.composition_row);
  const fri::Claim claim{proof.fri_roots, proof.fri_remainder, ch.betas};
  if (auto failure = fri::verify_query(claim, lde, pos, deep, open.fri))
    return reject(failure->reason, where + failure->detail);
  return {};
}

Checked<VerifyReport> verify_checked(const Air& air, std::span<const std::uint8_t> proof_bytes,
                                     const VerifyOptions& options) {
  if (auto ok = proto::check_air(air); !ok)
    return reject(Rejection::air_invalid, ok.error().message);
  auto decoded = deserialize(proof_bytes);
  if (!decoded) return reject(Rejection::bad_encoding, decoded.error().message);
  const Proof& proof = *decoded;
  const ProofShape shape = ROLLUP_TRY(check_params(air, proof.params, options));
  const Challenges challenges = ROLLUP_TRY(replay_transcript(air, proof));
  for (std::size_t q = 0; q < challenges.positions.size(); ++q)
    if (auto ok = check_query(proof, shape, challenges, q); !ok) return std::unexpected(ok.error());

  VerifyReport report;
  report.air_id = air.id();
  report.params = proof.params;
  report.security_bits = shape.security_bits;
  report.proof_size = proof_bytes.size();
  return report;
}

}  // namespace

VerifyOptions VerifyOptions::pinned_to(const ProofOptions& options) {
  VerifyOptions v;
  v.min_security_bits = options.min_security_bits;
  v.pinned = PinnedParams::of(options);
  return v;
}

std::expected<VerifyReport, Rejected> verify_detailed(const Air& air,
                                                      std::span<const std::uint8_t> proof_bytes,
                                                      const VerifyOptions& options) {
  // Allocations are bounded by the proof size limit and the AIR; running out of memory anyway
  // is reported, not thrown.
  try {
    return verify_checked(air, proof_bytes, options);
  } catch (const std::bad_alloc&) {
    return reject(Rejection::out_of_memory,
                  std::string(rejection_message(Rejection::out_of_memory)));
  }
}

Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const VerifyOptions& options) {
  auto report = verify_detailed(air, proof_bytes, options);
  if (!report) return std::unexpected(report.error().error());
  return std::move(*report);
}

Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const ProofOptions& min_options) {
  VerifyOptions options;
  options.min_security_bits = min_options.min_security_bits;
  return verify(air, proof_bytes, options);
}

}  // namespace rollup::stark
