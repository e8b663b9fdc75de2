#pragma once
// The algebraic intermediate representation (AIR) that the prover and verifier are generic over:
// an execution trace of `trace_width` columns and `trace_length` rows (a power of two), transition
// constraints over each pair of consecutive rows (every pair but the last wraps nowhere: the
// constraints are enforced on rows 0..n-2), periodic columns, and boundary constraints that pin
// single cells, usually to public inputs.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/memory.hpp"
#include "field/ext2.hpp"
#include "field/goldilocks.hpp"
#include "field/packed.hpp"

namespace rollup::stark {

using field::Ext2;
using field::Felt;

/// The cell (column, row) must equal `value`.
struct BoundaryConstraint {
  std::size_t column = 0;
  std::size_t row = 0;
  Felt value;
};

/// A column-major execution trace, zero where nothing was written. Its columns are HugeVectors:
/// the prover turns them into coefficients in place and keeps them for the whole proof.
class Trace {
 public:
  Trace(std::size_t width, std::size_t length) : columns_(width), length_(length) {
    for (auto& column : columns_) column.resize(length, Felt::zero());  // kept memory is not zero
  }

  std::size_t width() const { return columns_.size(); }
  std::size_t length() const { return length_; }
  Felt& at(std::size_t column, std::size_t row) { return columns_[column][row]; }
  Felt at(std::size_t column, std::size_t row) const { return columns_[column][row]; }
  const HugeVector<Felt>& column(std::size_t c) const { return columns_[c]; }
  std::span<const HugeVector<Felt>> columns() const { return columns_; }
  /// Hands the columns over (the prover turns them into coefficients in place); the trace is
  /// left empty.
  std::vector<HugeVector<Felt>> release_columns() && {
    length_ = 0;
    return std::move(columns_);
  }

 private:
  std::vector<HugeVector<Felt>> columns_;
  std::size_t length_;
};

/// A block of consecutive pairs of rows for Air::evaluate_transition_rows, column-major so that
/// lanes of rows load as one vector: column c of the current rows is current[c * stride + r]
/// for r < rows (likewise `next`, and periodic column k in `periodic`), and constraint k of row
/// r goes to out[k * stride + r]. The spans hold width, periodic-count and constraint-count
/// columns of `stride` entries.
struct RowBlock {
  std::size_t rows = 0, stride = 0;
  std::span<const Felt> current, next, periodic;
  std::span<Felt> out;
};

class Air {
 public:
  virtual ~Air() = default;

  /// A stable name with a version, bound into the transcript so that a proof for one AIR can
  /// never verify against another (e.g. "rollup/fibonacci/v1").
  virtual std::string id() const = 0;
  virtual std::size_t trace_width() const = 0;
  /// A power of two, at least 8.
  virtual std::size_t trace_length() const = 0;
  /// Canonical encoding of every public input (absorbed into the transcript before any
  /// challenge); boundary values derived from public inputs must be covered by it.
  virtual Bytes public_inputs() const = 0;

  /// Degree of each transition constraint as a polynomial in the current row, the next row and
  /// the periodic values (a periodic value counts as degree 1). It fixes how many composition
  /// segments the proof has: max(1, max degree - 1), which must not exceed the blowup.
  virtual std::vector<unsigned> transition_degrees() const = 0;
  /// Each periodic column is given by its values over one period (a power of two dividing the
  /// trace length); row i sees values[i mod period].
  virtual std::vector<std::vector<Felt>> periodic_columns() const { return {}; }
  /// The period of each periodic column, without building them. AIRs whose periodic columns
  /// are as long as the trace (public data laid along it) override this and
  /// periodic_values_at, so that a verifier neither builds nor interpolates them.
  virtual std::vector<std::size_t> periodic_periods() const {
    std::vector<std::size_t> periods;
    for (const auto& col : periodic_columns()) periods.push_back(col.size());
    return periods;
  }
  /// Writes each periodic column's polynomial at the out-of-domain point z (column k of period
  /// p at z^(n/p), as the verifier needs it) and returns true. The default returns false: the
  /// verifier then interpolates periodic_columns(). An override must agree with that
  /// interpolation exactly; it only saves the verifier work (e.g. a sparse column summed by
  /// the barycentric formula over its non-zero rows).
  virtual bool periodic_values_at(const Ext2& z, std::span<Ext2> out) const {
    (void)z;
    (void)out;
    return false;
  }
  virtual std::vector<BoundaryConstraint> boundary_constraints() const = 0;

