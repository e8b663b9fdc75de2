#include "stark/prover.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <system_error>

#include "field/ntt.hpp"
#include "core/memory.hpp"
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
// Boundary constraints are checked before anything else (a few cells). The transition
// constraints are checked up front, row by row, when D is a power of two; otherwise the
// composition is interpolated from exactly D cosets (interpolate_from_cosets) and the check is
// the verifier's own at the out-of-domain point, which the prover runs before sending its frame
// (prove_checked): the segments agree with the constraints there exactly when the random
// combination of the constraints vanishes on every row, up to a chance of about D n / p^2 over
// z and the coefficients (and the verifier still rejects such a proof). Only then are the
// constraints re-evaluated on every row, to name the bad one.
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
  std::size_t lde_cache_bytes = 0;  // lde_cache_budget of ProofOptions::lde_cache_bytes
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
  ProverContext ctx{air, faults, *params, *shape};
  ctx.threads = std::max(1u, threads);
  ctx.n = trace.length();
  ctx.w = trace.width();
  ctx.N = shape->lde_size;
  ctx.D = params->num_segments;
  ctx.lde_cache_bytes =
      lde_cache_budget(options, ctx.w * ctx.N * sizeof(Felt), ctx.D * ctx.N * sizeof(Ext2));
  ctx.blowup = std::size_t{1} << params->log_blowup;
  ctx.omega_n = field::root_of_unity(params->log_trace_length);
  ctx.omega_N = field::root_of_unity(shape->log_lde_size);
  return ctx;
}

// ---- Trace: checks, interpolation, LDE on the coset g<w_N>, commitment.
//
// The LDE is never held whole (w N elements, eight times the trace): the domain g<w_N> is the
// union of `blowup` cosets of the trace domain, coset j being the points g w_N^(j + blowup m) =
// (g w_N^j) w_n^m, so a column's values there are one size-n NTT of its coefficients. LDE row
// j + blowup m is row m of coset j; its "next" row (j + blowup (m + 1)) lies in the same coset,
// and leaves 2i and 2i + 1 of the tree are rows of cosets j and j + 1 (j even). So the rows are
// hashed one pair of cosets at a time, the constraints evaluated one coset at a time, and a
// query's row recomputed from its coset. Cosets that fit ProofOptions::lde_cache_bytes are kept
// from the commitment for the later passes instead of being recomputed.

// One LDE coset's values, a column (or composition segment) each: n elements, in memory of
// their own (HugeVector: huge pages, and no zeroing before they are written).
template <class T>
using CosetColumns = std::vector<HugeVector<T>>;

// The shift of LDE coset j.
Felt coset_shift(const ProverContext& ctx, std::size_t j) { return ctx.g * ctx.omega_N.pow(j); }

// Each polynomial (coefficients, degree < n) on LDE coset j, into `values` (reused).
template <class T>
void evaluate_on_coset(const ProverContext& ctx, std::span<const std::span<const T>> polys,
                       std::size_t j, CosetColumns<T>& values) {
  values.resize(polys.size());
  const Felt shift = coset_shift(ctx, j);
  for_each_column(polys.size(), ctx.threads, [&](std::size_t k, unsigned inner) {
    values[k].assign(polys[k].begin(), polys[k].end());
    field::coset_ntt(std::span<T>(values[k]), shift, inner);
  });
}

// Each polynomial on every LDE coset at once, into cosets[j][k]: one transform of size N per
// polynomial (its n coefficients, then zeros, whose first stages the transform skips) and its
// values dealt out to the cosets, coset j taking LDE points j + blowup m. For a whole LDE this is
// the same butterflies as a transform per coset, but it scales n coefficients by the shift once
// instead of blowup times and reverses the bits of n entries instead of N: on the benchmark's
// 50 x 2^19 trace it made the LDE 2.5 s instead of 4.9 s (docs/stark.md §3a). The values are
// dealt out in one pass over the transform, blowup consecutive values at a time, rather than
// one pass per coset reading every blowup-th value. For a cache that keeps every coset;
// evaluate_on_coset otherwise.
template <class T>
void evaluate_on_all_cosets(const ProverContext& ctx, std::span<const std::span<const T>> polys,
                            std::vector<CosetColumns<T>>& cosets) {
  const std::size_t count = polys.size();
  cosets.assign(ctx.blowup, CosetColumns<T>(count));
  auto extend = [&](HugeVector<T>& lde, std::size_t k, unsigned inner) {
    lde.assign(polys[k].begin(), polys[k].end());
    lde.resize(ctx.N, T::zero());
    field::coset_ntt(std::span<T>(lde), ctx.g, inner);
    std::vector<T*> outs(ctx.blowup);
    for (std::size_t j = 0; j < ctx.blowup; ++j) {
      cosets[j][k].resize(ctx.n);
      outs[j] = cosets[j][k].data();
    }
    parallel_for(ctx.n, inner, [&](std::size_t m0, std::size_t m1) {
      for (std::size_t m = m0; m < m1; ++m) {
        const T* values = lde.data() + ctx.blowup * m;
        for (std::size_t j = 0; j < ctx.blowup; ++j) outs[j][m] = values[j];
      }
    });
  };
  // A polynomial a thread, each with one buffer; those left over from a multiple of the thread
  // count (the 7th of 7 composition segments on 2 threads) with every thread inside.
  const std::size_t whole = count - count % ctx.threads;
  parallel_for(whole, ctx.threads, [&](std::size_t b, std::size_t e) {
    HugeVector<T> lde;
    lde.reserve(ctx.N);
    for (std::size_t k = b; k < e; ++k) extend(lde, k, 1);
  });
  if (whole < count) {
    HugeVector<T> lde;
    lde.reserve(ctx.N);
    for (std::size_t k = whole; k < count; ++k) extend(lde, k, ctx.threads);
  }
}

