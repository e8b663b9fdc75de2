// TypedAir<SchnorrAir>'s avx512 kernel for every constraint (schnorr_air.hpp declares it extern):
// about two minutes of compilation on its own.
#include "air/schnorr_air.hpp"

ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAir, avx512, false);
