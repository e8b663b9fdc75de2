#include "stark/prover.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <system_error>

#include "field/ntt.hpp"
#include "core/parallel.hpp"
#include "stark/faults.hpp"
#include "stark/fri.hpp"
#include "stark/merkle.hpp"
#include "stark/protocol.hpp"

namespace rollup::stark {
namespace {

using Clock = std::chrono::steady_clock;
namespace proto = protocol;

// Work is split into chunks of this many LDE points so that per-chunk batch inversions and
// scratch rows stay in cache.
constexpr std::size_t kChunk = 1024;

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

// ---- The prover's phases. Each takes what it needs and returns what it produced; the
// transcript steps between them are in prove_checked, in the order of docs/stark.md §6.

// Wall-clock seconds since the previous lap, for ProverTimings.
class Stopwatch {
 public:
  double lap() {
    const auto now = Clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  Clock::time_point last_ = Clock::now();
};

// What every phase reads: the statement, the parameters and the domains they imply.
struct ProverContext {
  const Air& air;
  const Trace& trace;
  const FaultHook& faults;
  ProofParams params;
  ProofShape shape;
  unsigned threads = 1;
  std::size_t n = 0, w = 0;  // trace length and width
  std::size_t N = 0;         // LDE domain size
  std::size_t D = 0;         // composition segments
  std::size_t blowup = 0;
  Felt g{kDomainOffset};  // the LDE domain is g <w_N>
  Felt omega_n{}, omega_N{};
};

Result<ProverContext> setup(const Air& air, const Trace& trace, const ProofOptions& options,
                            unsigned threads, const FaultHook& faults) {
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
  ProverContext ctx{air, trace, faults, *params, *shape};
  ctx.threads = std::max(1u, threads);
  ctx.n = trace.length();
  ctx.w = trace.width();
  ctx.N = shape->lde_size;
  ctx.D = params->num_segments;
  ctx.blowup = std::size_t{1} << params->log_blowup;
  ctx.omega_n = field::root_of_unity(params->log_trace_length);
  ctx.omega_N = field::root_of_unity(shape->log_lde_size);
  return ctx;
}

// ---- Trace: checks, interpolation, LDE on the coset g<w_N>, commitment.

// The trace's coefficients are not kept: the out-of-domain values come from the trace's own
// values by the barycentric formula (open_out_of_domain), which costs the same as a dot product
// with the coefficients, so a copy of the trace as large as the trace is saved.
struct TraceCommitment {
  std::vector<std::vector<Felt>> lde;     // each column on the LDE domain
  MerkleTree tree;                        // over the LDE rows
};

Result<TraceCommitment> commit_trace(const ProverContext& ctx) {
  if (ctx.faults.self_checks()) {
    if (auto ok = check_boundaries(ctx.air, ctx.trace); !ok) return std::unexpected(ok.error());
    if (std::bit_ceil(ctx.D) == ctx.D)
      if (auto ok = check_transitions(ctx.air, ctx.trace, ctx.threads); !ok)
        return std::unexpected(ok.error());
  }
  std::vector<std::vector<Felt>> lde(ctx.w);
  for_each_column(ctx.w, ctx.threads, [&](std::size_t c, unsigned inner) {
    lde[c].reserve(ctx.N);
    lde[c] = ctx.trace.column(c);
    field::intt(std::span<Felt>(lde[c]), inner);
    lde[c].resize(ctx.N, Felt::zero());
    field::coset_ntt(std::span<Felt>(lde[c]), ctx.g, inner);
  });
  MerkleTree tree(hash_rows<Felt>(lde, ctx.threads), ctx.threads);
  return TraceCommitment{std::move(lde), std::move(tree)};
}

// ---- Constraint evaluation: C(x) = sum_j a_j T_j(x) (x - w^(n-1)) / (x^n - 1)
//                                   + sum_b a_b (t_col(x) - v_b) / (x - w^row_b).
//
// The composition polynomial has degree < D n, so it is evaluated on the smallest coset
// g<w_(ce n)> with ce = 2^ceil(log2 D) <= blowup: a sub-coset of the LDE domain, whose point i
// is LDE point i * stride. For an AIR of degree 2 or less this is blowup times less work.
//
// That coset is the union of ce cosets of the trace domain, g w^j <w_n> (points i = j + ce m),
// and it is walked one of them at a time: a periodic column as long as the trace (an AIR's public
// data laid along it) is then evaluated on n points at a time, from its coefficients, instead of
// being held on all ce n points at once (sixteen such columns on 2^23 points are a GiB). The
// trace LDE's rows i and i + blowup (the next row) both lie in the same sub-coset.

struct ConstraintDomain {
  std::size_t ce_blowup = 0, size = 0, stride = 0;  // size = ce_blowup * n points
  Felt omega;                                        // generator of <w_size>
  // Periodic column k: for a period p below n, its values on its ce * p points; for a column as
  // long as the trace (`whole[k]`), its coefficients.
  std::vector<std::vector<Felt>> periodic;
  std::vector<bool> whole;
  std::vector<Felt> transition_zinv;        // 1 / (x^n - 1), by point index mod ce_blowup
  Felt last_row_point;                      // w_n^(n-1)
  std::vector<proto::BoundaryGroup> groups;
  std::vector<Felt> group_points;  // w_n^row of each boundary group
};

ConstraintDomain constraint_domain(const ProverContext& ctx) {
  ConstraintDomain dom;
  const std::size_t n = ctx.n;
  dom.ce_blowup = std::bit_ceil(ctx.D);
  dom.size = dom.ce_blowup * n;
  dom.stride = ctx.N / dom.size;
  dom.omega = field::root_of_unity(proto::log2_exact(dom.size));
  // Periodic column k with period p is a polynomial in y = x^(n/p); on that coset y runs over
  // g^(n/p) <w_(ce p)>, so ce * p evaluations cover it.
  // Interpolated here rather than by proto::periodic_polynomials so that the columns as long
  // as the trace are interpolated in parallel too.
  dom.periodic = ctx.air.periodic_columns();
  dom.whole.resize(dom.periodic.size());
  for (std::size_t k = 0; k < dom.periodic.size(); ++k) dom.whole[k] = dom.periodic[k].size() == n;
  // Columns as long as the trace cost as much as a trace column's LDE: spread them.
  for_each_column(dom.periodic.size(), ctx.threads, [&](std::size_t k, unsigned inner) {
    auto& column = dom.periodic[k];
    field::intt(std::span<Felt>(column), inner);
    if (dom.whole[k]) return;  // evaluated one sub-coset at a time
    const std::size_t period = column.size();
    column.resize(dom.ce_blowup * period, Felt::zero());
    field::coset_ntt(std::span<Felt>(column), ctx.g.pow(n / period), inner);
  });
  // x^n on the coset takes only `ce_blowup` values: g^n * w_ce^i.
  dom.transition_zinv.resize(dom.ce_blowup);
  const Felt gn = ctx.g.pow(n), w_b = field::root_of_unity(proto::log2_exact(dom.ce_blowup));
  Felt acc = gn;
  for (auto& v : dom.transition_zinv) {
    v = acc - Felt::one();
    acc *= w_b;
  }
  field::batch_inverse(std::span<Felt>(dom.transition_zinv));
  dom.last_row_point = ctx.omega_n.pow(n - 1);
  dom.groups = proto::group_boundaries(ctx.air);
  dom.group_points.resize(dom.groups.size());
  for (std::size_t k = 0; k < dom.groups.size(); ++k)
    dom.group_points[k] = ctx.omega_n.pow(dom.groups[k].row);
  return dom;
}

// The trace-long periodic columns on sub-coset j (column k at index k; others left empty).
std::vector<std::vector<Felt>> whole_columns_on(const ProverContext& ctx, const ConstraintDomain& dom,
                                                std::size_t j) {
  std::vector<std::vector<Felt>> values(dom.periodic.size());
  std::vector<std::size_t> longs;
  for (std::size_t k = 0; k < dom.periodic.size(); ++k)
    if (dom.whole[k]) longs.push_back(k);
  const Felt shift = ctx.g * dom.omega.pow(j);
  for_each_column(longs.size(), ctx.threads, [&](std::size_t t, unsigned inner) {
    const std::size_t k = longs[t];
    values[k] = dom.periodic[k];
    field::coset_ntt(std::span<Felt>(values[k]), shift, inner);
  });
  return values;
}

// Evaluates the composition on points j + ce m, m in [m0, m1), of the constraint domain, into
// `composition` (indexed by point). `whole_values` are the trace-long periodic columns on
// sub-coset j.
// Per point the random combination of the constraint values is one delayed-reduction sum
// (the constraints are base-field values, the coefficients extension ones).
// Rows are gathered column by column, kRowBlock points at a time, into column-major scratch:
// each column is then read as a short contiguous run instead of one scattered element per point
// across ~100 column streams at once, and the AIR evaluates the block a vector of rows at a time
// (Air::evaluate_transition_rows).
void evaluate_constraint_chunk(const ProverContext& ctx, const ConstraintDomain& dom,
                               const std::vector<std::vector<Felt>>& trace_lde,
                               const std::vector<std::vector<Felt>>& whole_values,
                               std::span<const Ext2> alphas, std::size_t j, std::size_t m0,
                               std::size_t m1, std::span<Ext2> composition) {
  constexpr std::size_t kRowBlock = 64;
  const std::size_t w = ctx.w, num_periodic = dom.periodic.size(), ce = dom.ce_blowup;
  const std::size_t num_transitions = ctx.air.transition_degrees().size();
  const auto& groups = dom.groups;
  std::vector<Felt> cur(kRowBlock * w), next(kRowBlock * w), per(kRowBlock * num_periodic);
  std::vector<Felt> values(kRowBlock * num_transitions);
  std::vector<field::Ext2Accumulator> sums(kRowBlock);
  const std::size_t len = m1 - m0;
  std::vector<Felt> xs(len);
  std::vector<std::vector<Felt>> binv(groups.size(), std::vector<Felt>(len));
  Felt x = ctx.g * dom.omega.pow(j + ce * m0);
  for (std::size_t t = 0; t < len; ++t, x *= ctx.omega_n) xs[t] = x;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    for (std::size_t t = 0; t < len; ++t) binv[k][t] = xs[t] - dom.group_points[k];
    field::batch_inverse(std::span<Felt>(binv[k]));
  }
  const Felt transition_zinv = dom.transition_zinv[j];
  for (std::size_t r0 = 0; r0 < len; r0 += kRowBlock) {
    const std::size_t rows = std::min(kRowBlock, len - r0), mb = m0 + r0;
    for (std::size_t c = 0; c < w; ++c) {
      const Felt* column = trace_lde[c].data();
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t li = (j + ce * (mb + r)) * dom.stride;
        cur[c * kRowBlock + r] = column[li];
        next[c * kRowBlock + r] = column[(li + ctx.blowup) & (ctx.N - 1)];
      }
    }
    for (std::size_t k = 0; k < num_periodic; ++k) {
      Felt* dst = per.data() + k * kRowBlock;
      if (dom.whole[k]) {
        std::copy_n(whole_values[k].data() + mb, rows, dst);
        continue;
      }
      const Felt* column = dom.periodic[k].data();
      const std::size_t mask = dom.periodic[k].size() - 1;  // a division costs more than the constraint
      for (std::size_t r = 0; r < rows; ++r) dst[r] = column[(j + ce * (mb + r)) & mask];
    }
    ctx.air.evaluate_transition_rows({rows, kRowBlock, cur, next, per, values});
    // Constraint by constraint, so that each one's values are read in a row.
    for (std::size_t r = 0; r < rows; ++r) sums[r] = field::Ext2Accumulator();
    for (std::size_t k = 0; k < num_transitions; ++k)
      for (std::size_t r = 0; r < rows; ++r)
        sums[r].add_product(alphas[k], values[k * kRowBlock + r]);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t t = r0 + r;
      Ext2 acc = sums[r].reduce() * ((xs[t] - dom.last_row_point) * transition_zinv);
      for (std::size_t k = 0; k < groups.size(); ++k) {
        field::Ext2Accumulator bsum;
        const auto& gr = groups[k];
        for (std::size_t m = 0; m < gr.columns.size(); ++m)
          bsum.add_product(alphas[gr.coeff_index[m]],
                           cur[gr.columns[m] * kRowBlock + r] - gr.values[m]);
        acc += bsum.reduce() * binv[k][t];
      }
      composition[j + ce * (m0 + t)] = acc;
    }
  }
}

