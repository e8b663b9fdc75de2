#pragma once
// The state at any committed height (docs/architecture.md, "History"): what queries at a past
// height, the prover's pre-state, snapshots and the debugging tools read.
#include <cstdint>

#include "l1/contract.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

/// The rollup's state just after block `height` (0: genesis): every account that existed then,
/// at its balance and nonce then, and the tree over them. Errc::rejected when the contract has
/// not committed that height.
Result<State> state_at(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads);

}  // namespace rollup::vm
