#include "stark/rpo_air.hpp"

namespace rollup::stark {

RpoChainAir::RpoChainAir(std::size_t permutations, const State& input, const State& output)
    : permutations_(permutations), input_(input), output_(output) {}

Trace RpoChainAir::build_trace(std::size_t permutations, const State& input) {
  Trace trace(kWidth, permutations * kRowsPerPermutation);
  State s = input;
  std::size_t row = 0;
  auto put = [&] {
    for (std::size_t i = 0; i < kWidth; ++i) trace.at(i, row) = s[i];
    ++row;
  };
  for (std::size_t k = 0; k < permutations; ++k) {
    put();
    for (std::size_t r = 0; r < hash::kRounds; ++r) {
      hash::apply_mds(s);
      for (std::size_t i = 0; i < kWidth; ++i) s[i] = hash::pow7(s[i] + hash::ark1()[r][i]);
      hash::apply_mds(s);
      for (std::size_t i = 0; i < kWidth; ++i) s[i] = hash::inv_pow7(s[i] + hash::ark2()[r][i]);
      put();
    }
  }
  return trace;
}

RpoChainAir::State RpoChainAir::chain_output(std::size_t permutations, const State& input) {
  State s = input;
  for (std::size_t k = 0; k < permutations; ++k) hash::permute(s);
  return s;
}

Bytes RpoChainAir::public_inputs() const {
  ByteWriter w("rollup/rpo-chain/v1:public");
  w.u64(permutations_);
  for (auto v : input_) w.u64(v.value());
  for (auto v : output_) w.u64(v.value());
  return w.take();
}

std::vector<unsigned> RpoChainAir::transition_degrees() const {
  // The round branch has degree 7 in the trace, times the degree-1 selector.
  return std::vector<unsigned>(kWidth, 8);
}

std::vector<std::vector<Felt>> RpoChainAir::periodic_columns() const {
  std::vector<std::vector<Felt>> cols(1 + 2 * kWidth,
                                      std::vector<Felt>(kRowsPerPermutation, Felt::zero()));
  for (std::size_t r = 0; r < hash::kRounds; ++r) {
    cols[0][r] = Felt::one();
    for (std::size_t i = 0; i < kWidth; ++i) {
      cols[1 + i][r] = hash::ark1()[r][i];
      cols[1 + kWidth + i][r] = hash::ark2()[r][i];
    }
  }
  return cols;
}

std::vector<BoundaryConstraint> RpoChainAir::boundary_constraints() const {
  std::vector<BoundaryConstraint> out;
  const std::size_t last = trace_length() - 1;
  for (std::size_t i = 0; i < kWidth; ++i) out.push_back({i, 0, input_[i]});
  for (std::size_t i = 0; i < kWidth; ++i) out.push_back({i, last, output_[i]});
  return out;
}

}  // namespace rollup::stark
