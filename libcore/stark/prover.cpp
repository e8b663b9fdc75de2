#include "stark/prover.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <mutex>
#include <new>
#include <string>
#include <system_error>

#include "field/ntt.hpp"
#include "core/parallel.hpp"
#include "stark/merkle.hpp"
#include "stark/protocol.hpp"

namespace rollup::stark {
namespace {

using Clock = std::chrono::steady_clock;
namespace proto = protocol;

// Work is split into chunks of this many LDE points so that per-chunk batch inversions and
// scratch rows stay in cache.
constexpr std::size_t kChunk = 1024;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs fn(i) for each of `count` independent columns: across threads when there are enough
// columns, otherwise one column at a time with the threads inside (fn's second argument).
// Threads take columns in turn: columns may differ in cost (periodic ones of different periods).
// Columns left over from a multiple of the thread count (say the last of 7 composition segments
// on 2 threads) get all the threads inside, rather than one thread while the others idle.
template <class Fn>
void for_each_column(std::size_t count, unsigned threads, Fn&& fn) {
  if (count >= threads) {
    const std::size_t whole = count - count % threads;
    parallel_blocks(whole, threads, 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) fn(i, 1u);
    });
    for (std::size_t i = whole; i < count; ++i) fn(i, threads);
  } else {
    for (std::size_t i = 0; i < count; ++i) fn(i, threads);
  }
}

// Deterministic filler for the FRI-substitution fault (any unrelated polynomial will do).
Felt splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return Felt(z ^ (z >> 31));
}

std::vector<Ext2> unrelated_polynomial_evaluations(std::size_t degree_bound, std::size_t size,
                                                   Felt shift, std::uint64_t seed) {
  std::vector<Ext2> values(size);
  for (std::size_t i = 0; i < degree_bound; ++i) {
    Felt re = splitmix(seed);
    values[i] = Ext2(re, splitmix(seed));
  }
  field::coset_ntt(std::span<Ext2>(values), shift);
  return values;
}

// The honest prover refuses a trace that breaks the AIR: it names the first bad cell or row.
// Boundary constraints are checked before anything else (a few cells); the transition
// constraints only once the composition polynomial has exceeded its degree bound. That bound
// holds exactly when the random combination of the constraints vanishes on every row, so it is
// the check, folded into the constraint evaluation the prover runs anyway (a bad trace escapes
// it with probability about 1/p^2 over the coefficients, and the verifier still rejects it);
// re-evaluating every constraint on every row up front only names the row. The bound catches
// every bad row only when the composition is evaluated on more points than its degree bound
// (2^ceil(log2 D) > D segments, see below); otherwise the transitions are checked up front.
Status check_boundaries(const Air& air, const Trace& trace) {
  for (const auto& b : air.boundary_constraints())
    if (trace.at(b.column, b.row) != b.value)
      return fail(Errc::bad_input, "trace breaks the boundary constraint on column " +
                                       std::to_string(b.column) + " at row " +
                                       std::to_string(b.row));
  return {};
}

Status check_transitions(const Air& air, const Trace& trace, unsigned threads) {
  const std::size_t n = trace.length(), w = trace.width();
  const auto periodic = air.periodic_columns();
  const std::size_t num = air.transition_degrees().size();
  std::mutex mutex;
  std::size_t bad_row = n, bad_constraint = 0;  // the lowest failing row wins
  parallel_for(
      n - 1, threads,
      [&](std::size_t begin, std::size_t end) {
        std::vector<Felt> cur(w), next(w), per(periodic.size()), out(num);
        for (std::size_t r = begin; r < end; ++r) {
          for (std::size_t c = 0; c < w; ++c) {
            cur[c] = trace.at(c, r);
            next[c] = trace.at(c, r + 1);
          }
          for (std::size_t p = 0; p < periodic.size(); ++p)
            per[p] = periodic[p][r & (periodic[p].size() - 1)];  // periods are powers of two
          air.evaluate_transition(cur, next, per, out);
          for (std::size_t k = 0; k < num; ++k) {
            if (out[k] == Felt::zero()) continue;
            std::lock_guard lock(mutex);
            if (r < bad_row) bad_row = r, bad_constraint = k;
            return;
          }
        }
      },
      256);
  if (bad_row < n)
    return fail(Errc::bad_input, "trace breaks transition constraint " +
                                     std::to_string(bad_constraint) + " between rows " +
                                     std::to_string(bad_row) + " and " +
                                     std::to_string(bad_row + 1));
  return {};
}