// The composition polynomial's values on the constraint domain (ce * n points).
std::vector<Ext2> evaluate_constraints(const ProverContext& ctx,
                                       const std::vector<std::vector<Felt>>& trace_lde,
                                       std::span<const Ext2> alphas) {
  const ConstraintDomain dom = constraint_domain(ctx);
  std::vector<Ext2> composition(dom.size);
  for (std::size_t j = 0; j < dom.ce_blowup; ++j) {
    const auto whole_values = whole_columns_on(ctx, dom, j);
    parallel_blocks(ctx.n, ctx.threads, kChunk, [&](std::size_t m0, std::size_t m1) {
      evaluate_constraint_chunk(ctx, dom, trace_lde, whole_values, alphas, j, m0, m1,
                                std::span<Ext2>(composition));
    });
  }
  return composition;
}

// ---- Composition polynomial: interpolate, split into D segments of degree < n, commit.

struct CompositionCommitment {
  std::vector<Ext2> coeffs;                   // D n coefficients: segment k is [k n, (k+1) n)
  std::vector<std::vector<Ext2>> segment_lde;  // each segment on the LDE domain
  MerkleTree tree;                            // over the LDE rows of the segments
};

Result<CompositionCommitment> commit_composition(const ProverContext& ctx,
                                                 std::vector<Ext2> composition) {
  const std::size_t n = ctx.n, D = ctx.D;
  field::coset_intt(std::span<Ext2>(composition), ctx.g, ctx.threads);
  if (ctx.faults.self_checks()) {
    for (std::size_t i = D * n; i < composition.size(); ++i)
      if (composition[i] != Ext2::zero()) {
        if (auto ok = check_transitions(ctx.air, ctx.trace, ctx.threads); !ok)
          return std::unexpected(ok.error());
        return fail(Errc::bad_input,
                    "trace does not satisfy the AIR: the composition polynomial exceeds its "
                    "degree bound");
      }
  }
  composition.resize(D * n);
  composition.shrink_to_fit();
  std::vector<std::vector<Ext2>> segment_lde(D);
  for_each_column(D, ctx.threads, [&](std::size_t k, unsigned inner) {
    segment_lde[k].assign(ctx.N, Ext2::zero());
    std::copy_n(composition.begin() + static_cast<std::ptrdiff_t>(k * n), n,
                segment_lde[k].begin());
    field::coset_ntt(std::span<Ext2>(segment_lde[k]), ctx.g, inner);
  });
  MerkleTree tree(hash_rows<Ext2>(segment_lde, ctx.threads), ctx.threads);
  return CompositionCommitment{std::move(composition), std::move(segment_lde), std::move(tree)};
}

