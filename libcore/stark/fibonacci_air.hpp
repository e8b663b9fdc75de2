#pragma once
// Example AIR: the Fibonacci sequence over Goldilocks in two columns (a, b), starting at
// (1, 1) and stepping (a, b) -> (b, a + b) once per row. The public input is b on the last row,
// i.e. F(n + 1) mod p for a trace of n rows (F(1) = F(2) = 1).
#include <span>

#include "stark/air.hpp"

namespace rollup::stark {

class FibonacciAir : public TypedAir<FibonacciAir> {
 public:
  FibonacciAir(std::size_t trace_length, Felt result) : length_(trace_length), result_(result) {}

  /// The honest trace of `trace_length` rows.
  static Trace build_trace(std::size_t trace_length);
  /// b on the last row of the honest trace.
  static Felt expected_result(std::size_t trace_length);

  std::string id() const override { return "rollup/fibonacci/v1"; }
  std::size_t trace_width() const override { return 2; }
  std::size_t trace_length() const override { return length_; }
  Bytes public_inputs() const override;
  std::vector<unsigned> transition_degrees() const override { return {1, 1}; }
  std::vector<BoundaryConstraint> boundary_constraints() const override;

  template <class F>
  void evaluate(std::span<const F> cur, std::span<const F> next, std::span<const F> /*periodic*/,
                std::span<F> out) const {
    out[0] = next[0] - cur[1];
    out[1] = next[1] - (cur[0] + cur[1]);
  }

 private:
  std::size_t length_;
  Felt result_;
};

}  // namespace rollup::stark
