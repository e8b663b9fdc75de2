// TypedAir<SchnorrAirV4>'s avx512 kernel for every constraint (schnorr_air.hpp declares it extern).
#include "air/schnorr_air.hpp"

ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAirV4, avx512, false);
