#include "field/goldilocks.hpp"

#include "field/batch_inverse.hpp"

namespace rollup::field {

Felt root_of_unity(unsigned log_n) {
  // g^((p-1)/2^32) has order exactly 2^32; squaring halves the order.
  Felt root = kMultiplicativeGenerator.pow((Felt::kModulus - 1) >> kTwoAdicity);
  for (unsigned i = log_n; i < kTwoAdicity; ++i) root = root.square();
  return root;
}

void batch_inverse(std::span<Felt> values) { detail::batch_inverse_chains(values); }

}  // namespace rollup::field
