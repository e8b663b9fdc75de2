#include "field/goldilocks.hpp"

namespace rollup::field {

Felt root_of_unity(unsigned log_n) {
  // g^((p-1)/2^32) has order exactly 2^32; squaring halves the order.
  Felt root = kMultiplicativeGenerator.pow((Felt::kModulus - 1) >> kTwoAdicity);
  for (unsigned i = log_n; i < kTwoAdicity; ++i) root = root.square();
  return root;
}

void batch_inverse(std::span<Felt> values) {
  std::vector<Felt> prefix(values.size());
  Felt acc = Felt::one();
  for (std::size_t i = 0; i < values.size(); ++i) {
    prefix[i] = acc;
    if (values[i] != Felt::zero()) acc *= values[i];
  }
  Felt inv = acc.inverse();
  for (std::size_t i = values.size(); i-- > 0;) {
    if (values[i] == Felt::zero()) continue;
    Felt next = inv * values[i];
    values[i] = inv * prefix[i];
    inv = next;
  }
}

}  // namespace rollup::field
