#include "stark/protocol.hpp"

#include <algorithm>
#include <bit>
#include <map>

#include "field/ntt.hpp"

namespace rollup::stark::protocol {

Status check_air(const Air& air) {
  auto bad = [&](const std::string& what) {
    return fail(Errc::bad_input, "AIR " + air.id() + ": " + what);
  };
  const std::size_t w = air.trace_width(), n = air.trace_length();
  if (w < 1 || w > 255) return bad("trace width must be 1..255");
  if (n < 8 || n > (std::size_t{1} << 28) || !std::has_single_bit(n))
    return bad("trace length must be a power of two in 2^3..2^28");
  const auto degrees = air.transition_degrees();
  if (degrees.empty()) return bad("no transition constraints");
  for (unsigned d : degrees)
    if (d < 1 || d > 65) return bad("transition degrees must be 1..65");
  for (std::size_t period : air.periodic_periods())
    if (period == 0 || period > n || !std::has_single_bit(period))
      return bad("a periodic column's period must be a power of two dividing the trace length");
  for (const auto& b : air.boundary_constraints())
    if (b.column >= w || b.row >= n) return bad("boundary constraint outside the trace");
  return {};
}

unsigned composition_segments(const Air& air) {
  const auto degrees = air.transition_degrees();
  unsigned max_degree = degrees.empty() ? 1 : *std::max_element(degrees.begin(), degrees.end());
  return std::max(1u, max_degree - 1);
}

unsigned log2_exact(std::size_t n) { return static_cast<unsigned>(std::countr_zero(n)); }

Result<ProofParams> make_params(const Air& air, const ProofOptions& options) {
  if (auto ok = check_air(air); !ok) return std::unexpected(ok.error());
  if (!std::has_single_bit(options.blowup) || !std::has_single_bit(options.max_remainder_size))
    return fail(Errc::usage, "blowup and remainder size must be powers of two");
  ProofParams p;
  p.log_blowup = log2_exact(options.blowup);
  p.num_queries = options.num_queries;
  p.grinding_bits = options.grinding_bits;
  p.log_max_remainder = log2_exact(options.max_remainder_size);
  p.log_trace_length = log2_exact(air.trace_length());
  p.trace_width = static_cast<unsigned>(air.trace_width());
  p.num_segments = composition_segments(air);
  if (auto shape = proof_shape(p); !shape) return fail(Errc::usage, shape.error().message);
  return p;
}

Transcript start_transcript(const Air& air, const ProofParams& params) {
  Transcript t(kProtocolTag);
  const std::string id = air.id();
  t.absorb(kLabelAir, std::span(reinterpret_cast<const std::uint8_t*>(id.data()), id.size()));
  t.absorb(kLabelParams, encode_params(params));
  t.absorb(kLabelPublic, air.public_inputs());
  return t;
}

void absorb_trace_root(Transcript& transcript, const Digest& root) {
  transcript.absorb(kLabelTraceRoot, root);
}

std::vector<Ext2> draw_composition_coeffs(Transcript& transcript, const Air& air) {
  std::vector<Ext2> alphas(air.transition_degrees().size() + air.boundary_constraints().size());
  for (auto& a : alphas) a = transcript.draw_ext(kLabelCompositionCoeff);
  return alphas;
}

void absorb_composition_root(Transcript& transcript, const Digest& root) {
  transcript.absorb(kLabelCompositionRoot, root);
}

Ext2 draw_ood_point(Transcript& transcript) {
  for (;;) {
    Ext2 z = transcript.draw_ext(kLabelOodPoint);
    if (!z.in_base_field()) return z;
  }
}

void absorb_ood_frame(Transcript& transcript, std::span<const Ext2> current,
                      std::span<const Ext2> next, std::span<const Ext2> composition) {
  std::vector<Ext2> frame(current.begin(), current.end());
  frame.insert(frame.end(), next.begin(), next.end());
  frame.insert(frame.end(), composition.begin(), composition.end());
  transcript.absorb_ext(kLabelOod, frame);
}

DeepCoeffs draw_deep_coeffs(Transcript& transcript, std::span<const Ext2> current,
                            std::span<const Ext2> next, std::span<const Ext2> composition) {
  DeepCoeffs dc;
  dc.gamma.resize(current.size());
  dc.gamma_next.resize(next.size());
  dc.delta.resize(composition.size());
  for (auto& v : dc.gamma) v = transcript.draw_ext(kLabelDeepCoeff);
  for (auto& v : dc.gamma_next) v = transcript.draw_ext(kLabelDeepCoeff);
  for (auto& v : dc.delta) v = transcript.draw_ext(kLabelDeepCoeff);
  for (std::size_t c = 0; c < current.size(); ++c) {
    dc.at_z += dc.gamma[c] * current[c];
    dc.at_zw += dc.gamma_next[c] * next[c];
  }
  for (std::size_t k = 0; k < composition.size(); ++k) dc.at_z += dc.delta[k] * composition[k];
  return dc;
}

Ext2 DeepCoeffs::deep_at(Felt x, Ext2 z, Ext2 zw, std::span<const Felt> trace_row,
                         std::span<const Ext2> composition_row) const {
  Ext2 num_z = -at_z, num_zw = -at_zw;
  for (std::size_t c = 0; c < trace_row.size(); ++c) {
    num_z += gamma[c] * trace_row[c];
    num_zw += gamma_next[c] * trace_row[c];
  }
  for (std::size_t k = 0; k < composition_row.size(); ++k) num_z += delta[k] * composition_row[k];
  return num_z * (Ext2(x) - z).inverse() + num_zw * (Ext2(x) - zw).inverse();
}

Ext2 draw_fri_fold(Transcript& transcript, const Digest& layer_root) {
  transcript.absorb(kLabelFriRoot, layer_root);
  return transcript.draw_ext(kLabelFriFold);
}

void absorb_fri_remainder(Transcript& transcript, std::span<const Ext2> remainder) {
  transcript.absorb_ext(kLabelFriRemainder, remainder);
}

namespace {
void absorb_pow_nonce(Transcript& transcript, std::uint64_t nonce) {
  transcript.absorb(kLabelPowNonce, ByteWriter().u64(nonce).bytes());
}
}  // namespace

std::uint64_t grind(Transcript& transcript, unsigned grinding_bits) {
  const std::uint64_t nonce = transcript.grind(grinding_bits);
  absorb_pow_nonce(transcript, nonce);
  return nonce;
}

bool accept_pow_nonce(Transcript& transcript, unsigned grinding_bits, std::uint64_t nonce) {
  if (!transcript.pow_ok(grinding_bits, nonce)) return false;
  absorb_pow_nonce(transcript, nonce);
  return true;
}

std::vector<std::size_t> draw_query_positions(Transcript& transcript, const ProofParams& params) {
  const std::size_t lde_size = std::size_t{1} << (params.log_trace_length + params.log_blowup);
  return transcript.draw_positions(kLabelQueries, params.num_queries, lde_size);
}

std::vector<std::vector<Felt>> periodic_polynomials(const Air& air) {
  auto columns = air.periodic_columns();
  for (auto& col : columns) field::intt(std::span<Felt>(col));
  return columns;
}

std::vector<BoundaryGroup> group_boundaries(const Air& air) {
  std::map<std::size_t, BoundaryGroup> by_row;
  const auto constraints = air.boundary_constraints();
  const std::size_t first_coeff = air.transition_degrees().size();
  for (std::size_t i = 0; i < constraints.size(); ++i) {
    auto& g = by_row[constraints[i].row];
    g.row = constraints[i].row;
    g.columns.push_back(constraints[i].column);
    g.values.push_back(constraints[i].value);
    g.coeff_index.push_back(first_coeff + i);
  }
  std::vector<BoundaryGroup> out;
  for (auto& [row, g] : by_row) out.push_back(std::move(g));
  return out;
}

Ext2 composition_at(const Air& air, std::span<const Ext2> alphas, std::span<const Ext2> current,
                    std::span<const Ext2> next, Ext2 z) {
  const std::size_t n = air.trace_length();
  const Felt omega_n = field::root_of_unity(log2_exact(n));
  std::vector<Ext2> periodic(air.periodic_periods().size());
  if (!air.periodic_values_at(z, periodic)) {
    const auto periodic_polys = periodic_polynomials(air);
    periodic.resize(periodic_polys.size());
    for (std::size_t k = 0; k < periodic.size(); ++k)
      periodic[k] = field::evaluate_polynomial(std::span<const Felt>(periodic_polys[k]),
                                               z.pow(n / periodic_polys[k].size()));
  }
  const std::size_t num_transitions = air.transition_degrees().size();
  std::vector<Ext2> out(num_transitions);
  air.evaluate_transition_ext(current, next, periodic, out);
  Ext2 transitions;
  for (std::size_t k = 0; k < num_transitions; ++k) transitions += alphas[k] * out[k];
  // z is outside F_p, so z^n != 1 and z != w^row: every divisor below is invertible.
  Ext2 result = transitions * (z - omega_n.pow(n - 1)) * (z.pow(n) - Felt::one()).inverse();
  for (const auto& gr : group_boundaries(air)) {
    Ext2 sum;
    for (std::size_t m = 0; m < gr.columns.size(); ++m)
      sum += alphas[gr.coeff_index[m]] * (current[gr.columns[m]] - gr.values[m]);
    result += sum * (z - omega_n.pow(gr.row)).inverse();
  }
  return result;
}

Ext2 composition_from_segments(std::span<const Ext2> segments, Ext2 z, std::size_t n) {
  const Ext2 zn = z.pow(n);
  Ext2 acc;
  for (std::size_t k = segments.size(); k-- > 0;) acc = acc * zn + segments[k];
  return acc;
}

}  // namespace rollup::stark::protocol