// ---- Out of domain: every trace column at z and z w_n, every segment at z.
//
// A trace column T with values t_i on <w_n> is, at a point z off that subgroup,
//   T(z) = (z^n - 1) / n * sum_i t_i w^i / (z - w^i),
// the barycentric formula: the weights w^i / (z - w^i) are shared by every column, so each column
// costs one delayed-reduction dot product, as with its coefficients, and the coefficients need
// not be kept. z on the subgroup (probability about n / p^2) reads the value itself.

// (z^n - 1) / n * w^i / (z - w^i) for every i, or nullopt when z is a point of <w_n>.
std::optional<std::vector<Ext2>> barycentric_weights(const ProverContext& ctx, Ext2 z) {
  const std::size_t n = ctx.n;
  const Ext2 vanishing = z.pow(n) - Felt::one();
  if (vanishing == Ext2::zero()) return std::nullopt;
  std::vector<Ext2> weights(n);
  std::vector<Felt> points(n);
  parallel_blocks(n, ctx.threads, kChunk, [&](std::size_t b, std::size_t e) {
    Felt point = ctx.omega_n.pow(b);
    for (std::size_t i = b; i < e; ++i, point *= ctx.omega_n) {
      points[i] = point;
      weights[i] = z - point;
    }
    field::batch_inverse(std::span<Ext2>(weights.data() + b, e - b));
  });
  const Ext2 scale = vanishing * Felt(n).inverse();
  parallel_blocks(n, ctx.threads, kChunk, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) weights[i] = weights[i] * (scale * points[i]);
  });
  return weights;
}