  /// Writes one value per transition constraint; all are zero on a valid pair of rows.
  /// `periodic` holds one value per periodic column. The two overloads must compute the same
  /// polynomials: the prover runs the base one over the trace's extension, the verifier the
  /// extension one at the out-of-domain point. TypedAir writes both from one template.
  virtual void evaluate_transition(std::span<const Felt> current, std::span<const Felt> next,
                                   std::span<const Felt> periodic, std::span<Felt> out) const = 0;
  virtual void evaluate_transition_ext(std::span<const Ext2> current, std::span<const Ext2> next,
                                       std::span<const Ext2> periodic,
                                       std::span<Ext2> out) const = 0;
  /// The prover's inner loop: evaluate_transition on every pair of rows of `block`. The default
  /// goes row by row; TypedAir evaluates its template on vectors of rows where the CPU has them.
  virtual void evaluate_transition_rows(const RowBlock& block) const {
    evaluate_rows_from(block, 0, [this](auto cur, auto next, auto per, auto out) {
      evaluate_transition(cur, next, per, out);
    });
  }

  /// The constraints' head: the indices (ascending) of transition constraints the prover may
  /// evaluate alone (evaluate_head_rows); none, the default, for no split. An AIR declares its
  /// few highest-degree constraints: the composition of the others then has a lower degree, and
  /// the prover evaluates those on fewer points (docs/stark.md §3). The proof is the same either
  /// way. The head must read no periodic column as long as the trace (a column whose period is
  /// the trace length, even a structure column in a trace of one period): the prover leaves those
  /// zero where it evaluates the head alone. Its out-of-domain self-check refuses a proof where
  /// a head breaks this.
  virtual std::vector<std::size_t> head_constraints() const { return {}; }
  /// evaluate_transition_rows for the head alone: block.out holds one column per head
  /// constraint, in head_constraints() order. The default evaluates every constraint and keeps
  /// the head's; TypedAir calls Derived's evaluate_head where it has one.
  virtual void evaluate_head_rows(const RowBlock& block) const {
    const std::vector<std::size_t> head = head_constraints();
    std::vector<Felt> out(transition_degrees().size());
    evaluate_rows_from(block, 0, [&](auto cur, auto next, auto per, auto head_out) {
      evaluate_transition(cur, next, per, std::span<Felt>(out));
      for (std::size_t k = 0; k < head.size(); ++k) head_out[k] = out[head[k]];
    });
  }

 protected:
  /// Rows first_row.. of `block` one at a time through eval(current, next, periodic, out).
  template <class Eval>
  static void evaluate_rows_from(const RowBlock& block, std::size_t first_row, Eval&& eval) {
    const std::size_t s = block.stride, w = block.current.size() / s;
    const std::size_t np = block.periodic.size() / s, nc = block.out.size() / s;
    std::vector<Felt> cur(w), next(w), per(np), out(nc);
    for (std::size_t r = first_row; r < block.rows; ++r) {
      for (std::size_t c = 0; c < w; ++c) {
        cur[c] = block.current[c * s + r];
        next[c] = block.next[c * s + r];
      }
      for (std::size_t k = 0; k < np; ++k) per[k] = block.periodic[k * s + r];
      eval(std::span<const Felt>(cur), std::span<const Felt>(next), std::span<const Felt>(per),
           std::span<Felt>(out));
      for (std::size_t k = 0; k < nc; ++k) block.out[k * s + r] = out[k];
    }
  }
};

/// Implements both evaluate_transition overloads from one member template of Derived:
///   template <class F> void evaluate(std::span<const F> current, std::span<const F> next,
///                                    std::span<const F> periodic, std::span<F> out) const;
/// where F is Felt or Ext2 (Ext2 mixes freely with Felt constants), and, in the prover's
/// constraint evaluation, field::simd::Packed (4 or 8 rows at once). Declare it
/// [[gnu::always_inline]] inline (as RollupAir does) so that the vector kernels run it inlined;
/// otherwise they still compute the same values, slowly, through a baseline copy.
template <class Derived>
class TypedAir : public Air {
 public:
  void evaluate_transition(std::span<const Felt> current, std::span<const Felt> next,
                           std::span<const Felt> periodic, std::span<Felt> out) const final {
    static_cast<const Derived*>(this)->template evaluate<Felt>(current, next, periodic, out);
  }
  void evaluate_transition_ext(std::span<const Ext2> current, std::span<const Ext2> next,
                               std::span<const Ext2> periodic, std::span<Ext2> out) const final {
    static_cast<const Derived*>(this)->template evaluate<Ext2>(current, next, periodic, out);
  }
  void evaluate_transition_rows(const RowBlock& block) const final { rows<false>(block); }
  /// Derived's head, when it declares one: a member template evaluate_head of the same shape as
  /// evaluate, writing the head_constraints() in order, each exactly as evaluate does.
  void evaluate_head_rows(const RowBlock& block) const final {
    if constexpr (requires(const Derived& air, std::span<const Felt> in, std::span<Felt> out) {
                    air.template evaluate_head<Felt>(in, in, in, out);
                  })
      rows<true>(block);
    else Air::evaluate_head_rows(block);
  }

