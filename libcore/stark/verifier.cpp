#include "stark/verifier.hpp"

#include <new>

#include "field/ntt.hpp"
#include "stark/fri.hpp"
#include "stark/merkle.hpp"
#include "stark/protocol.hpp"

namespace rollup::stark {
namespace {

namespace proto = protocol;

std::unexpected<Error> reject(const std::string& why) {
  return fail(Errc::rejected, "stark proof rejected: " + why);
}

Result<VerifyReport> verify_checked(const Air& air, std::span<const std::uint8_t> proof_bytes,
                                    const ProofOptions& min_options) {
  if (auto ok = proto::check_air(air); !ok) return std::unexpected(ok.error());
  auto decoded = deserialize(proof_bytes);
  if (!decoded) return reject(decoded.error().message);
  const Proof& proof = *decoded;
  const ProofParams& params = proof.params;
  auto shape = proof_shape(params);
  if (!shape) return reject(shape.error().message);

  // ---- The proof's shape must be this AIR's, and its parameters strong enough.
  if (params.log_trace_length != proto::log2_exact(air.trace_length()) ||
      params.trace_width != air.trace_width())
    return reject("trace dimensions differ from the AIR's");
  if (params.num_segments != proto::composition_segments(air))
    return reject("composition segment count differs from the AIR's constraint degrees");
  if (shape->security_bits < min_options.min_security_bits)
    return reject("parameters give " + std::to_string(shape->security_bits) +
                  " bits of conjectured security, below the required " +
                  std::to_string(min_options.min_security_bits));

  const std::size_t n = air.trace_length(), N = shape->lde_size;
  const Felt g(kDomainOffset);
  const Felt omega_n = field::root_of_unity(params.log_trace_length);
  const Felt omega_N = field::root_of_unity(shape->log_lde_size);

  // ---- Replay the transcript up to the out-of-domain point.
  Transcript transcript = proto::start_transcript(air, params);
  proto::absorb_trace_root(transcript, proof.trace_root);
  const std::vector<Ext2> alphas = proto::draw_composition_coeffs(transcript, air);
  proto::absorb_composition_root(transcript, proof.composition_root);
  const Ext2 z = proto::draw_ood_point(transcript);
  proto::absorb_ood_frame(transcript, proof.ood_current, proof.ood_next, proof.ood_composition);

  // ---- The AIR at z: the composition recomputed from the trace frame must equal the one
  // the committed segments give, C(z) = sum_k S_k(z) z^(kn).
  if (proto::composition_at(air, alphas, proof.ood_current, proof.ood_next, z) !=
      proto::composition_from_segments(proof.ood_composition, z, n))
    return reject("out-of-domain check: constraints at z disagree with the composition segments");

  // ---- DEEP and FRI challenges, remainder, proof of work, query positions.
  const proto::DeepCoeffs dc =
      proto::draw_deep_coeffs(transcript, proof.ood_current, proof.ood_next, proof.ood_composition);
  const Ext2 zw = z * omega_n;

  const std::vector<Ext2> betas =
      fri::replay_challenges(transcript, proof.fri_roots, proof.fri_remainder);
  const fri::Claim fri_claim{proof.fri_roots, proof.fri_remainder, betas};
  const fri::LayerDomain lde_domain{N, g};
  if (!proto::accept_pow_nonce(transcript, params.grinding_bits, proof.pow_nonce))
    return reject("proof-of-work nonce does not meet the grinding target");
  const auto positions = proto::draw_query_positions(transcript, params);
  if (positions.size() != proof.queries.size()) return reject("query count mismatch");

  // ---- Each query: trace and composition openings, DEEP value, FRI folding chain, remainder.
  for (std::size_t q = 0; q < positions.size(); ++q) {
    const std::size_t pos = positions[q];
    const QueryOpening& open = proof.queries[q];
    const std::string where = "query " + std::to_string(q) + ": ";
    if (!verify_path(proof.trace_root, pos, hash_leaf(std::span<const Felt>(open.trace_row)),
                     open.trace_path))
      return reject(where + "trace opening does not match the trace commitment");
    if (!verify_path(proof.composition_root, pos,
                     hash_leaf(std::span<const Ext2>(open.composition_row)), open.composition_path))
      return reject(where + "composition opening does not match its commitment");

    const Felt x = g * omega_N.pow(pos);
    const Ext2 deep = dc.deep_at(x, z, zw, open.trace_row, open.composition_row);
    if (auto failure = fri::verify_query(fri_claim, lde_domain, pos, deep, open.fri))
      return reject(where + failure->describe(shape->fri_layers));
  }

  VerifyReport report;
  report.air_id = air.id();
  report.params = params;
  report.security_bits = shape->security_bits;
  report.proof_size = proof_bytes.size();
  return report;
}

}  // namespace

Result<VerifyReport> verify(const Air& air, std::span<const std::uint8_t> proof_bytes,
                            const ProofOptions& min_options) {
  // Allocations are bounded by the proof size limit and the AIR; running out of memory anyway
  // is reported, not thrown.
  try {
    return verify_checked(air, proof_bytes, min_options);
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "stark verifier: out of memory");
  }
}

}  // namespace rollup::stark