// The Merkle tree over the LDE rows of a matrix that `coset_rows(j)` gives one coset at a time
// (a column-major w x n block): only the level above the leaves is made as the cosets come. The
// tree keeps its nodes from level log2(blowup) up, a quarter of it at blowup 8: the leaves below
// such a node are row m of every coset (LDE points blowup m ..), which the queries recompute.
template <class T, class CosetRows>
MerkleTree commit_by_cosets(const ProverContext& ctx, CosetRows&& coset_rows) {
  const auto block_levels = static_cast<unsigned>(std::countr_zero(ctx.blowup));
  return MerkleTree::from_parents(ctx.N, ctx.threads, [&](std::span<Digest> parents) {
    const std::size_t half = ctx.blowup / 2;
    for (std::size_t j = 0; j < ctx.blowup; j += 2) {
      const std::vector<Digest> even = hash_rows<T, HugePageAllocator<T>>(coset_rows(j), ctx.threads);
      const std::vector<Digest> odd = hash_rows<T, HugePageAllocator<T>>(coset_rows(j + 1), ctx.threads);
      parallel_for(
          ctx.n, ctx.threads,
          [&](std::size_t b, std::size_t e) {
            for (std::size_t m = b; m < e; ++m) parents[j / 2 + half * m] = hash_node(even[m], odd[m]);
          },
          4096);
    }
  }, block_levels);
}

// The LDE of `polys` and its Merkle tree (commit_by_cosets); the cosets `keep` names are kept
// (kept[j], empty for the others). Every coset kept: all made at once (evaluate_on_all_cosets);
// otherwise each made as the tree takes it, into a scratch buffer unless kept.
template <class T>
std::pair<std::vector<CosetColumns<T>>, MerkleTree> commit_lde(
    const ProverContext& ctx, std::span<const std::span<const T>> polys, const std::vector<bool>& keep) {
  const bool keep_all = std::find(keep.begin(), keep.end(), false) == keep.end();
  std::vector<CosetColumns<T>> kept(ctx.blowup);
  if (keep_all) evaluate_on_all_cosets<T>(ctx, polys, kept);
  CosetColumns<T> scratch;
  MerkleTree tree = commit_by_cosets<T>(ctx, [&](std::size_t j) -> const auto& {
    if (keep_all) return kept[j];
    auto& into = keep[j] ? kept[j] : scratch;
    evaluate_on_coset<T>(ctx, polys, j, into);
    return into;
  });
  return {std::move(kept), std::move(tree)};
}

std::vector<std::span<const Felt>> as_spans(const CosetColumns<Felt>& columns) {
  return {columns.begin(), columns.end()};
}

// The trace's columns as coefficients (the trace's values are not kept: the out-of-domain frame
// is evaluated from the coefficients), the LDE cosets kept within the cache budget, the tree.
struct TraceCommitment {
  std::vector<HugeVector<Felt>> coeffs;
  std::vector<CosetColumns<Felt>> kept;  // kept[j]: coset j's columns, or empty
  MerkleTree tree;

  // LDE coset j's columns: the kept ones, or recomputed into `scratch`.
  const CosetColumns<Felt>& coset(const ProverContext& ctx, std::size_t j, CosetColumns<Felt>& scratch) const {
    if (!kept[j].empty()) return kept[j];
    evaluate_on_coset<Felt>(ctx, as_spans(coeffs), j, scratch);
    return scratch;
  }
};

// Which trace LDE cosets the cache budget keeps: those the constraint evaluation reads first
// (every stride-th, see ConstraintDomain), then the others, which only queries read. The budget
// left is the composition's (composition_cosets_to_keep).
std::vector<bool> cosets_to_keep(const ProverContext& ctx) {
  std::vector<bool> keep(ctx.blowup, false);
  const std::size_t coset_bytes = ctx.w * ctx.n * sizeof(Felt);
  const std::size_t stride = ctx.blowup / std::bit_ceil(ctx.D);
  std::size_t budget = ctx.lde_cache_bytes;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t j = 0; j < ctx.blowup; ++j)
      if (!keep[j] && (pass == 1 || j % stride == 0) && coset_bytes <= budget) {
        keep[j] = true;
        budget -= coset_bytes;
      }
  return keep;
}

// The composition's LDE cosets (only the queries read them) that fit the budget the trace's
// cosets leave.
std::vector<bool> composition_cosets_to_keep(const ProverContext& ctx) {
  const std::vector<bool> trace_kept = cosets_to_keep(ctx);
  std::size_t budget = ctx.lde_cache_bytes;
  budget -= static_cast<std::size_t>(std::count(trace_kept.begin(), trace_kept.end(), true)) * ctx.w *
            ctx.n * sizeof(Felt);
  const std::size_t coset_bytes = ctx.D * ctx.n * sizeof(Ext2);
  std::vector<bool> keep(ctx.blowup, false);
  for (std::size_t j = 0; j < ctx.blowup && coset_bytes <= budget; ++j, budget -= coset_bytes) keep[j] = true;
  return keep;
}

