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
#include <type_traits>

#include "hash/rpo.hpp"
#include "stark/air.hpp"

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
    std::array<F, kWidth> t;
    mds(cur, t);
    for (std::size_t i = 0; i < kWidth; ++i) {
      const F v = t[i] + periodic[1 + i];
      const F v2 = v * v;
      t[i] = v2 * v2 * v2 * v;
    }
    std::array<F, kWidth> u;
    mds(std::span<const F>(t), u);
    const F is_round = periodic[0];
    for (std::size_t i = 0; i < kWidth; ++i) {
      const F y = next[i], y2 = y * y;
      const F round = y2 * y2 * y2 * y - (u[i] + periodic[1 + kWidth + i]);
      const F copy = next[i] - cur[i];
      out[i] = is_round * (round - copy) + copy;
    }
  }

 private:
  template <class F>
  static void mds(std::span<const F> s, std::array<F, kWidth>& out) {
    const auto& row = hash::mds_row();
    for (std::size_t i = 0; i < kWidth; ++i) {
      if constexpr (std::is_same_v<F, Felt>) {
        // Entries are below 32, so the twelve products sum in 128 bits with one reduction.
        unsigned __int128 acc = 0;
        for (std::size_t j = 0; j < kWidth; ++j)
          acc += static_cast<unsigned __int128>(row[(j + kWidth - i) % kWidth]) * s[j].value();
        out[i] = Felt::reduce128(acc);
      } else {
        F acc{};
        for (std::size_t j = 0; j < kWidth; ++j) acc += s[j] * Felt(row[(j + kWidth - i) % kWidth]);
        out[i] = acc;
      }
    }
  }

  std::size_t permutations_;
  State input_, output_;
};

}  // namespace rollup::stark
