#pragma once
// The algebraic intermediate representation (AIR) that the prover and verifier are generic over:
// an execution trace of `trace_width` columns and `trace_length` rows (a power of two), transition
// constraints over each pair of consecutive rows (every pair but the last wraps nowhere: the
// constraints are enforced on rows 0..n-2), periodic columns, and boundary constraints that pin
// single cells, usually to public inputs.
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "field/ext2.hpp"
#include "field/goldilocks.hpp"

namespace rollup::stark {

using field::Ext2;
using field::Felt;

/// The cell (column, row) must equal `value`.
struct BoundaryConstraint {
  std::size_t column = 0;
  std::size_t row = 0;
  Felt value;
};

/// A column-major execution trace.
class Trace {
 public:
  Trace(std::size_t width, std::size_t length)
      : columns_(width, std::vector<Felt>(length)), length_(length) {}

  std::size_t width() const { return columns_.size(); }
  std::size_t length() const { return length_; }
  Felt& at(std::size_t column, std::size_t row) { return columns_[column][row]; }
  Felt at(std::size_t column, std::size_t row) const { return columns_[column][row]; }
  const std::vector<Felt>& column(std::size_t c) const { return columns_[c]; }
  std::span<const std::vector<Felt>> columns() const { return columns_; }
  /// Hands the columns over (the prover turns them into coefficients in place); the trace is
  /// left empty.
  std::vector<std::vector<Felt>> release_columns() && {
    length_ = 0;
    return std::move(columns_);
  }

 private:
  std::vector<std::vector<Felt>> columns_;
  std::size_t length_;
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
};

/// Implements both evaluate_transition overloads from one member template of Derived:
///   template <class F> void evaluate(std::span<const F> current, std::span<const F> next,
///                                    std::span<const F> periodic, std::span<F> out) const;
/// where F is Felt or Ext2 (Ext2 mixes freely with Felt constants).
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
};

}  // namespace rollup::stark