// The trace's values again, from the coefficients: only to name a bad row after the composition
// polynomial exceeded its degree bound.
Trace trace_values(const ProverContext& ctx, const TraceCommitment& trace) {
  Trace values(ctx.w, ctx.n);
  for_each_column(ctx.w, ctx.threads, [&](std::size_t c, unsigned inner) {
    HugeVector<Felt> column = trace.coeffs[c];
    field::ntt(std::span<Felt>(column), inner);
    for (std::size_t r = 0; r < ctx.n; ++r) values.at(c, r) = column[r];
  });
  return values;
}

Result<TraceCommitment> commit_trace(const ProverContext& ctx, Trace trace) {
  if (ctx.faults.self_checks()) {
    if (auto ok = check_boundaries(ctx.air, trace); !ok) return std::unexpected(ok.error());
    if (std::bit_ceil(ctx.D) == ctx.D)
      if (auto ok = check_transitions(ctx.air, trace, ctx.threads); !ok)
        return std::unexpected(ok.error());
  }
  std::vector<HugeVector<Felt>> coeffs = std::move(trace).release_columns();
  for_each_column(ctx.w, ctx.threads, [&](std::size_t c, unsigned inner) {
    field::intt(std::span<Felt>(coeffs[c]), inner);
  });
  auto [kept, tree] = commit_lde<Felt>(ctx, as_spans(coeffs), cosets_to_keep(ctx));
  return TraceCommitment{std::move(coeffs), std::move(kept), std::move(tree)};
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
  std::size_t num_transitions = 0;  // the AIR's, counted once (transition_degrees evaluates them)
  // Sub-cosets evaluated: all ce_blowup of them when D is a power of two, else only D, the
  // fewest that determine a polynomial of degree < D n (interpolate_from_cosets).
  std::size_t cosets = 0;
  Felt omega;                                        // generator of <w_size>
  // Periodic column k: for a period p below n, its values on its ce * p points; for a column as
  // long as the trace (`whole[k]`), its coefficients.
  std::vector<std::vector<Felt>> periodic;
  std::vector<bool> whole;
  std::vector<Felt> transition_zinv;        // 1 / (x^n - 1), by point index mod ce_blowup
  Felt last_row_point;                      // w_n^(n-1)
  std::vector<proto::BoundaryGroup> groups;
  std::vector<Felt> group_points;  // w_n^row of each boundary group
  // The head split (Air::head_constraints): when the constraints outside the head have a
  // composition of degree < low_ce n with low_ce < ce_blowup, they and the boundaries (the
  // "rest") are evaluated only on the sub-cosets j = low_stride k, k < low_ce, which make up
  // g<w_(low_ce n)>; the head alone on the other sub-cosets below `cosets`. No head: no split.
  std::vector<std::size_t> head;
  std::size_t low_ce = 0, low_stride = 0;
  bool split() const { return !head.empty(); }
  bool head_on(std::size_t j) const { return j < cosets; }
  bool rest_on(std::size_t j) const { return split() && j % low_stride == 0 && j / low_stride < low_ce; }
  // Where every constraint is evaluated (the trace-long periodic columns are then needed).
  bool all_on(std::size_t j) const { return split() ? rest_on(j) : head_on(j); }
};

// The AIR's head when splitting it off saves work (ConstraintDomain::head), and the
// power-of-two number of sub-cosets the rest then needs; nothing when it saves nothing (or the
// head is not a proper, ascending subset of the constraints).
std::pair<std::vector<std::size_t>, std::size_t> head_split(const Air& air, std::span<const unsigned> degrees,
                                                            std::size_t ce_blowup) {
  std::vector<std::size_t> head = air.head_constraints();
  if (head.empty() || head.size() >= degrees.size() || !std::is_sorted(head.begin(), head.end()) ||
      std::adjacent_find(head.begin(), head.end()) != head.end() || head.back() >= degrees.size())
    return {};
  std::vector<bool> in_head(degrees.size(), false);
  for (std::size_t k : head) in_head[k] = true;
  unsigned rest_degree = 1;
  for (std::size_t k = 0; k < degrees.size(); ++k)
    if (!in_head[k]) rest_degree = std::max(rest_degree, degrees[k]);
  // Boundary quotients have degree < n: one segment, like a transition of degree 2.
  const std::size_t low_ce = std::bit_ceil(std::max<std::size_t>(1, rest_degree - 1));
  if (low_ce >= ce_blowup) return {};
  return {std::move(head), low_ce};
}

// The composition coefficients a head split combines with: the head's own (in head order, for
// the points where only the head is evaluated) and, for the points where every constraint is,
// all of them with the rest's zeroed and with the head's zeroed. A head that is a prefix of the
// constraints needs neither mask: its part and the rest's are contiguous.
struct SplitCoefficients {
  std::vector<Ext2> head, head_masked, rest_masked;
  bool prefix = false;
};

SplitCoefficients split_coefficients(const ConstraintDomain& dom, std::span<const Ext2> alphas,
                                     std::size_t num_transitions) {
  SplitCoefficients out;
  if (!dom.split()) return out;
  for (std::size_t k : dom.head) out.head.push_back(alphas[k]);
  out.prefix = dom.head.back() + 1 == dom.head.size();
  if (out.prefix) return out;
  out.head_masked.assign(num_transitions, Ext2::zero());
  out.rest_masked.assign(alphas.begin(), alphas.begin() + num_transitions);
  for (std::size_t k : dom.head) {
    out.head_masked[k] = alphas[k];
    out.rest_masked[k] = Ext2::zero();
  }
  return out;
}