 private:
  template <bool Head, class F>
  [[gnu::always_inline]] void evaluate_one(std::span<const F> cur, std::span<const F> next,
                                           std::span<const F> per, std::span<F> out) const {
    if constexpr (Head) static_cast<const Derived*>(this)->template evaluate_head<F>(cur, next, per, out);
    else static_cast<const Derived*>(this)->template evaluate<F>(cur, next, per, out);
  }

  template <bool Head>
  void rows(const RowBlock& block) const {
    std::size_t done = 0;
#if ROLLUP_FIELD_X86_SIMD
    switch (field::vector_isa()) {
      case field::VectorIsa::avx512: done = rows_avx512<Head>(block); break;
      case field::VectorIsa::avx2: done = rows_avx2<Head>(block); break;
      case field::VectorIsa::scalar: break;
    }
#endif
    evaluate_rows_from(block, done, [this](auto cur, auto next, auto per, auto out) {
      evaluate_one<Head, Felt>(cur, next, per, out);
    });
  }

#if ROLLUP_FIELD_X86_SIMD
  // Whole lanes of rows through the template on packed elements; returns how many rows it did
  // (the rest, fewer than a vector, go row by row). Each kernel is flattened: the template and
  // all it calls are inlined into it, compiled for its instruction set and no other function
  // (see field/packed.hpp).
  template <bool Head, class Isa>
  [[gnu::always_inline]] std::size_t rows_packed(const RowBlock& block) const {
    using P = field::simd::Packed<Isa>;
    const std::size_t s = block.stride, w = block.current.size() / s;
    const std::size_t np = block.periodic.size() / s, nc = block.out.size() / s;
    std::vector<P> cur(w), next(w), per(np), out(nc);
    std::size_t r = 0;
    for (; r + P::kLanes <= block.rows; r += P::kLanes) {
      for (std::size_t c = 0; c < w; ++c) {
        cur[c] = P::load(block.current.data() + c * s + r);
        next[c] = P::load(block.next.data() + c * s + r);
      }
      for (std::size_t k = 0; k < np; ++k) per[k] = P::load(block.periodic.data() + k * s + r);
      evaluate_one<Head, P>(std::span<const P>(cur), std::span<const P>(next),
                            std::span<const P>(per), std::span<P>(out));
      for (std::size_t k = 0; k < nc; ++k) out[k].store(block.out.data() + k * s + r);
    }
    return r;
  }
  // Defined below the class, not inline: an AIR whose kernels take long to compile declares them
  // `extern template` and instantiates each in a file of its own (ROLLUP_AIR_KERNELS_EXTERN), which
  // the build compiles side by side, once, instead of in every file that makes or calls the AIR.
  template <bool Head>
  [[gnu::target("avx2"), gnu::flatten]] std::size_t rows_avx2(const RowBlock& block) const;
  template <bool Head>
  [[gnu::target("avx512f,avx512vl,avx512dq"), gnu::flatten]] std::size_t rows_avx512(
      const RowBlock& block) const;
#endif
};

#if ROLLUP_FIELD_X86_SIMD
template <class Derived>
template <bool Head>
[[gnu::target("avx2"), gnu::flatten]] std::size_t TypedAir<Derived>::rows_avx2(
    const RowBlock& block) const {
  return rows_packed<Head, field::simd::Avx2>(block);
}
template <class Derived>
template <bool Head>
[[gnu::target("avx512f,avx512vl,avx512dq"), gnu::flatten]] std::size_t
TypedAir<Derived>::rows_avx512(const RowBlock& block) const {
  return rows_packed<Head, field::simd::Avx512>(block);
}
#endif

/// In an AIR's header, after the class: its four vector kernels are instantiated elsewhere.
/// KIND is `extern template` there; in the file that compiles kernel ISA (avx2, avx512) for
/// HEAD (true: the head, false: every constraint) it is `template`, one at a time. For an AIR
/// with a head (an evaluate_head) only: without one, the head's kernels do not exist.
#if ROLLUP_FIELD_X86_SIMD
#define ROLLUP_AIR_KERNEL(KIND, AIR, ISA, HEAD) \
  KIND std::size_t rollup::stark::TypedAir<AIR>::rows_##ISA<HEAD>(const rollup::stark::RowBlock&) const
#define ROLLUP_AIR_KERNELS_EXTERN(AIR)                   \
  ROLLUP_AIR_KERNEL(extern template, AIR, avx2, false);   \
  ROLLUP_AIR_KERNEL(extern template, AIR, avx512, false); \
  ROLLUP_AIR_KERNEL(extern template, AIR, avx2, true);    \
  ROLLUP_AIR_KERNEL(extern template, AIR, avx512, true)
#else
#define ROLLUP_AIR_KERNEL(KIND, AIR, ISA, HEAD) static_assert(true)
#define ROLLUP_AIR_KERNELS_EXTERN(AIR) static_assert(true)
#endif

}  // namespace rollup::stark
