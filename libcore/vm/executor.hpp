#pragma once
// The executor: authenticates each block against the contract's commitment at its height,
// applies it with the STF, and stores accounts, tree nodes and the exec result in the state
// file's state_* tables, one block per transaction.
#include <memory>
#include <optional>
#include <string>

#include "l1/contract.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

class StateWriter;

/// The tree levels kept for the tip in state_nodes. The four lowest levels (leaves included) are
/// not stored: they follow from the 16 accounts below a level-4 node, and leaving them out cuts
/// the pages a block dirties in the state file by more than half. The executor rebuilds the whole
/// tree from state_accounts at start; queries recompute the missing siblings.
inline constexpr unsigned kFirstTipLevel = 4;
/// The tree levels kept in state_node_history, for past heights. A block's random paths share
/// almost no node below level 8, so levels 4..7 would be nine rows in ten of the history a large
/// block writes; a query at a past height rebuilds them from 256 accounts (a few milliseconds).
inline constexpr unsigned kFirstStoredLevel = 8;

/// Seconds spent per phase, for --verbose and the benchmarks.
struct PhaseTimings {
  double signatures = 0;  ///< Ed25519 checks (in parallel)
  double transition = 0;  ///< the STF and the tree's rehashing
  double persist = 0;     ///< waiting for the state file writer (the rest overlaps)
};

struct ApplyResult {
  bool already_applied = false;  ///< the block was applied before: nothing changed
  std::string exec_line;         ///< the exec object (the stored one when already applied)
  std::uint64_t height = 0;
  std::size_t txs = 0;  ///< the rollup's txs in the block
};

class Executor {
 public:
  /// Loads the executor's state from the file. `persist` = false is --dry-run: blocks are
  /// applied in memory only.
  static Result<std::unique_ptr<Executor>> open(store::Db& db, l1::Contract& contract, unsigned threads,
                                                bool persist);
  ~Executor();
  /// Waits until every applied block is in the state file; call before exiting.
  Status finish();

  /// Authenticates and applies one block. Errc::rejected when the contract has not committed
  /// this block (or committed another at its height). Committed blocks between the executor's
  /// tip and this one are fetched from the contract and applied first, so a stream that lost
  /// blocks to a crashed stage heals: one result per block applied or found already applied.
  /// `signatures`, when given, are the block's check_signatures bits, computed ahead by the
  /// caller (see vm/pipeline.hpp).
  Result<std::vector<ApplyResult>> apply(const codec::Block& block,
                                         const std::vector<bool>* signatures = nullptr);
  /// Exec lines of applied blocks whose root the contract does not hold yet (the stage after
  /// the executor crashed): emitted again at start so that the stream heals.
  Result<std::vector<std::string>> unsettled_exec_lines();
  /// The committed block after the executor's tip, if the contract has one.
  Result<std::optional<codec::Block>> next_committed();
  /// For a follower, which must emit every height in order whoever applied it: the result at
  /// `height` (at most one above the heights already emitted), applying the contract's block
  /// there if no executor has yet; nullopt while the contract has not committed it. Another
  /// executor may store blocks meanwhile and move this one's tip past `height`; the heights it
  /// skipped are then answered from the state file, never lost.
  Result<std::optional<ApplyResult>> follow(std::uint64_t height);

  std::uint64_t height() const { return height_; }
  const State& state() const { return state_; }
  const RollupParams& params() const { return params_; }
  unsigned threads() const { return threads_; }
  const PhaseTimings& timings() const { return timings_; }

 private:
  Executor(store::Db& db, l1::Contract& contract, unsigned threads, bool persist);
  /// (Re)reads accounts and tree from the file; used at start and whenever another executor
  /// moved the state on since this one last looked.
  Status reload();
  Result<ApplyResult> apply_authenticated(const codec::Block& block,
                                          const std::vector<bool>* signatures);
  Result<std::uint64_t> stored_height();

  store::Db& db_;
  l1::Contract* contract_;  ///< the caller's; outlives the executor
  unsigned threads_;
  bool persist_;
  RollupParams params_;
  State state_;
  std::uint64_t height_ = 0;
  PhaseTimings timings_;
  std::unique_ptr<StateWriter> writer_;
  /// Genesis accounts and nodes not yet in the file: written with the first block.
  std::vector<Account> genesis_accounts_;
  std::vector<smt::NodeUpdate> genesis_nodes_;
};

}  // namespace rollup::vm
