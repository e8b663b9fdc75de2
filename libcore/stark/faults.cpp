#include "stark/faults.hpp"

#include "field/ntt.hpp"

namespace rollup::stark {
namespace {

// Deterministic filler for the FRI-substitution fault (any unrelated polynomial will do).
Felt splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return Felt(z ^ (z >> 31));
}

}  // namespace

void FaultHook::on_ood_frame(const Air& air, std::span<const Ext2> alphas, Ext2 z,
                             protocol::OodFrame& frame) const {
  if (!faults_.alter_ood) return;
  frame.current[0] += Ext2::one();
  const Ext2 claimed = protocol::composition_at(air, alphas, frame.current, frame.next, z);
  const Ext2 actual =
      protocol::composition_from_segments(frame.composition, z, air.trace_length());
  frame.composition[0] += claimed - actual;
}

void FaultHook::on_fri_layer(unsigned layer, std::size_t degree_bound, Felt shift,
                             std::vector<Ext2>& values) const {
  if (faults_.fri_substitute_layer != static_cast<int>(layer)) return;
  std::uint64_t seed = 0x5eed + layer;
  std::vector<Ext2> coeffs(values.size());
  for (std::size_t i = 0; i < degree_bound; ++i) {
    const Felt re = splitmix(seed);
    coeffs[i] = Ext2(re, splitmix(seed));
  }
  field::coset_ntt(std::span<Ext2>(coeffs), shift);
  values = std::move(coeffs);
}

}  // namespace rollup::stark
