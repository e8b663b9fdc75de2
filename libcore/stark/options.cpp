#include "stark/options.hpp"

#include <algorithm>
#include <string>

namespace rollup::stark {

unsigned conjectured_security_bits(unsigned log_blowup, unsigned num_queries,
                                   unsigned grinding_bits, unsigned log_lde_domain_size) {
  const unsigned long long query_bits =
      static_cast<unsigned long long>(num_queries) * log_blowup + grinding_bits;
  const unsigned field_bits =
      log_lde_domain_size >= kExtensionFieldBits ? 0 : kExtensionFieldBits - log_lde_domain_size;
  return static_cast<unsigned>(
      std::min<unsigned long long>({query_bits, field_bits, kHashCollisionBits}));
}

std::size_t lde_cache_budget(const ProofOptions& options, std::size_t lde_bytes,
                             std::size_t composition_lde_bytes) {
  if (options.lde_cache_bytes != kAutoLdeCache) return options.lde_cache_bytes;
  return lde_bytes <= kWholeLdeCacheLimit ? lde_bytes + composition_lde_bytes : kPartialLdeCacheBytes;
}

PinnedParams PinnedParams::of(const ProofOptions& options) {
  PinnedParams p;
  p.blowup = options.blowup;
  p.num_queries = options.num_queries;
  p.grinding_bits = options.grinding_bits;
  p.folding_factor = kFoldingFactor;
  p.max_remainder_size = options.max_remainder_size;
  return p;
}

std::string describe(const PinnedParams& p) {
  return "blowup " + std::to_string(p.blowup) + ", " + std::to_string(p.num_queries) +
         " queries, " + std::to_string(p.grinding_bits) + " grinding bits, folding factor " +
         std::to_string(p.folding_factor) + ", remainder <= " +
         std::to_string(p.max_remainder_size);
}

}  // namespace rollup::stark
