#include "vm/history.hpp"

#include <fmt/format.h>

#include "store/db.hpp"
#include "vm/executor.hpp"

namespace rollup::vm {

Result<State> state_at(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads) {
  auto replay = ROLLUP_TRY(Executor::open_at_genesis(db, contract, threads));
  while (replay->height() < height) {
    auto block = ROLLUP_TRY(replay->next_committed());
    if (!block) return fail(Errc::rejected, fmt::format("the contract has no block {}", replay->height() + 1));
    ROLLUP_TRY(replay->apply(*block));
  }
  return replay->state();
}

}  // namespace rollup::vm
