#include "stark/pinned_rows.hpp"

namespace rollup::stark {

void pinned_row_weights(const Ext2& z, std::span<const Felt> points, std::span<Felt> weights) {
  const Felt a = z.real(), wb2 = Ext2::kNonResidue * z.imag() * z.imag();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Felt d = a - points[i];
    weights[i] = d * d - wb2;
  }
  field::batch_inverse(weights.first(points.size()));
  for (std::size_t i = 0; i < points.size(); ++i) weights[i] *= points[i];
}

Ext2 pinned_row_sum(const Ext2& z, Felt sum_vq, Felt sum_vqp) {
  return Ext2(z.real() * sum_vq - sum_vqp, -(z.imag() * sum_vq));
}

}  // namespace rollup::stark