Result<Proof> prove_checked(const Air& air, const Trace& trace, const ProofOptions& options,
                            unsigned threads, const ProverFaults& faults);

}  // namespace

Result<Proof> prove(const Air& air, const Trace& trace, const ProofOptions& options,
                    unsigned threads) {
  return prove_with_faults(air, trace, options, threads, ProverFaults{});
}

Result<Proof> prove_with_faults(const Air& air, const Trace& trace, const ProofOptions& options,
                                unsigned threads, const ProverFaults& faults) {
  // The only exceptions below are resource exhaustion (memory, threads); they become errors.
  try {
    return prove_checked(air, trace, options, threads, faults);
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "stark prover: out of memory");
  } catch (const std::system_error& e) {
    return fail(Errc::internal, std::string("stark prover: ") + e.what());
  }
}

namespace {

Result<Proof> prove_checked(const Air& air, const Trace& trace, const ProofOptions& options,
                            unsigned threads, const ProverFaults& faults) {
  const auto t_start = Clock::now();
  threads = std::max(1u, threads);
  auto params = proto::make_params(air, options);
  if (!params) return std::unexpected(params.error());
  auto shape = proof_shape(*params);
  if (!shape) return fail(Errc::usage, shape.error().message);
  if (shape->security_bits < options.min_security_bits)
    return fail(Errc::usage, "options give " + std::to_string(shape->security_bits) +
                                 " bits of conjectured security, below the required " +
                                 std::to_string(options.min_security_bits));
  if (trace.width() != air.trace_width() || trace.length() != air.trace_length())
    return fail(Errc::bad_input, "trace dimensions differ from the AIR's");

  Proof proof;
  proof.params = *params;
  ProverTimings& timings = proof.timings;
  const std::size_t n = trace.length(), w = trace.width();
  const std::size_t blowup = std::size_t{1} << params->log_blowup;
  const std::size_t N = shape->lde_size;
  const std::size_t D = params->num_segments;
  const Felt g(kDomainOffset);
  const Felt omega_n = field::root_of_unity(params->log_trace_length);
  const Felt omega_N = field::root_of_unity(shape->log_lde_size);

  // ---- Trace: checks, interpolation, LDE on the coset g<w_N>, commitment.
  auto t_phase = Clock::now();
  if (!faults.any()) {
    if (auto ok = check_boundaries(air, trace); !ok) return std::unexpected(ok.error());
    if (std::bit_ceil(D) == D)
      if (auto ok = check_transitions(air, trace, threads); !ok) return std::unexpected(ok.error());
  }
  std::vector<std::vector<Felt>> trace_coeffs(w), trace_lde(w);
  for_each_column(w, threads, [&](std::size_t c, unsigned inner) {
    trace_coeffs[c] = trace.column(c);
    field::intt(std::span<Felt>(trace_coeffs[c]), inner);
    trace_lde[c].assign(N, Felt::zero());
    std::copy(trace_coeffs[c].begin(), trace_coeffs[c].end(), trace_lde[c].begin());
    field::coset_ntt(std::span<Felt>(trace_lde[c]), g, inner);
  });
  MerkleTree trace_tree(hash_rows<Felt>(trace_lde, threads), threads);
  proof.trace_root = trace_tree.root();
  Transcript transcript = proto::start_transcript(air, *params);
  transcript.absorb(proto::kLabelTraceRoot, proof.trace_root);
  timings.trace = seconds_since(t_phase);

  // ---- Constraint evaluation: C(x) = sum_j a_j T_j(x) (x - w^(n-1)) / (x^n - 1)
  //                                   + sum_b a_b (t_col(x) - v_b) / (x - w^row_b).
  t_phase = Clock::now();
  const std::size_t num_transitions = air.transition_degrees().size();
  const auto groups = proto::group_boundaries(air);
  const std::size_t num_coeffs = num_transitions + air.boundary_constraints().size();
  std::vector<Ext2> alphas(num_coeffs);
  for (auto& a : alphas) a = transcript.draw_ext(proto::kLabelCompositionCoeff);

  // The composition polynomial has degree < D n, so it is evaluated on the smallest coset
  // g<w_(ce n)> with ce = 2^ceil(log2 D) <= blowup: a sub-coset of the LDE domain, whose point i
  // is LDE point i * stride. For an AIR of degree 2 or less this is blowup times less work.
  const std::size_t ce_blowup = std::bit_ceil(D);
  const std::size_t ce_size = ce_blowup * n, stride = N / ce_size;
  const Felt omega_ce = field::root_of_unity(proto::log2_exact(ce_size));
  // Periodic column k with period p is a polynomial in y = x^(n/p); on that coset y runs over
  // g^(n/p) <w_(ce p)>, so ce * p evaluations cover it.
  // Interpolated here rather than by proto::periodic_polynomials so that the columns as long
  // as the trace are interpolated in parallel too.
  auto periodic_polys = air.periodic_columns();
  std::vector<std::vector<Felt>> periodic_lde(periodic_polys.size());
  // Columns as long as the trace cost as much as a trace column's LDE: spread them.
  for_each_column(periodic_polys.size(), threads, [&](std::size_t k, unsigned inner) {
    field::intt(std::span<Felt>(periodic_polys[k]), inner);
    const std::size_t period = periodic_polys[k].size();
    periodic_lde[k].assign(ce_blowup * period, Felt::zero());
    std::copy(periodic_polys[k].begin(), periodic_polys[k].end(), periodic_lde[k].begin());
    periodic_polys[k] = {};
    field::coset_ntt(std::span<Felt>(periodic_lde[k]), g.pow(n / period), inner);
  });
  // x^n on the coset takes only `ce_blowup` values: g^n * w_ce^i.
  std::vector<Felt> transition_zinv(ce_blowup);
  {
    const Felt gn = g.pow(n), w_b = field::root_of_unity(proto::log2_exact(ce_blowup));
    Felt acc = gn;
    for (auto& v : transition_zinv) {
      v = acc - Felt::one();
      acc *= w_b;
    }
    field::batch_inverse(std::span<Felt>(transition_zinv));
  }
  const Felt last_row_point = omega_n.pow(n - 1);
  std::vector<Felt> group_points(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) group_points[k] = omega_n.pow(groups[k].row);

  std::vector<Ext2> composition(ce_size);
  // Per point the random combination of the constraint values is one delayed-reduction sum
  // (the constraints are base-field values, the coefficients extension ones).
  // Rows are gathered column by column, kRowBlock points at a time, into row-major scratch:
  // each column is then read as a short contiguous run instead of one scattered element per
  // point across ~100 column streams at once.
  constexpr std::size_t kRowBlock = 64;
  const std::size_t num_periodic = periodic_lde.size();
  parallel_blocks(ce_size, threads, kChunk, [&](std::size_t c0, std::size_t c1) {
    std::vector<Felt> cur(kRowBlock * w), next(kRowBlock * w), per(kRowBlock * num_periodic);
    std::vector<Felt> out(num_transitions);
    const std::size_t len = c1 - c0;
    std::vector<Felt> xs(len);
    std::vector<std::vector<Felt>> binv(groups.size(), std::vector<Felt>(len));
    Felt x = g * omega_ce.pow(c0);
    for (std::size_t j = 0; j < len; ++j, x *= omega_ce) xs[j] = x;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      for (std::size_t j = 0; j < len; ++j) binv[k][j] = xs[j] - group_points[k];
      field::batch_inverse(std::span<Felt>(binv[k]));
    }
    for (std::size_t r0 = 0; r0 < len; r0 += kRowBlock) {
      const std::size_t rows = std::min(kRowBlock, len - r0), i0 = c0 + r0;
      for (std::size_t c = 0; c < w; ++c) {
        const Felt* column = trace_lde[c].data();
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t li = (i0 + r) * stride;
          cur[r * w + c] = column[li];
          next[r * w + c] = column[(li + blowup) & (N - 1)];
        }
      }
      for (std::size_t k = 0; k < num_periodic; ++k) {
        const Felt* column = periodic_lde[k].data();
        const std::size_t mask = periodic_lde[k].size() - 1;  // a division costs more than the constraint
        for (std::size_t r = 0; r < rows; ++r) per[r * num_periodic + k] = column[(i0 + r) & mask];
      }
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t i = i0 + r, j = r0 + r;
        const std::span<const Felt> row(cur.data() + r * w, w);
        air.evaluate_transition(row, std::span<const Felt>(next.data() + r * w, w),
                                std::span<const Felt>(per.data() + r * num_periodic, num_periodic),
                                out);
        field::Ext2Accumulator sum;
        for (std::size_t k = 0; k < num_transitions; ++k) sum.add_product(alphas[k], out[k]);
        Ext2 acc = sum.reduce() * ((xs[j] - last_row_point) * transition_zinv[i % ce_blowup]);
        for (std::size_t k = 0; k < groups.size(); ++k) {
          field::Ext2Accumulator bsum;
          const auto& gr = groups[k];
          for (std::size_t m = 0; m < gr.columns.size(); ++m)
            bsum.add_product(alphas[gr.coeff_index[m]], row[gr.columns[m]] - gr.values[m]);
          acc += bsum.reduce() * binv[k][j];
        }
        composition[i] = acc;
      }
    }
  });
  timings.constraints = seconds_since(t_phase);

  // ---- Composition polynomial: interpolate, split into D segments of degree < n, commit.
  t_phase = Clock::now();
  field::coset_intt(std::span<Ext2>(composition), g, threads);
  if (!faults.any()) {
    for (std::size_t i = D * n; i < ce_size; ++i)
      if (composition[i] != Ext2::zero()) {
        if (auto ok = check_transitions(air, trace, threads); !ok)
          return std::unexpected(ok.error());
        return fail(Errc::bad_input,
                    "trace does not satisfy the AIR: the composition polynomial exceeds its "
                    "degree bound");
      }
  }
  composition.resize(D * n);
  composition.shrink_to_fit();
  std::vector<std::vector<Ext2>> segment_lde(D);
  for_each_column(D, threads, [&](std::size_t k, unsigned inner) {
    segment_lde[k].assign(N, Ext2::zero());
    std::copy_n(composition.begin() + static_cast<std::ptrdiff_t>(k * n), n,
                segment_lde[k].begin());
    field::coset_ntt(std::span<Ext2>(segment_lde[k]), g, inner);
  });
  MerkleTree composition_tree(hash_rows<Ext2>(segment_lde, threads), threads);
  proof.composition_root = composition_tree.root();
  transcript.absorb(proto::kLabelCompositionRoot, proof.composition_root);
  timings.composition = seconds_since(t_phase);

  // ---- DEEP: open at z and z*w, then form
  //   DEEP(x) = sum_c [g_c (T_c(x) - T_c(z)) / (x - z) + h_c (T_c(x) - T_c(zw)) / (x - zw)]
  //           + sum_k d_k (S_k(x) - S_k(z)) / (x - z).
  t_phase = Clock::now();
  const Ext2 z = proto::draw_ood_point(transcript);
  const Ext2 zw = z * omega_n;
  proof.ood_current.resize(w);
  proof.ood_next.resize(w);
  proof.ood_composition.resize(D);
  {
    // Every column is evaluated at the same two points: with their powers tabulated once, each
    // evaluation is a delayed-reduction dot product instead of a Horner chain of full products.
    std::vector<Ext2> z_pow(n), zw_pow(n);
    parallel_for(2, threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t t = b; t < e; ++t) {
        auto& table = t == 0 ? z_pow : zw_pow;
        const Ext2 base = t == 0 ? z : zw;
        Ext2 acc = Ext2::one();
        for (auto& v : table) v = acc, acc *= base;
      }
    });
    parallel_blocks(w + D, threads, 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t c = b; c < e; ++c) {
        if (c < w) {
          field::Ext2Accumulator at, at_next;
          const auto& coeffs = trace_coeffs[c];
          for (std::size_t i = 0; i < n; ++i) {
            at.add_product(z_pow[i], coeffs[i]);
            at_next.add_product(zw_pow[i], coeffs[i]);
          }
          proof.ood_current[c] = at.reduce();
          proof.ood_next[c] = at_next.reduce();
        } else {
          const std::size_t k = c - w;
          field::Ext2Accumulator at;
          const Ext2* coeffs = composition.data() + k * n;
          for (std::size_t i = 0; i < n; ++i) at.add_product(z_pow[i], coeffs[i]);
          proof.ood_composition[k] = at.reduce();
        }
      }
    });
  }
  trace_coeffs = {};
  composition = {};
  if (faults.alter_ood) {
    // Lie about T_0(z) and patch the first segment so that the out-of-domain check still
    // passes: only the DEEP/FRI low-degree test can catch this.
    proof.ood_current[0] += Ext2::one();
    const Ext2 claimed = proto::composition_at(air, alphas, proof.ood_current, proof.ood_next, z);
    const Ext2 actual = proto::composition_from_segments(proof.ood_composition, z, n);
    proof.ood_composition[0] += claimed - actual;
  }
  {
    std::vector<Ext2> frame = proof.ood_current;
    frame.insert(frame.end(), proof.ood_next.begin(), proof.ood_next.end());
    frame.insert(frame.end(), proof.ood_composition.begin(), proof.ood_composition.end());
    transcript.absorb_ext(proto::kLabelOod, frame);
  }
  std::vector<Ext2> gamma(w), gamma_next(w), delta(D);
  for (auto& v : gamma) v = transcript.draw_ext(proto::kLabelDeepCoeff);
  for (auto& v : gamma_next) v = transcript.draw_ext(proto::kLabelDeepCoeff);
  for (auto& v : delta) v = transcript.draw_ext(proto::kLabelDeepCoeff);
  Ext2 at_z, at_zw;
  for (std::size_t c = 0; c < w; ++c) {
    at_z += gamma[c] * proof.ood_current[c];
    at_zw += gamma_next[c] * proof.ood_next[c];
  }
  for (std::size_t k = 0; k < D; ++k) at_z += delta[k] * proof.ood_composition[k];

  std::vector<Ext2> deep(N);
  parallel_blocks(
      N, threads, kChunk,
      [&](std::size_t begin, std::size_t end) {
        std::vector<Ext2> inv_z(kChunk), inv_zw(kChunk);
        for (std::size_t c0 = begin; c0 < end; c0 += kChunk) {
          const std::size_t len = std::min(kChunk, end - c0);
          Felt x = g * omega_N.pow(c0);
          for (std::size_t j = 0; j < len; ++j, x *= omega_N) {
            inv_z[j] = Ext2(x) - z;
            inv_zw[j] = Ext2(x) - zw;
          }
          field::batch_inverse(std::span<Ext2>(inv_z.data(), len));
          field::batch_inverse(std::span<Ext2>(inv_zw.data(), len));
          for (std::size_t j = 0; j < len; ++j) {
            const std::size_t i = c0 + j;
            field::Ext2Accumulator sum_z, sum_zw;
            for (std::size_t c = 0; c < w; ++c) {
              const Felt t = trace_lde[c][i];
              sum_z.add_product(gamma[c], t);
              sum_zw.add_product(gamma_next[c], t);
            }
            for (std::size_t k = 0; k < D; ++k) sum_z.add_product(delta[k], segment_lde[k][i]);
            deep[i] = (sum_z.reduce() - at_z) * inv_z[j] + (sum_zw.reduce() - at_zw) * inv_zw[j];
          }
        }
      });
  timings.deep = seconds_since(t_phase);

  // ---- FRI: commit each layer by cosets of 4, fold with a fresh challenge, send the remainder.
  t_phase = Clock::now();
  const unsigned layers = shape->fri_layers;
  std::vector<std::vector<Ext2>> layer_values;
  std::vector<MerkleTree> layer_trees;
  layer_values.reserve(layers);
  layer_trees.reserve(layers);
  std::vector<Ext2> current = std::move(deep);
  Felt shift = g;
  for (unsigned layer = 0; layer <= layers; ++layer) {
    const std::size_t size = current.size();
    if (faults.fri_substitute_layer == static_cast<int>(layer)) {
      const std::size_t bound =
          layer == layers ? shape->remainder_size : std::max<std::size_t>(1, n >> (2 * layer));
      current = unrelated_polynomial_evaluations(bound, size, shift, 0x5eed + layer);
    }
    if (layer == layers) break;
    const std::size_t quarter = size / 4;
    std::vector<Digest> leaves(quarter);
    parallel_for(
        quarter, threads,
        [&](std::size_t b, std::size_t e) {
          for (std::size_t j = b; j < e; ++j) {
            const std::array<Ext2, 4> coset = {current[j], current[j + quarter],
                                               current[j + 2 * quarter], current[j + 3 * quarter]};
            leaves[j] = hash_leaf(std::span<const Ext2>(coset));
          }
        },
        kChunk);
    layer_trees.emplace_back(std::move(leaves), threads);
    transcript.absorb(proto::kLabelFriRoot, layer_trees.back().root());
    proof.fri_roots.push_back(layer_trees.back().root());
    const Ext2 beta = transcript.draw_ext(proto::kLabelFriFold);

    std::vector<Ext2> folded(quarter);
    const Felt shift_inv = shift.inverse();
    const Felt omega_inv = field::root_of_unity(proto::log2_exact(size)).inverse();
    parallel_for(
        quarter, threads,
        [&](std::size_t b, std::size_t e) {
          Felt x_inv = shift_inv * omega_inv.pow(b);
          for (std::size_t j = b; j < e; ++j, x_inv *= omega_inv) {
            const std::array<Ext2, 4> coset = {current[j], current[j + quarter],
                                               current[j + 2 * quarter], current[j + 3 * quarter]};
            folded[j] = proto::fold4(coset, beta, x_inv);
          }
        },
        kChunk);
    layer_values.push_back(std::move(current));
    current = std::move(folded);
    shift = shift.pow(4);
  }
  field::coset_intt(std::span<Ext2>(current), shift, threads);
  if (!faults.any()) {
    for (std::size_t i = shape->remainder_size; i < current.size(); ++i)
      if (current[i] != Ext2::zero())
        return fail(Errc::internal, "FRI remainder exceeds its degree bound");
  }
  current.resize(shape->remainder_size);
  proof.fri_remainder = std::move(current);
  transcript.absorb_ext(proto::kLabelFriRemainder, proof.fri_remainder);
  timings.fri = seconds_since(t_phase);

  // ---- Grinding, then the query positions.
  t_phase = Clock::now();
  proof.pow_nonce = transcript.grind(params->grinding_bits);
  transcript.absorb(proto::kLabelPowNonce, ByteWriter().u64(proof.pow_nonce).bytes());
  timings.grinding = seconds_since(t_phase);

  t_phase = Clock::now();
  const auto positions = transcript.draw_positions(proto::kLabelQueries, params->num_queries, N);
  proof.queries.resize(positions.size());
  for (std::size_t q = 0; q < positions.size(); ++q) {
    const std::size_t pos = positions[q];
    auto& open = proof.queries[q];
    open.trace_row.resize(w);
    for (std::size_t c = 0; c < w; ++c) open.trace_row[c] = trace_lde[c][pos];
    std::vector<Felt> sibling_row(w);
    for (std::size_t c = 0; c < w; ++c) sibling_row[c] = trace_lde[c][pos ^ 1];
    open.trace_path = trace_tree.path(pos, hash_leaf(std::span<const Felt>(sibling_row)));
    open.composition_row.resize(D);
    for (std::size_t k = 0; k < D; ++k) open.composition_row[k] = segment_lde[k][pos];
    std::vector<Ext2> sibling_segments(D);
    for (std::size_t k = 0; k < D; ++k) sibling_segments[k] = segment_lde[k][pos ^ 1];
    open.composition_path =
        composition_tree.path(pos, hash_leaf(std::span<const Ext2>(sibling_segments)));
    std::size_t p = pos;
    open.fri.resize(layers);
    for (unsigned layer = 0; layer < layers; ++layer) {
      const std::size_t quarter = layer_values[layer].size() / 4;
      const std::size_t j = p % quarter;
      for (std::size_t k = 0; k < 4; ++k)
        open.fri[layer].values[k] = layer_values[layer][j + k * quarter];
      const std::size_t sj = quarter > 1 ? (j ^ 1) : j;  // a one-leaf tree has no sibling
      std::array<Ext2, 4> sibling;
      for (std::size_t k = 0; k < 4; ++k) sibling[k] = layer_values[layer][sj + k * quarter];
      open.fri[layer].path = layer_trees[layer].path(j, hash_leaf(std::span<const Ext2>(sibling)));
      p = j;
    }
  }
  timings.queries = seconds_since(t_phase);
  timings.total = seconds_since(t_start);
  return proof;
}

}  // namespace

}  // namespace rollup::stark