ConstraintDomain constraint_domain(const ProverContext& ctx) {
  ConstraintDomain dom;
  const std::size_t n = ctx.n;
  dom.ce_blowup = std::bit_ceil(ctx.D);
  dom.cosets = ctx.D;
  dom.size = dom.ce_blowup * n;
  dom.stride = ctx.N / dom.size;
  dom.omega = field::root_of_unity(proto::log2_exact(dom.size));
  const std::vector<unsigned> degrees = ctx.air.transition_degrees();
  dom.num_transitions = degrees.size();
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
  std::tie(dom.head, dom.low_ce) = head_split(ctx.air, degrees, dom.ce_blowup);
  if (dom.split()) dom.low_stride = dom.ce_blowup / dom.low_ce;
  return dom;
}

// The trace-long periodic columns on sub-coset j, into `values` (column k at index k; others
// left empty), whose buffers are reused from coset to coset.
void whole_columns_on(const ProverContext& ctx, const ConstraintDomain& dom, std::size_t j,
                      CosetColumns<Felt>& values) {
  values.resize(dom.periodic.size());
  std::vector<std::size_t> longs;
  for (std::size_t k = 0; k < dom.periodic.size(); ++k)
    if (dom.whole[k]) longs.push_back(k);
  const Felt shift = ctx.g * dom.omega.pow(j);
  for_each_column(longs.size(), ctx.threads, [&](std::size_t t, unsigned inner) {
    const std::size_t k = longs[t];
    values[k].assign(dom.periodic[k].begin(), dom.periodic[k].end());
    field::coset_ntt(std::span<Felt>(values[k]), shift, inner);
  });
}

// Where point j + ce m of the constraint domain sits in the composition's values: interleaved
// (j + ce m) for one coset NTT over all ce n points when D = ce; coset by coset (j n + m) when
// only D < ce sub-cosets are evaluated, each then interpolated on its own.
std::size_t composition_index(const ProverContext& ctx, std::size_t j, std::size_t m) {
  const std::size_t ce = std::bit_ceil(ctx.D);
  return ce == ctx.D ? j + ce * m : j * ctx.n + m;
}

// The composition's values as the constraint evaluation leaves them: the whole composition (no
// head split), or the head's on D sub-cosets and the rest's on low_ce (ConstraintDomain::head).
struct CompositionValues {
  std::vector<Ext2> head;  // by composition_index
  std::vector<Ext2> rest;  // point low_stride k + ce m at k + low_ce m: g<w_(low_ce n)> in order
  std::size_t low_ce = 0;  // 0: `head` holds the whole composition
};

