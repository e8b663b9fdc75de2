// The one place TypedAir<RollupAir>'s vector kernels are compiled (rollup_air.hpp declares them
// extern): all four, which take seconds.
#include "air/rollup_air.hpp"

ROLLUP_AIR_KERNEL(template, rollup::air::RollupAir, avx2, false);
ROLLUP_AIR_KERNEL(template, rollup::air::RollupAir, avx512, false);
ROLLUP_AIR_KERNEL(template, rollup::air::RollupAir, avx2, true);
ROLLUP_AIR_KERNEL(template, rollup::air::RollupAir, avx512, true);
