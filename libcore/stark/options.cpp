#include "stark/options.hpp"

#include <algorithm>

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

}  // namespace rollup::stark
