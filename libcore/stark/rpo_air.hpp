#pragma once
// Example AIR: a chain of m RPO permutations (the rollup's algebraic hash, hash/rpo.hpp),
// y = RPO^m(x), over 12 columns and n = 8m rows. Block k occupies rows 8k..8k+7: row 8k holds
// the input of permutation k and row 8k+r the state after r rounds, so row 8k+7 is its output,
// which row 8k+8 copies as the next input. Public inputs: x and y.
//
// A round is s -> S^-1(MDS(S(MDS(s) + ARK1)) + ARK2) with S(v) = v^7. The inverse S-box is not
// computed in the constraint; the next row is raised to the 7th power instead:
//   next_i^7 = MDS(S(MDS(cur) + ARK1))_i + ARK2_i            (rows 8k..8k+6)
//   next_i   = cur_i                                          (rows 8k+7)
// selected by a periodic column, with ARK1/ARK2 as periodic columns of period 8. x -> x^7 is a
// bijection on F_p (gcd(7, p - 1) = 1), so the first form pins next_i uniquely. Degree 8.
#include <array>
#include <span>

#include "hash/rpo.hpp"
#include "stark/air.hpp"
#include "stark/rpo_round.hpp"

namespace rollup::stark {

class RpoChainAir : public TypedAir<RpoChainAir> {
 public:
  using State = hash::State;
  static constexpr std::size_t kWidth = hash::kStateWidth;
  static constexpr std::size_t kRowsPerPermutation = 8;

  /// A chain of `permutations` (a power of two) starting at `input`, claimed to end at `output`.
  RpoChainAir(std::size_t permutations, const State& input, const State& output);

  static Trace build_trace(std::size_t permutations, const State& input);
  /// RPO^permutations(input), computed with hash::permute.
  static State chain_output(std::size_t permutations, const State& input);

  std::string id() const override { return "rollup/rpo-chain/v1"; }
  std::size_t trace_width() const override { return kWidth; }
  std::size_t trace_length() const override { return permutations_ * kRowsPerPermutation; }
  Bytes public_inputs() const override;
  std::vector<unsigned> transition_degrees() const override;
  std::vector<std::vector<Felt>> periodic_columns() const override;
  std::vector<BoundaryConstraint> boundary_constraints() const override;

  // periodic = [is_round, ARK1[0..12], ARK2[0..12]].
  template <class F>
  void evaluate(std::span<const F> cur, std::span<const F> next, std::span<const F> periodic,
                std::span<F> out) const {
    std::array<F, kWidth> image;
    rpo_round::image(cur.data(), &periodic[1], &periodic[1 + kWidth], image);
    const F is_round = periodic[0];
    for (std::size_t i = 0; i < kWidth; ++i) {
      const F round = rpo_round::pow7(next[i]) - image[i];
      const F copy = next[i] - cur[i];
      out[i] = is_round * (round - copy) + copy;
    }
  }

 private:
  std::size_t permutations_;
  State input_, output_;
};

}  // namespace rollup::stark
