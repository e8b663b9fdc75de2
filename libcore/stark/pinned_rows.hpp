#pragma once
// The sums by which an AIR's periodic_values_at evaluates a column that is zero off a few rows
// of the trace domain <w> (n points), at a point z outside it:
//   P(z) = (z^n - 1) / n * sum_i P(w^i) w^i / (z - w^i)   over the rows i where P is not zero.
// With z = a + b u (u^2 = W) and p a point of the base field, p / (z - p) = q (a - p - b u) with
// q = p / ((a - p)^2 - W b^2): the inversions are of base-field norms, batched, and a column's
// sum needs only the base-field sums of v q and of v q p, which the caller accumulates unreduced.
#include <span>

#include "field/ext2.hpp"

namespace rollup::stark {

using field::Ext2;
using field::Felt;

/// weights[i] = q of points[i] (one batch inversion for all of them). z must lie outside F_p.
void pinned_row_weights(const Ext2& z, std::span<const Felt> points, std::span<Felt> weights);

/// sum_i v_i p_i / (z - p_i), from sum_vq = sum_i v_i q_i and sum_vqp = sum_i v_i q_i p_i.
Ext2 pinned_row_sum(const Ext2& z, Felt sum_vq, Felt sum_vqp);

}  // namespace rollup::stark