// Evaluates the composition on points j + ce m, m in [m0, m1), of the constraint domain, into
// `out` (indexed by point): what dom.head_on(j) and dom.rest_on(j) ask for. `trace_coset` is
// the trace on that sub-coset (LDE coset j * stride: its row m is the current row of point
// j + ce m, row m + 1 the next), `whole_values` the trace-long periodic columns on it (not
// read where only the head is evaluated: the head reads none).
// The random combination of the constraint values (base-field values, extension coefficients)
// is field::combine_columns over the block: vectors of rows, constraint by constraint.
// Rows are gathered column by column, kRowBlock points at a time, into column-major scratch:
// each column is then read as a short contiguous run instead of one scattered element per point
// across ~100 column streams at once, and the AIR evaluates the block a vector of rows at a time
// (Air::evaluate_transition_rows).
void evaluate_constraint_chunk(const ProverContext& ctx, const ConstraintDomain& dom,
                               const CosetColumns<Felt>& trace_coset, const CosetColumns<Felt>& whole_values,
                               std::span<const Ext2> alphas, const SplitCoefficients& split_alphas,
                               std::size_t j, std::size_t m0, std::size_t m1, CompositionValues& out) {
  constexpr std::size_t kRowBlock = 64;
  const std::size_t w = ctx.w, num_periodic = dom.periodic.size(), ce = dom.ce_blowup;
  const std::size_t num_transitions = dom.num_transitions;
  const bool split = dom.split(), rest = dom.rest_on(j), head = dom.head_on(j);
  const bool head_only = !dom.all_on(j);
  const auto& groups = dom.groups;
  std::vector<Felt> cur(kRowBlock * w), next(kRowBlock * w), per(kRowBlock * num_periodic, Felt::zero());
  std::vector<Felt> values(kRowBlock * (head_only ? dom.head.size() : num_transitions));
  // The head's and the rest's sums (without a split the "head" sum is every constraint's).
  auto combine = [&](std::span<Ext2> head_sums, std::span<Ext2> rest_sums) {
    const std::span<const Felt> all(values);
    if (!split) {
      field::combine_columns(all, kRowBlock, alphas.first(num_transitions), head_sums);
    } else if (head_only) {
      field::combine_columns(all, kRowBlock, split_alphas.head, head_sums);
    } else if (split_alphas.prefix) {
      const std::size_t h = dom.head.size();
      if (head) field::combine_columns(all.first(kRowBlock * h), kRowBlock, split_alphas.head, head_sums);
      field::combine_columns(all.subspan(kRowBlock * h), kRowBlock, alphas.subspan(h, num_transitions - h),
                             rest_sums);
    } else {
      if (head) field::combine_columns(all, kRowBlock, split_alphas.head_masked, head_sums);
      field::combine_columns(all, kRowBlock, split_alphas.rest_masked, rest_sums);
    }
  };
  std::vector<Ext2> head_sums(kRowBlock), rest_sums(kRowBlock);
  const std::size_t len = m1 - m0;
  std::vector<Felt> xs(len);
  std::vector<std::vector<Felt>> binv(head_only ? 0 : groups.size(), std::vector<Felt>(len));
  Felt x = ctx.g * dom.omega.pow(j + ce * m0);
  for (std::size_t t = 0; t < len; ++t, x *= ctx.omega_n) xs[t] = x;
  for (auto& inverses : binv) {
    const Felt point = dom.group_points[&inverses - binv.data()];
    for (std::size_t t = 0; t < len; ++t) inverses[t] = xs[t] - point;
    field::batch_inverse(std::span<Felt>(inverses));
  }
  const Felt transition_zinv = dom.transition_zinv[j];
  for (std::size_t r0 = 0; r0 < len; r0 += kRowBlock) {
    const std::size_t rows = std::min(kRowBlock, len - r0), mb = m0 + r0;
    for (std::size_t c = 0; c < w; ++c) {
      const Felt* column = trace_coset[c].data();
      for (std::size_t r = 0; r < rows; ++r) {
        cur[c * kRowBlock + r] = column[mb + r];
        next[c * kRowBlock + r] = column[(mb + r + 1) & (ctx.n - 1)];
      }
    }
    for (std::size_t k = 0; k < num_periodic; ++k) {
      Felt* dst = per.data() + k * kRowBlock;
      if (dom.whole[k]) {
        if (!head_only) std::copy_n(whole_values[k].data() + mb, rows, dst);
        continue;
      }
      const Felt* column = dom.periodic[k].data();
      const std::size_t mask = dom.periodic[k].size() - 1;  // a division costs more than the constraint
      for (std::size_t r = 0; r < rows; ++r) dst[r] = column[(j + ce * (mb + r)) & mask];
    }
    const RowBlock block{rows, kRowBlock, cur, next, per, values};
    if (head_only) ctx.air.evaluate_head_rows(block);
    else ctx.air.evaluate_transition_rows(block);
    combine(std::span(head_sums).first(rows), std::span(rest_sums).first(rows));
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t t = r0 + r;
      const Felt zinv = (xs[t] - dom.last_row_point) * transition_zinv;
      Ext2 boundary = Ext2::zero();
      for (std::size_t k = 0; k < binv.size(); ++k) {
        field::Ext2Accumulator bsum;
        const auto& gr = groups[k];
        for (std::size_t m = 0; m < gr.columns.size(); ++m)
          bsum.add_product(alphas[gr.coeff_index[m]],
                           cur[gr.columns[m] * kRowBlock + r] - gr.values[m]);
        boundary += bsum.reduce() * binv[k][t];
      }
      if (!split) {
        out.head[composition_index(ctx, j, m0 + t)] = head_sums[r] * zinv + boundary;
        continue;
      }
      if (head) out.head[composition_index(ctx, j, m0 + t)] = head_sums[r] * zinv;
      if (rest) out.rest[j / dom.low_stride + dom.low_ce * (m0 + t)] = rest_sums[r] * zinv + boundary;
    }
  }
}

// The composition polynomial's values on the sub-cosets the constraint domain needs
// (CompositionValues): the first D (all ce when D = ce), or with a head split the head on those
// and the rest on low_ce of them.
CompositionValues evaluate_constraints(const ProverContext& ctx, const TraceCommitment& trace,
                                       std::span<const Ext2> alphas) {
  const ConstraintDomain dom = constraint_domain(ctx);
  const SplitCoefficients split_alphas =
      split_coefficients(dom, alphas, dom.num_transitions);
  CompositionValues out;
  out.head.resize(dom.cosets * ctx.n);
  if (dom.split()) {
    out.low_ce = dom.low_ce;
    out.rest.resize(dom.low_ce * ctx.n);
  }
  CosetColumns<Felt> scratch, whole_values(dom.periodic.size());
  for (std::size_t j = 0; j < dom.ce_blowup; ++j) {
    if (!dom.head_on(j) && !dom.rest_on(j)) continue;
    const auto& trace_coset = trace.coset(ctx, j * dom.stride, scratch);
    // Where the head is evaluated alone these are not read (they are the previous coset's).
    if (dom.all_on(j)) whole_columns_on(ctx, dom, j, whole_values);
    parallel_blocks(ctx.n, ctx.threads, kChunk, [&](std::size_t m0, std::size_t m1) {
      evaluate_constraint_chunk(ctx, dom, trace_coset, whole_values, alphas, split_alphas, j, m0, m1, out);
    });
  }
  return out;
}

// ---- Composition polynomial: interpolate, split into D segments of degree < n, commit (the
// segments' LDE rows hashed coset by coset, as the trace's).

// The D segments of the composition's coefficients (segment k is [k n, (k+1) n)).
std::vector<std::span<const Ext2>> segments_of(const ProverContext& ctx,
                                               const std::vector<Ext2>& coeffs) {
  std::vector<std::span<const Ext2>> out;
  for (std::size_t k = 0; k < ctx.D; ++k) out.emplace_back(coeffs.data() + k * ctx.n, ctx.n);
  return out;
}

struct CompositionCommitment {
  std::vector<Ext2> coeffs;  // D n coefficients
  std::vector<CosetColumns<Ext2>> kept;  // kept[j]: coset j's segments, or empty
  MerkleTree tree;                       // over the LDE rows of the segments

