#include "l1/contract.hpp"
#include "l1/embedded.hpp"

namespace rollup::l1 {

Result<std::unique_ptr<Contract>> open_contract(store::Db& db) { return open_embedded(db); }

Result<std::unique_ptr<Contract>> open_contract(store::Db& db, Clock clock) {
  return open_embedded(db, std::move(clock));
}

}  // namespace rollup::l1
