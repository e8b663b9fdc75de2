#include "stark/fibonacci_air.hpp"

namespace rollup::stark {

Trace FibonacciAir::build_trace(std::size_t trace_length) {
  Trace t(2, trace_length);
  Felt a = Felt::one(), b = Felt::one();
  for (std::size_t r = 0; r < trace_length; ++r) {
    t.at(0, r) = a;
    t.at(1, r) = b;
    Felt next = a + b;
    a = b;
    b = next;
  }
  return t;
}

Felt FibonacciAir::expected_result(std::size_t trace_length) {
  Felt a = Felt::one(), b = Felt::one();
  for (std::size_t r = 1; r < trace_length; ++r) {
    Felt next = a + b;
    a = b;
    b = next;
  }
  return b;
}

Bytes FibonacciAir::public_inputs() const {
  return ByteWriter("rollup/fibonacci/v1:public").u64(length_).u64(result_.value()).take();
}

std::vector<BoundaryConstraint> FibonacciAir::boundary_constraints() const {
  return {{0, 0, Felt::one()}, {1, 0, Felt::one()}, {1, length_ - 1, result_}};
}

}  // namespace rollup::stark
