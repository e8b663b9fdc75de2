#include "field/ext2.hpp"

#include <vector>

namespace rollup::field {

void batch_inverse(std::span<Ext2> values) {
  std::vector<Ext2> prefix(values.size());
  Ext2 acc = Ext2::one();
  for (std::size_t i = 0; i < values.size(); ++i) {
    prefix[i] = acc;
    if (values[i] != Ext2::zero()) acc *= values[i];
  }
  Ext2 inv = acc.inverse();
  for (std::size_t i = values.size(); i-- > 0;) {
    if (values[i] == Ext2::zero()) continue;
    Ext2 next = inv * values[i];
    values[i] = inv * prefix[i];
    inv = next;
  }
}

}  // namespace rollup::field
