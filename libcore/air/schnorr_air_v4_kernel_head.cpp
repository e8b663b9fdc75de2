// TypedAir<SchnorrAirV4>'s kernels for the head, both instruction sets (schnorr_air.hpp declares
// them extern).
#include "air/schnorr_air.hpp"

ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAirV4, avx2, true);
ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAirV4, avx512, true);
