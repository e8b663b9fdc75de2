#pragma once
// The contract embedded in the state file (tables l1_*). Only l1::open_contract names it.
#include <memory>

#include "l1/contract.hpp"

namespace rollup::l1 {

/// On the clock l1_time().
std::unique_ptr<Contract> open_embedded(store::Db& db);
std::unique_ptr<Contract> open_embedded(store::Db& db, Clock clock);

}  // namespace rollup::l1
