#pragma once
// The one bound on every amount, fee, balance and counter of the rollup: 2^53. Below it a value
// is exact as a JSON number (IEEE double), fits an INTEGER column, and leaves the AIR's range
// checks room (a sum of two such values stays below 2^54, far below the Goldilocks prime). The
// STF, the contract, the codec, the wallet and the AIR all test against this one constant: two
// copies that drift apart would be a soundness bug in the prover.
#include <cstdint>

namespace rollup {

/// Every amount, fee and balance is below this; a credit that would reach it fails.
inline constexpr std::uint64_t kBalanceLimit = std::uint64_t{1} << 53;

}  // namespace rollup
