// TypedAir<SchnorrAir>'s kernels for the head, both instruction sets (schnorr_air.hpp declares
// them extern).
#include "air/schnorr_air.hpp"

ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAir, avx2, true);
ROLLUP_AIR_KERNEL(template, rollup::air::SchnorrAir, avx512, true);