  std::vector<std::span<const Ext2>> segments(const ProverContext& ctx) const {
    return segments_of(ctx, coeffs);
  }
  // LDE coset j's segments: the kept ones, or recomputed into `scratch`.
  const CosetColumns<Ext2>& coset(const ProverContext& ctx, std::size_t j, CosetColumns<Ext2>& scratch) const {
    if (!kept[j].empty()) return kept[j];
    evaluate_on_coset<Ext2>(ctx, segments(ctx), j, scratch);
    return scratch;
  }
};

// The inverse of the D x D Vandermonde matrix V[j][k] = nodes[j]^k (distinct nodes), row-major.
std::vector<Felt> inverse_vandermonde(std::span<const Felt> nodes) {
  const std::size_t d = nodes.size();
  std::vector<Felt> a(d * d), inv(d * d, Felt::zero());
  for (std::size_t j = 0; j < d; ++j) {
    Felt power = Felt::one();
    for (std::size_t k = 0; k < d; ++k, power *= nodes[j]) a[j * d + k] = power;
    inv[j * d + j] = Felt::one();
  }
  // Gauss-Jordan with a pivot search (V is invertible: the nodes are distinct).
  for (std::size_t c = 0; c < d; ++c) {
    std::size_t pivot = c;
    while (a[pivot * d + c] == Felt::zero()) ++pivot;
    if (pivot != c)
      for (std::size_t k = 0; k < d; ++k) {
        std::swap(a[pivot * d + k], a[c * d + k]);
        std::swap(inv[pivot * d + k], inv[c * d + k]);
      }
    const Felt scale = a[c * d + c].inverse();
    for (std::size_t k = 0; k < d; ++k) {
      a[c * d + k] *= scale;
      inv[c * d + k] *= scale;
    }
    for (std::size_t r = 0; r < d; ++r) {
      if (r == c || a[r * d + c] == Felt::zero()) continue;
      const Felt f = a[r * d + c];
      for (std::size_t k = 0; k < d; ++k) {
        a[r * d + k] -= f * a[c * d + k];
        inv[r * d + k] -= f * inv[c * d + k];
      }
    }
  }
  return inv;
}

// The composition's D n coefficients from its values on D sub-cosets s_j <w_n> of the constraint
// domain, s_j = g w_(ce n)^j, laid coset by coset; in place.
// On sub-coset j, x^n is the constant mu_j = s_j^n, so C(x) = sum_k c_k(x) mu_j^k there, where
// c_k(x) = sum_i c[k n + i] x^i is segment k. A coset inverse NTT of coset j's values gives
// b_j(x) = sum_k mu_j^k c_k(x) coefficient by coefficient; the D x D Vandermonde system in the
// mu_j (distinct: mu_j = g^n w_ce^j) then yields the segments, coefficient i of each from
// coefficient i of every b_j. This evaluates the constraints on D n points instead of ce n
// (ce = D rounded up to a power of two: 7 of 8 cosets for degree 8, 6 of 8 for degree 7).
void interpolate_from_cosets(const ProverContext& ctx, std::vector<Ext2>& values) {
  const std::size_t n = ctx.n, D = ctx.D, ce = std::bit_ceil(D);
  const Felt omega = field::root_of_unity(proto::log2_exact(ce * n));
  std::vector<Felt> nodes(D);
  Felt shift = ctx.g;
  for (std::size_t j = 0; j < D; ++j, shift *= omega) {
    field::coset_intt(std::span<Ext2>(values.data() + j * n, n), shift, ctx.threads);
    nodes[j] = shift.pow(n);
  }
  const std::vector<Felt> inv = inverse_vandermonde(nodes);
  parallel_blocks(n, ctx.threads, kChunk, [&](std::size_t i0, std::size_t i1) {
    std::vector<Ext2> b(D);
    for (std::size_t i = i0; i < i1; ++i) {
      for (std::size_t j = 0; j < D; ++j) b[j] = values[j * n + i];
      for (std::size_t k = 0; k < D; ++k) {
        Ext2 acc = Ext2::zero();
        for (std::size_t j = 0; j < D; ++j) acc += b[j] * inv[k * D + j];
        values[k * n + i] = acc;
      }
    }
  });
}

Result<CompositionCommitment> commit_composition(const ProverContext& ctx, CompositionValues values) {
  const std::size_t n = ctx.n, D = ctx.D;
  // Exactly D n values either way, so nothing is left over to check the degree with: a trace
  // that breaks a transition is caught by commit_trace's row check (D a power of two) or by
  // prove_checked's out-of-domain self-check (any D, and either part of a head split).
  std::vector<Ext2> composition = std::move(values.head);
  if (std::bit_ceil(D) != D) interpolate_from_cosets(ctx, composition);
  else field::coset_intt(std::span<Ext2>(composition), ctx.g, ctx.threads);
  composition.resize(D * n);
  composition.shrink_to_fit();
  if (values.low_ce != 0) {
    // The rest's composition has degree < low_ce n <= D n: its coefficients add in.
    field::coset_intt(std::span<Ext2>(values.rest), ctx.g, ctx.threads);
    parallel_for(values.rest.size(), ctx.threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) composition[i] += values.rest[i];
    });
  }
  auto [kept, tree] =
      commit_lde<Ext2>(ctx, segments_of(ctx, composition), composition_cosets_to_keep(ctx));
  return CompositionCommitment{std::move(composition), std::move(kept), std::move(tree)};
}

// ---- Out of domain: every trace column at z and z w_n, every segment at z, each a dot product
// of its coefficients with the point's powers, tabulated once.