// The trace column at z, given z's barycentric weights (or z's row when z lies on <w_n>).
Ext2 trace_value_at(const ProverContext& ctx, std::size_t column,
                    const std::optional<std::vector<Ext2>>& weights, Ext2 z) {
  const std::vector<Felt>& values = ctx.trace.column(column);
  if (!weights) {
    Felt point = Felt::one();
    for (std::size_t i = 0; i < ctx.n; ++i, point *= ctx.omega_n)
      if (Ext2(point) == z) return Ext2(values[i]);
    return Ext2::zero();  // unreachable: z^n = 1 puts z on the subgroup
  }
  field::Ext2Accumulator at;
  for (std::size_t i = 0; i < ctx.n; ++i) at.add_product((*weights)[i], values[i]);
  return at.reduce();
}

proto::OodFrame open_out_of_domain(const ProverContext& ctx, const CompositionCommitment& comp,
                                   Ext2 z) {
  const std::size_t n = ctx.n, w = ctx.w;
  const Ext2 zw = z * ctx.omega_n;
  proto::OodFrame frame{std::vector<Ext2>(w), std::vector<Ext2>(w), std::vector<Ext2>(ctx.D)};
  const auto weights_z = barycentric_weights(ctx, z);
  const auto weights_zw = barycentric_weights(ctx, zw);
  // The segments are evaluated from their coefficients, with z's powers tabulated once.
  std::vector<Ext2> z_pow(n);
  Ext2 acc = Ext2::one();
  for (auto& v : z_pow) v = acc, acc *= z;
  parallel_blocks(w + ctx.D, ctx.threads, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      if (c < w) {
        frame.current[c] = trace_value_at(ctx, c, weights_z, z);
        frame.next[c] = trace_value_at(ctx, c, weights_zw, zw);
      } else {
        const std::size_t k = c - w;
        field::Ext2Accumulator at;
        const Ext2* coeffs = comp.coeffs.data() + k * n;
        for (std::size_t i = 0; i < n; ++i) at.add_product(z_pow[i], coeffs[i]);
        frame.composition[k] = at.reduce();
      }
    }
  });
  return frame;
}

