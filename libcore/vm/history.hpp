#pragma once
// The state at any committed height (docs/architecture.md, "History"): what queries at a past
// height, the prover's pre-state, snapshots and the debugging tools read.
//
// The executor keeps every value an account or a stored tree node took under the height that
// wrote it (state_account_history, state_node_history), so the state at a height is read with
// index seeks whose cost depends on the size of the state, not on the length of the chain.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "l1/contract.hpp"
#include "smt/tree.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

/// The contract's genesis accounts in index order, at nonce 0: the state at height 0.
Result<std::vector<Account>> genesis_accounts(l1::Contract& contract);

/// Heights kept below the executor's tip unless set otherwise (`rollup-exec --retain`).
inline constexpr std::uint64_t kDefaultRetain = 10'000;
/// How often (in heights) the executor prunes history older than the retention.
inline constexpr std::uint64_t kPruneEvery = 256;

struct HistorySettings {
  std::uint64_t base_height = 0;            ///< what the executor started from: 0 = genesis, else a snapshot
  std::optional<Hash32> base_root;          ///< the snapshot's root (none for genesis)
  std::uint64_t base_accounts = 0;          ///< the snapshot's account count
  std::uint64_t floor = 0;                  ///< the lowest height the history tables answer for
  std::optional<std::uint64_t> retain;      ///< heights kept below the tip; none: all (archive)
};
Result<HistorySettings> history_settings(store::Db& db);
/// Sets the retention: `retain` heights below the tip, or every height (nullopt, archive). Never
/// prunes above the contract's last verified root, whatever the setting.
Status set_retention(store::Db& db, std::optional<std::uint64_t> retain);

/// The executor's height in the file: its last stored block, or the snapshot it started from.
Result<std::uint64_t> executor_height(store::Db& db);
/// The root the executor stored for `height` (nullopt when it has none).
Result<std::optional<StateRoot>> stored_root(store::Db& db, std::uint64_t height);

/// Writes the tree nodes the history keeps (levels >= kFirstStoredLevel) under `height`, within
/// the caller's transaction.
Status store_node_history(store::Db& db, const std::vector<smt::NodeUpdate>& nodes, std::uint64_t height);
/// Writes the tip's tree nodes (levels >= kFirstTipLevel) to state_nodes, within the caller's
/// transaction.
Status store_tip_nodes(store::Db& db, const std::vector<smt::NodeUpdate>& nodes);

/// Drops the values that no height at or above `boundary` needs and raises the floor to it.
/// Returns the rows deleted.
Result<std::uint64_t> prune_history(store::Db& db, std::uint64_t boundary);
/// The height below which the executor at `tip` may prune, given the settings and the contract's
/// last verified height (nullopt: nothing to prune yet).
std::optional<std::uint64_t> prune_boundary(const HistorySettings& settings, std::uint64_t tip,
                                            std::uint64_t verified_height);

/// Reads the stored history at one height (within one read transaction of the caller's).
class HistoryReader {
 public:
  explicit HistoryReader(store::Db& db) : db_(db) {}
  /// The accounts with index in [first, end) as of `height` (those that existed then), in index
  /// order.
  Result<std::vector<std::pair<std::uint64_t, Account>>> accounts_in(std::uint64_t first, std::uint64_t end,
                                                                     std::uint64_t height);
  /// The accounts with index in [first, end) at the executor's tip (state_accounts), in index order.
  Result<std::vector<std::pair<std::uint64_t, Account>>> tip_accounts(std::uint64_t first, std::uint64_t end);
  /// All `count` accounts as of `height`, in index order, the executor being at `tip`.
  Result<std::vector<Account>> all_accounts(std::uint64_t count, std::uint64_t height, std::uint64_t tip);
  /// The tree node (level >= 4) as of `height`; the level's empty digest when never written.
  Result<hash::Digest> node(unsigned level, std::uint64_t index, std::uint64_t height);
  /// The tip's tree node (level >= kFirstTipLevel, from state_nodes); the empty digest when unset.
  Result<hash::Digest> tip_node(unsigned level, std::uint64_t index);
  /// The number of accounts after block `height` (from the executor's records).
  Result<std::optional<std::uint64_t>> account_count(std::uint64_t height);

 private:
  store::Db& db_;
};

/// The rollup's state just after block `height` (0: genesis): every account that existed then,
/// at its balance and nonce then, and the tree over them. Read from the history tables when they
/// cover the height; blocks the executor has not applied yet are applied in memory from the
/// contract. Only a height below the floor (pruned, or older than a migrated file's history) is
/// rebuilt from genesis, with a warning. Errc::rejected when the contract has not committed it.
Result<State> state_at(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads);

/// Snapshots: the state at a height as NDJSON, a header line then one line per account
/// (docs/formats.md, "snapshot").
Status export_snapshot(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads,
                       const std::function<Status(std::string_view line)>& write);

/// Takes a snapshot into a state file whose executor has stored nothing yet: the accounts must
/// hash to the root the contract verified at the snapshot's height, and the executor then starts
/// from that height (the blocks after it come from the contract).
class SnapshotImporter {
 public:
  SnapshotImporter(store::Db& db, l1::Contract& contract, unsigned threads)
      : db_(db), contract_(contract), threads_(threads) {}
  /// Each line of the snapshot in order.
  Status add(const codec::Json& object);
  /// Checks the whole snapshot against the contract and writes it.
  struct Imported {
    std::uint64_t height = 0;
    std::uint64_t accounts = 0;
    StateRoot root{};
  };
  Result<Imported> finish();

 private:
  store::Db& db_;
  l1::Contract& contract_;
  unsigned threads_;
  bool have_header_ = false;
  std::uint64_t height_ = 0, count_ = 0, chain_id_ = 0, namespace_id_ = 0;
  Hash32 root_{};
  std::vector<Account> accounts_;
};

}  // namespace rollup::vm