std::vector<Ext2> powers_of(const ProverContext& ctx, Ext2 x) {
  std::vector<Ext2> powers(ctx.n);
  parallel_blocks(ctx.n, ctx.threads, kChunk, [&](std::size_t b, std::size_t e) {
    Ext2 acc = x.pow(b);
    for (std::size_t i = b; i < e; ++i, acc *= x) powers[i] = acc;
  });
  return powers;
}

template <class T>
Ext2 dot(std::span<const Ext2> powers, std::span<const T> coeffs) {
  field::Ext2Accumulator at;
  for (std::size_t i = 0; i < coeffs.size(); ++i) at.add_product(powers[i], coeffs[i]);
  return at.reduce();
}

proto::OodFrame open_out_of_domain(const ProverContext& ctx, const TraceCommitment& trace,
                                   const CompositionCommitment& comp, Ext2 z) {
  const std::size_t w = ctx.w;
  proto::OodFrame frame{std::vector<Ext2>(w), std::vector<Ext2>(w), std::vector<Ext2>(ctx.D)};
  const std::vector<Ext2> z_pow = powers_of(ctx, z), zw_pow = powers_of(ctx, z * ctx.omega_n);
  const auto segments = comp.segments(ctx);
  parallel_blocks(w + ctx.D, ctx.threads, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      if (c < w) {
        const std::span<const Felt> coeffs(trace.coeffs[c]);
        frame.current[c] = dot<Felt>(z_pow, coeffs);
        frame.next[c] = dot<Felt>(zw_pow, coeffs);
      } else {
        frame.composition[c - w] = dot<Ext2>(z_pow, segments[c - w]);
      }
    }
  });
  return frame;
}

// ---- DEEP composition:
//   DEEP(x) = (P(x) - at_z) / (x - z) + (Q(x) - at_zw) / (x - zw),
//   P = sum_c gamma_c T_c + sum_k delta_k S_k,  Q = sum_c gamma_next_c T_c,
// formed on the coefficients: P and Q are one linear combination each, dividing by (x - z) is a
// synthetic division whose remainder is P(z), and the quotients' sum is evaluated on the LDE
// domain with one NTT. P(z) = at_z exactly for an honest frame; a frame that differs (a fault
// test's altered value) leaves a remainder r, and r / (x - z) is added point by point, so the
// values are those of the quotient formula above in every case.

// Divides `p` by (x - point) in place (the quotient, degree one less, lowest first) and returns
// the remainder p(point).
Ext2 divide_by_linear(std::vector<Ext2>& p, Ext2 point) {
  Ext2 acc = Ext2::zero();
  for (std::size_t i = p.size(); i-- > 0;) {
    acc = acc * point + p[i];
    p[i] = acc;  // sum_{k >= i} p_k point^(k - i): the quotient's coefficient i - 1
  }
  const Ext2 remainder = p.front();
  std::move(p.begin() + 1, p.end(), p.begin());
  p.back() = Ext2::zero();
  return remainder;
}

// Adds r / (x - a) at every LDE point x.
void add_pole(const ProverContext& ctx, std::vector<Ext2>& deep, Ext2 r, Ext2 a) {
  if (r == Ext2::zero()) return;
  parallel_blocks(ctx.N, ctx.threads, kChunk, [&](std::size_t begin, std::size_t end) {
    std::vector<Ext2> inv(end - begin);
    Felt x = ctx.g * ctx.omega_N.pow(begin);
    for (std::size_t i = begin; i < end; ++i, x *= ctx.omega_N) inv[i - begin] = Ext2(x) - a;
    field::batch_inverse(std::span<Ext2>(inv));
    for (std::size_t i = begin; i < end; ++i) deep[i] += r * inv[i - begin];
  });
}

std::vector<Ext2> build_deep(const ProverContext& ctx, const TraceCommitment& trace,
                             const CompositionCommitment& comp, const proto::DeepCoeffs& dc,
                             Ext2 z) {
  const std::size_t n = ctx.n, w = ctx.w, D = ctx.D;
  const Ext2 zw = z * ctx.omega_n;
  std::vector<Ext2> p(n), q(n);
  parallel_blocks(n, ctx.threads, kChunk, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      field::Ext2Accumulator sum_z, sum_zw;
      for (std::size_t c = 0; c < w; ++c) {
        const Felt t = trace.coeffs[c][i];
        sum_z.add_product(dc.gamma[c], t);
        sum_zw.add_product(dc.gamma_next[c], t);
      }
      for (std::size_t k = 0; k < D; ++k) sum_z.add_product(dc.delta[k], comp.coeffs[k * n + i]);
      p[i] = sum_z.reduce();
      q[i] = sum_zw.reduce();
    }
  });
  const Ext2 r_z = divide_by_linear(p, z) - dc.at_z;
  const Ext2 r_zw = divide_by_linear(q, zw) - dc.at_zw;
  std::vector<Ext2> deep(ctx.N, Ext2::zero());
  for (std::size_t i = 0; i < n; ++i) deep[i] = p[i] + q[i];
  p = {};
  q = {};
  field::coset_ntt(std::span<Ext2>(deep), ctx.g, ctx.threads);
  add_pole(ctx, deep, r_z, z);
  add_pole(ctx, deep, r_zw, zw);
  return deep;
}

// ---- Queries: at each position, the trace row, the composition row and the FRI cosets on
// the folding path, each with its Merkle path. A path starts from the digests of the position's
// block of leaves (row m = position div blowup of every coset, commit_by_cosets), so every coset
// is evaluated once more, or read from the cache.

