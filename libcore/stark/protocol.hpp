#pragma once
// Pieces of the protocol that the prover and the verifier must compute identically: parameter
// derivation from an AIR, the transcript's opening messages, the out-of-domain point, periodic
// column polynomials and constraint divisors (the FRI fold is fri::fold_coset). Internal to stark/.
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "field/ext2.hpp"
#include "stark/air.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"
#include "stark/transcript.hpp"

namespace rollup::stark::protocol {

inline constexpr std::string_view kProtocolTag = "rollup-stark/air-fri/v1";

// Transcript labels, in the order they are used.
inline constexpr std::string_view kLabelAir = "air-id";
inline constexpr std::string_view kLabelParams = "params";
inline constexpr std::string_view kLabelPublic = "public-inputs";
inline constexpr std::string_view kLabelTraceRoot = "trace-root";
inline constexpr std::string_view kLabelCompositionCoeff = "composition-coeff";
inline constexpr std::string_view kLabelCompositionRoot = "composition-root";
inline constexpr std::string_view kLabelOodPoint = "ood-point";
inline constexpr std::string_view kLabelOod = "ood-frame";
inline constexpr std::string_view kLabelDeepCoeff = "deep-coeff";
inline constexpr std::string_view kLabelFriRoot = "fri-layer-root";
inline constexpr std::string_view kLabelFriFold = "fri-fold";
inline constexpr std::string_view kLabelFriRemainder = "fri-remainder";
inline constexpr std::string_view kLabelPowNonce = "pow-nonce";
inline constexpr std::string_view kLabelQueries = "query-positions";

/// The out-of-domain frame: the trace columns at z and at z * w_n, the composition segments at z.
struct OodFrame {
  std::vector<Ext2> current, next, composition;
};

/// The checks every AIR must pass before it is proven or verified against (Errc::bad_input: an
/// AIR's shape may come from a claimed statement, e.g. a trace length read from a request).
Status check_air(const Air& air);

/// Composition segments for this AIR: max(1, max transition degree - 1).
unsigned composition_segments(const Air& air);

/// log2 of a power of two.
unsigned log2_exact(std::size_t n);

/// The parameters a proof of this AIR under these options carries.
Result<ProofParams> make_params(const Air& air, const ProofOptions& options);

// ---- The transcript steps (docs/stark.md §6), in order. The prover and the verifier take
// every challenge through these, never from the transcript directly, so that the two sides
// cannot drift apart.

/// Steps 1-3: a fresh transcript that has absorbed the AIR id, the proof parameters and the
/// public inputs.
Transcript start_transcript(const Air& air, const ProofParams& params);

/// Step 4.
void absorb_trace_root(Transcript& transcript, const Digest& root);

/// Step 5: the composition coefficients, one per transition constraint, then one per boundary
/// constraint, in the AIR's order.
std::vector<Ext2> draw_composition_coeffs(Transcript& transcript, const Air& air);

/// Step 6.
void absorb_composition_root(Transcript& transcript, const Digest& root);

/// Step 7: the DEEP point z, drawn until it lies outside the base field, hence outside every
/// evaluation domain and away from every pole of the constraint divisors.
Ext2 draw_ood_point(Transcript& transcript);

/// Step 8: T(z), T(z w_n), S(z), in that order.
void absorb_ood_frame(Transcript& transcript, std::span<const Ext2> current,
                      std::span<const Ext2> next, std::span<const Ext2> composition);

/// The DEEP coefficients and what they make of the out-of-domain frame:
///   DEEP(x) = (sum_c gamma_c T_c(x) + sum_k delta_k S_k(x) - at_z) / (x - z)
///           + (sum_c gamma_next_c T_c(x) - at_zw) / (x - z w_n).
struct DeepCoeffs {
  std::vector<Ext2> gamma, gamma_next, delta;
  Ext2 at_z;   ///< sum_c gamma_c T_c(z) + sum_k delta_k S_k(z)
  Ext2 at_zw;  ///< sum_c gamma_next_c T_c(z w_n)

  /// DEEP at the LDE point x from the trace row and the composition row opened there.
  Ext2 deep_at(Felt x, Ext2 z, Ext2 zw, std::span<const Felt> trace_row,
               std::span<const Ext2> composition_row) const;
};

/// Step 9: gamma (one per trace column), gamma_next (one per column), delta (one per segment),
/// combined with the frame step 8 absorbed.
DeepCoeffs draw_deep_coeffs(Transcript& transcript, std::span<const Ext2> current,
                            std::span<const Ext2> next, std::span<const Ext2> composition);

/// Step 10, once per FRI layer: absorbs the layer's root, draws its fold challenge.
Ext2 draw_fri_fold(Transcript& transcript, const Digest& layer_root);

/// Step 11: the remainder's coefficients.
void absorb_fri_remainder(Transcript& transcript, std::span<const Ext2> remainder);

/// Steps 12-13 for the prover: the least nonce meeting the grinding target, then absorbed.
std::uint64_t grind(Transcript& transcript, unsigned grinding_bits);

/// Steps 12-13 for the verifier: false when `nonce` misses the grinding target; otherwise it is
/// absorbed.
bool accept_pow_nonce(Transcript& transcript, unsigned grinding_bits, std::uint64_t nonce);

/// Step 14: params.num_queries distinct positions in the LDE domain, in the order drawn.
std::vector<std::size_t> draw_query_positions(Transcript& transcript, const ProofParams& params);

/// Coefficients of each periodic column as a polynomial in y = x^(n / period).
std::vector<std::vector<Felt>> periodic_polynomials(const Air& air);

/// Boundary constraints that share a row share the divisor (x - w^row).
struct BoundaryGroup {
  std::size_t row = 0;
  std::vector<std::size_t> columns;
  std::vector<Felt> values;
  std::vector<std::size_t> coeff_index;  ///< index into the composition coefficients
};
std::vector<BoundaryGroup> group_boundaries(const Air& air);

/// The composition polynomial at z recomputed from the out-of-domain trace frame (the trace
/// columns at z and at z * w), with `alphas` the composition coefficients (transitions first,
/// then boundary constraints in the AIR's order). z must lie outside F_p.
Ext2 composition_at(const Air& air, std::span<const Ext2> alphas, std::span<const Ext2> current,
                    std::span<const Ext2> next, Ext2 z);

/// sum_k segments[k] * z^(k n): the composition polynomial at z from its segments' values.
Ext2 composition_from_segments(std::span<const Ext2> segments, Ext2 z, std::size_t n);

}  // namespace rollup::stark::protocol