// ---- DEEP composition:
//   DEEP(x) = sum_c [g_c (T_c(x) - T_c(z)) / (x - z) + h_c (T_c(x) - T_c(zw)) / (x - zw)]
//           + sum_k d_k (S_k(x) - S_k(z)) / (x - z).

std::vector<Ext2> build_deep(const ProverContext& ctx, const TraceCommitment& trace,
                             const CompositionCommitment& comp, const proto::DeepCoeffs& dc,
                             Ext2 z) {
  const std::size_t w = ctx.w, D = ctx.D;
  const Ext2 zw = z * ctx.omega_n;
  std::vector<Ext2> deep(ctx.N);
  parallel_blocks(ctx.N, ctx.threads, kChunk, [&](std::size_t begin, std::size_t end) {
    std::vector<Ext2> inv_z(kChunk), inv_zw(kChunk);
    for (std::size_t c0 = begin; c0 < end; c0 += kChunk) {
      const std::size_t len = std::min(kChunk, end - c0);
      Felt x = ctx.g * ctx.omega_N.pow(c0);
      for (std::size_t j = 0; j < len; ++j, x *= ctx.omega_N) {
        inv_z[j] = Ext2(x) - z;
        inv_zw[j] = Ext2(x) - zw;
      }
      field::batch_inverse(std::span<Ext2>(inv_z.data(), len));
      field::batch_inverse(std::span<Ext2>(inv_zw.data(), len));
      for (std::size_t j = 0; j < len; ++j) {
        const std::size_t i = c0 + j;
        field::Ext2Accumulator sum_z, sum_zw;
        for (std::size_t c = 0; c < w; ++c) {
          const Felt t = trace.lde[c][i];
          sum_z.add_product(dc.gamma[c], t);
          sum_zw.add_product(dc.gamma_next[c], t);
        }
        for (std::size_t k = 0; k < D; ++k) sum_z.add_product(dc.delta[k], comp.segment_lde[k][i]);
        deep[i] = (sum_z.reduce() - dc.at_z) * inv_z[j] + (sum_zw.reduce() - dc.at_zw) * inv_zw[j];
      }
    }
  });
  return deep;
}

// ---- Queries: at each position, the trace row, the composition row and the FRI cosets on
// the folding path, each with its Merkle path.

