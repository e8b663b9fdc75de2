#pragma once
// One RPO round as an AIR constraint over any field type (Felt, Ext2, packed lanes), shared by
// the RPO-chain example, the rollup AIR's hash lanes and the SchnorrAir's challenge: the inverse
// S-box is not computed, the next row is raised to the 7th power instead (x -> x^7 is a
// bijection on F_p), so a round row holds  next^7 = MDS(S(MDS(cur) + ARK1)) + ARK2.
#include <array>
#include <cstdint>
#include <type_traits>

#include "field/packed.hpp"
#include "hash/rpo.hpp"

namespace rollup::stark::rpo_round {

using field::Felt;

template <class F>
[[gnu::always_inline]] inline F pow7(const F& x) {
  const F x2 = x * x, x4 = x2 * x2;
  return x4 * x2 * x;
}

template <class F>
[[gnu::always_inline]] inline void mds(const F* s, std::array<F, hash::kStateWidth>& out) {
  const auto& row = hash::mds_row();
  constexpr std::size_t W = hash::kStateWidth;
  for (std::size_t i = 0; i < W; ++i) {
    if constexpr (std::is_same_v<F, Felt>) {
      // Entries are below 32, so the twelve products sum in 128 bits with one reduction.
      unsigned __int128 acc = 0;
      for (std::size_t j = 0; j < W; ++j)
        acc += static_cast<unsigned __int128>(row[(j + W - i) % W]) * s[j].value();
      out[i] = Felt::reduce128(acc);
    } else if constexpr (field::simd::is_packed_v<F>) {
      // The same single reduction, lane-wise on 32-bit halves.
      static const auto rotated = [&row] {
        std::array<std::array<std::uint64_t, W>, W> m{};
        for (std::size_t r = 0; r < W; ++r)
          for (std::size_t j = 0; j < W; ++j) m[r][j] = row[(j + W - r) % W];
        return m;
      }();
      out[i] = F::template dot_small<W>(s, rotated[i].data());
    } else {
      F acc = F(Felt::zero());
      for (std::size_t j = 0; j < W; ++j) acc += s[j] * Felt(row[(j + W - i) % W]);
      out[i] = acc;
    }
  }
}

/// MDS(S(MDS(s) + ark1)) + ark2, the 12 values a round's next row raised to the 7th power equals.
template <class F>
[[gnu::always_inline]] inline void image(const F* s, const F* ark1, const F* ark2,
                                                   std::array<F, hash::kStateWidth>& out) {
  constexpr std::size_t W = hash::kStateWidth;
  std::array<F, W> t;
  mds(s, t);
  for (std::size_t i = 0; i < W; ++i) t[i] = pow7(F(t[i] + ark1[i]));
  mds(t.data(), out);
  for (std::size_t i = 0; i < W; ++i) out[i] = out[i] + ark2[i];
}

}  // namespace rollup::stark::rpo_round