void answer_queries(const ProverContext& ctx, const TraceCommitment& trace,
                    const CompositionCommitment& comp, const fri::Commitment& fri,
                    std::span<const std::size_t> positions, Proof& proof) {
  const std::size_t w = ctx.w, D = ctx.D;
  // By row m: the row of each coset j.
  std::map<std::size_t, std::vector<std::vector<Felt>>> trace_rows;
  std::map<std::size_t, std::vector<std::vector<Ext2>>> composition_rows;
  for (const std::size_t pos : positions) {
    trace_rows.try_emplace(pos / ctx.blowup, ctx.blowup);
    composition_rows.try_emplace(pos / ctx.blowup, ctx.blowup);
  }
  CosetColumns<Felt> trace_scratch;
  CosetColumns<Ext2> composition_scratch;
  for (std::size_t j = 0; j < ctx.blowup; ++j) {
    const auto& trace_coset = trace.coset(ctx, j, trace_scratch);
    const auto& segment_values = comp.coset(ctx, j, composition_scratch);
    for (auto& [m, rows] : trace_rows)
      for (std::size_t c = 0; c < w; ++c) rows[j].push_back(trace_coset[c][m]);
    for (auto& [m, rows] : composition_rows)
      for (std::size_t k = 0; k < D; ++k) rows[j].push_back(segment_values[k][m]);
  }
  auto block_digests = [](const auto& rows) {
    std::vector<Digest> digests;
    for (const auto& row : rows) digests.push_back(hash_leaf(std::span(row)));
    return digests;
  };
  proof.queries.resize(positions.size());
  for (std::size_t q = 0; q < positions.size(); ++q) {
    const std::size_t pos = positions[q], m = pos / ctx.blowup, j = pos % ctx.blowup;
    auto& open = proof.queries[q];
    open.trace_row = trace_rows[m][j];
    open.trace_path = trace.tree.path_in_block(pos, block_digests(trace_rows[m]));
    open.composition_row = composition_rows[m][j];
    open.composition_path = comp.tree.path_in_block(pos, block_digests(composition_rows[m]));
    open.fri = fri::open(fri, pos);
  }
}

// The phases in order, with the transcript steps between them.
Result<Proof> prove_checked(const Air& air, Trace trace, const ProofOptions& options,
                            unsigned threads, const FaultHook& faults) {
  Stopwatch total, phase;
  const ProverContext ctx = ROLLUP_TRY(setup(air, trace, options, threads, faults));
  Proof proof;
  proof.params = ctx.params;
  ProverTimings& timings = proof.timings;
  phase.lap();

  TraceCommitment committed_trace = ROLLUP_TRY(commit_trace(ctx, std::move(trace)));
  proof.trace_root = committed_trace.tree.root();
  Transcript transcript = proto::start_transcript(air, ctx.params);
  proto::absorb_trace_root(transcript, proof.trace_root);
  timings.trace = phase.lap();

  const std::vector<Ext2> alphas = proto::draw_composition_coeffs(transcript, air);
  CompositionValues composition = evaluate_constraints(ctx, committed_trace, alphas);
  timings.constraints = phase.lap();

  CompositionCommitment comp = ROLLUP_TRY(commit_composition(ctx, std::move(composition)));
  proof.composition_root = comp.tree.root();
  proto::absorb_composition_root(transcript, proof.composition_root);
  timings.composition = phase.lap();

  const Ext2 z = proto::draw_ood_point(transcript);
  proto::OodFrame frame = open_out_of_domain(ctx, committed_trace, comp, z);
  if (faults.self_checks() &&
      proto::composition_at(air, alphas, frame.current, frame.next, z) !=
          proto::composition_from_segments(frame.composition, z, ctx.n)) {
    // The verifier's own check, run first: for D < ce it is the prover's only degree check (a
    // trace that breaks a constraint has no quotient of degree < D n, and the segments
    // interpolated from D cosets then miss it at a random z). Name the failing row if any.
    if (auto ok = check_transitions(air, trace_values(ctx, committed_trace), ctx.threads); !ok)
      return std::unexpected(ok.error());
    return fail(Errc::bad_input,
                "trace does not satisfy the AIR: the composition polynomial disagrees with the "
                "constraints at the out-of-domain point");
  }
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

// The only exceptions the prover meets are resource exhaustion (memory, threads); they become
// errors.
template <class Prove>
Result<Proof> resources_as_errors(Prove&& prove) {
  try {
    return prove();
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "stark prover: out of memory");
  } catch (const std::system_error& e) {
    return fail(Errc::internal, std::string("stark prover: ") + e.what());
  }
}

}  // namespace

Result<Proof> prove(const Air& air, const Trace& trace, const ProofOptions& options,
                    unsigned threads) {
  return prove_with_faults(air, trace, options, threads, ProverFaults{});
}

Result<Proof> prove(const Air& air, Trace&& trace, const ProofOptions& options, unsigned threads) {
  return resources_as_errors([&] {
    return prove_checked(air, std::move(trace), options, threads, FaultHook(ProverFaults{}));
  });
}

Result<Proof> prove_with_faults(const Air& air, const Trace& trace, const ProofOptions& options,
                                unsigned threads, const ProverFaults& faults) {
  return resources_as_errors(
      [&] { return prove_checked(air, Trace(trace), options, threads, FaultHook(faults)); });
}

}  // namespace rollup::stark
