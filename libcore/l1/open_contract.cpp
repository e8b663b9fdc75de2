#include "l1/contract.hpp"
#include "l1/embedded.hpp"
#include "store/db.hpp"

namespace rollup::l1 {

namespace {

// The backend the state file's configuration names. A file whose contract is not initialized
// yet holds no configuration: it gets the embedded contract, whose init writes one.
Status check_backend(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare("SELECT backend FROM l1_config WHERE id = 1"));
  if (!ROLLUP_TRY(q.step())) return {};
  const std::string backend = q.column_text(0);
  if (backend != kEmbeddedBackend)
    return fail(Errc::usage, db.path() + ": the contract's backend is '" + backend +
                                 "', which this build of rollup-tools does not have (it has '" +
                                 std::string(kEmbeddedBackend) + "')");
  return {};
}

}  // namespace

Result<std::unique_ptr<Contract>> open_contract(store::Db& db) {
  ROLLUP_TRY(check_backend(db));
  return open_embedded(db);
}

Result<std::unique_ptr<Contract>> open_contract(store::Db& db, Clock clock) {
  ROLLUP_TRY(check_backend(db));
  return open_embedded(db, std::move(clock));
}

}  // namespace rollup::l1