void answer_queries(const ProverContext& ctx, const TraceCommitment& trace,
                    const CompositionCommitment& comp, const fri::Commitment& fri,
                    std::span<const std::size_t> positions, Proof& proof) {
  const std::size_t w = ctx.w, D = ctx.D;
  proof.queries.resize(positions.size());
  for (std::size_t q = 0; q < positions.size(); ++q) {
    const std::size_t pos = positions[q];
    auto& open = proof.queries[q];
    open.trace_row.resize(w);
    for (std::size_t c = 0; c < w; ++c) open.trace_row[c] = trace.lde[c][pos];
    std::vector<Felt> sibling_row(w);
    for (std::size_t c = 0; c < w; ++c) sibling_row[c] = trace.lde[c][pos ^ 1];
    open.trace_path = trace.tree.path(pos, hash_leaf(std::span<const Felt>(sibling_row)));
    open.composition_row.resize(D);
    for (std::size_t k = 0; k < D; ++k) open.composition_row[k] = comp.segment_lde[k][pos];
    std::vector<Ext2> sibling_segments(D);
    for (std::size_t k = 0; k < D; ++k) sibling_segments[k] = comp.segment_lde[k][pos ^ 1];
    open.composition_path =
        comp.tree.path(pos, hash_leaf(std::span<const Ext2>(sibling_segments)));
    open.fri = fri::open(fri, pos);
  }
}

// The phases in order, with the transcript steps between them.
Result<Proof> prove_checked(const Air& air, const Trace& trace, const ProofOptions& options,
                            unsigned threads, const FaultHook& faults) {
  Stopwatch total, phase;
  const ProverContext ctx = ROLLUP_TRY(setup(air, trace, options, threads, faults));
  Proof proof;
  proof.params = ctx.params;
  ProverTimings& timings = proof.timings;
  phase.lap();

  TraceCommitment committed_trace = ROLLUP_TRY(commit_trace(ctx));
  proof.trace_root = committed_trace.tree.root();
  Transcript transcript = proto::start_transcript(air, ctx.params);
  proto::absorb_trace_root(transcript, proof.trace_root);
  timings.trace = phase.lap();

  const std::vector<Ext2> alphas = proto::draw_composition_coeffs(transcript, air);
  std::vector<Ext2> composition = evaluate_constraints(ctx, committed_trace.lde, alphas);
  timings.constraints = phase.lap();

  CompositionCommitment comp = ROLLUP_TRY(commit_composition(ctx, std::move(composition)));
  proof.composition_root = comp.tree.root();
  proto::absorb_composition_root(transcript, proof.composition_root);
  timings.composition = phase.lap();

  const Ext2 z = proto::draw_ood_point(transcript);
  proto::OodFrame frame = open_out_of_domain(ctx, comp, z);
  comp.coeffs = {};  // the polynomial is not needed past this point
  faults.on_ood_frame(air, alphas, z, frame);
  proto::absorb_ood_frame(transcript, frame.current, frame.next, frame.composition);
  const proto::DeepCoeffs dc =
      proto::draw_deep_coeffs(transcript, frame.current, frame.next, frame.composition);
  proof.ood_current = std::move(frame.current);
  proof.ood_next = std::move(frame.next);
  proof.ood_composition = std::move(frame.composition);
  std::vector<Ext2> deep = build_deep(ctx, committed_trace, comp, dc, z);
  timings.deep = phase.lap();

  const fri::Commitment fri = ROLLUP_TRY(fri::commit(std::move(deep), {ctx.N, ctx.g}, ctx.shape,
                                                     transcript, ctx.threads, faults));
  proof.fri_roots = fri.roots;
  proof.fri_remainder = fri.remainder;
  timings.fri = phase.lap();

  proof.pow_nonce = proto::grind(transcript, ctx.params.grinding_bits);
  timings.grinding = phase.lap();

  const auto positions = proto::draw_query_positions(transcript, ctx.params);
  answer_queries(ctx, committed_trace, comp, fri, positions, proof);
  timings.queries = phase.lap();
  timings.total = total.lap();
  return proof;
}

}  // namespace

Result<Proof> prove(const Air& air, const Trace& trace, const ProofOptions& options,
                    unsigned threads) {
  return prove_with_faults(air, trace, options, threads, ProverFaults{});
}

Result<Proof> prove_with_faults(const Air& air, const Trace& trace, const ProofOptions& options,
                                unsigned threads, const ProverFaults& faults) {
  // The only exceptions below are resource exhaustion (memory, threads); they become errors.
  try {
    return prove_checked(air, trace, options, threads, FaultHook(faults));
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "stark prover: out of memory");
  } catch (const std::system_error& e) {
    return fail(Errc::internal, std::string("stark prover: ") + e.what());
  }
}

}  // namespace rollup::stark
