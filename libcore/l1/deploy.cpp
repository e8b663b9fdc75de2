// Deploying the embedded contract: the state file and the contract appear together or not at all.
#include <filesystem>

#include "l1/contract.hpp"
#include "l1/embedded.hpp"
#include "store/db.hpp"

namespace rollup::l1 {

Result<RootRecord> deploy(const std::string& db_path, const Config& config,
                          const std::vector<GenesisAccount>& genesis) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool existed = db_path == ":memory:" || fs::exists(db_path, ec);
  auto deployed = [&]() -> Result<RootRecord> {
    auto db = ROLLUP_TRY(store::Db::open(db_path, store::OpenMode::create_if_missing));
    auto contract = open_embedded(db);
    ROLLUP_TRY(contract->init(config, genesis));
    return contract->latest_root();
  }();  // the file is closed here, before it may be removed
  if (!deployed && !existed)
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db_path + suffix, ec);
  return deployed;
}

}  // namespace rollup::l1
