#pragma once
// The sequencer: batches txs into ordered, signed blocks, never executing them (docs/design.md §2).
// It pulls the contract's pending deposits into each block in queue order, persists every block
// in seq_log before anyone sees it, and resumes height and parent from that log after a restart,
// so it never emits two different blocks at one height.
//
// A shared sequencer (open_shared) serves several rollups at once, each with its own contract in
// its own state file: one stream of signed blocks (version 2) whose namespace table holds each
// rollup's txs and the deposits of that rollup's own queue, so that every rollup commits the same
// blocks and executes only its namespace (docs/design.md §5, "Several rollups on one sequencer").
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "codec/objects.hpp"
#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "store/process_lock.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::seq {

enum class Ordering { fifo, fee };

/// Tx ids are uniformly random: their first bytes hash them.
struct TxIdHash {
  std::size_t operator()(const Hash32& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.data(), sizeof h);
    return h;
  }
};

struct Options {
  std::size_t max_txs = 1024;
  std::size_t max_bytes = 1 << 20;  ///< sum of the tx lines' sizes
  std::uint64_t max_wait_ms = 1000;
  Ordering ordering = Ordering::fifo;
  std::optional<std::uint32_t> namespace_id;  ///< default: the contract's
  std::optional<PublicKey> fee_recipient;     ///< default: the sequencer's key
  std::size_t max_deposits = 1024;            ///< per block
  std::optional<std::uint64_t> fixed_timestamp;  ///< for reproducible streams in tests
};

/// Orders a batch by fee, highest first, while each sender's txs keep their arrival order (so
/// nonces stay in sequence). Stable: equal fees keep arrival order.
std::vector<codec::Tx> order_by_fee(std::vector<codec::Tx> txs);

/// A rollup served by a shared sequencer: its namespace and its contract (the caller's, opened on
/// that rollup's own state file), which gives its chain id, its deposit queue and its committed
/// chain.
struct ServedRollup {
  std::string name;  ///< for messages: the state file's path
  l1::Contract* contract = nullptr;
  /// The rollup's state file: the shared sequencer holds its sequencer lock, as a rollup's own
  /// sequencer would, so that no other sequencer signs blocks for the rollup meanwhile (none
  /// taken for an in-memory file or the sequencer's own).
  store::Db* db = nullptr;
};

/// A block as signed and logged, with its line as written to the log and to stdout.
struct SealedBlock {
  codec::Block block;
  std::string line;
};

class Sequencer {
 public:
  static Result<Sequencer> open(store::Db& db, l1::Contract& contract, crypto::KeyPair key,
                                Options options);
  /// A shared sequencer over `rollups` (at least one), logging in `db`, its own state file. Each
  /// rollup's contract must register `key` as its sequencer, the namespaces must differ, and the
  /// rollups must hold no blocks but this sequencer's (a rollup joins at its genesis, with the
  /// others). Options::namespace_id must be unset: each rollup's contract names its namespace.
  static Result<Sequencer> open_shared(store::Db& db, std::vector<ServedRollup> rollups,
                                       crypto::KeyPair key, Options options);

  /// Admits a tx line (already parsed). Bad input (a namespace the sequencer does not serve, or
  /// the wrong chain id for it) is refused; returns true when the batch has reached a limit and
  /// should be cut now.
  Result<bool> add(const codec::Tx& tx, std::size_t line_bytes);
  /// Takes pending txs from the mempool table (seq_mempool) into the batch, oldest first, as many
  /// as the batch has room for. Each is marked with its block and position in the transaction
  /// that logs the block; one the sequencer took but never logged (a crash) is taken again by
  /// the next run. Returns how many it took and whether the batch should be cut now.
  struct MempoolPull {
    std::size_t taken = 0;
    bool full = false;
  };
  Result<MempoolPull> pull_mempool();
  bool has_txs() const { return !batch_.empty(); }
  std::size_t batch_size() const { return batch_.size(); }
  /// Whether a served contract's queue holds deposits that no block of this sequencer consumed.
  Result<bool> deposits_pending();
  /// Builds, signs and logs the next block from the batch and pending deposits; nullopt when
  /// there is nothing to put in it.
  Result<std::optional<SealedBlock>> cut();
  /// Blocks in the log that the contract (for a shared sequencer: some served contract) has not
  /// committed yet (a restart after a crash between logging and submitting): they are emitted
  /// again, before any new block.
  Result<std::vector<std::string>> unsubmitted_blocks();

  std::uint64_t next_height() const { return tip_height_ + 1; }
  /// The namespace of the (first) rollup served.
  std::uint32_t namespace_id() const { return lanes_.front().namespace_id; }
  bool shared() const { return shared_; }
  /// The most accounts the (first) rollup's state can hold after the sequencer's tip: where the
  /// block work rule (l1::check_block_work) of the next block starts.
  std::uint64_t accounts_bound() const { return lanes_.front().accounts_bound; }

 private:
  /// One rollup served: single mode has one lane (its contract may be missing: --namespace
  /// without a contract), a shared sequencer one per rollup, in namespace order.
  struct Lane {
    std::string name;
    std::uint32_t namespace_id = 0;
    l1::Contract* contract = nullptr;  ///< the caller's; outlives the sequencer
    std::optional<l1::Config> config;
    std::uint64_t deposit_next = 0;  ///< the first entry of its queue no logged block consumed
    std::size_t batched = 0;         ///< its txs in the batch
    /// The most accounts its state can hold after the sequencer's tip (refresh_accounts_bounds):
    /// the block work rule's starting point.
    std::uint64_t accounts_bound = 0;
    /// Logged blocks above its contract's tip, by height: what each can add to the accounts.
    std::map<std::uint64_t, std::uint64_t> inflight;
    std::uint64_t inflight_sum = 0;
    std::uint64_t inflight_through = 0;  ///< the last logged height entered in `inflight`
  };

  Sequencer(store::Db& db, crypto::KeyPair key, Options options)
      : db_(&db), key_(key), options_(std::move(options)) {}
  Status lock_state_file();
  Status resume();
  Status resume_shared();
  Status refresh_accounts_bounds();
  Status check_shared_chain();
  Lane* lane_of(std::uint32_t namespace_id);
  std::size_t max_batch_for_cap(const Lane& lane) const;
  std::size_t max_deposits_for_cap(const Lane& lane) const;
  codec::Block build_block(std::vector<std::vector<l1::QueuedDeposit>> deposits);

  store::Db* db_;
  crypto::KeyPair key_;
  Options options_;
  std::vector<Lane> lanes_;
  bool shared_ = false;
  /// Bodies of logged blocks the contract (every served contract) has committed are dropped from
  /// seq_log: the contract stores every block, and a body is kept once.
  Status drop_committed_bodies();
  Result<std::uint64_t> committed_everywhere();

  std::uint64_t tip_height_ = 0;
  Hash32 tip_hash_{};
  std::uint64_t tip_timestamp_ = 0;
  std::vector<codec::Tx> batch_;
  std::size_t batch_bytes_ = 0;
  /// The batch's txs that came from the mempool, by hash, and the last arrival number taken.
  std::unordered_set<Hash32, TxIdHash> batch_from_mempool_;
  std::uint64_t mempool_taken_seq_ = 0;
  Status mark_sequenced(const codec::Block& block);
  /// One sequencer per state file: two would race for every height (docs/architecture.md).
  std::optional<store::ProcessLock> lock_;
  std::vector<store::ProcessLock> rollup_locks_;  ///< a shared sequencer's, on each rollup's file
};

}  // namespace rollup::seq
