#pragma once
// The sequencer: batches txs into ordered, signed blocks, never executing them (docs/design.md §2).
// It pulls the contract's pending deposits into each block in queue order, persists every block
// in seq_log before anyone sees it, and resumes height and parent from that log after a restart,
// so it never emits two different blocks at one height.
#include <cstring>
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

/// A block as signed and logged, with its line as written to the log and to stdout.
struct SealedBlock {
  codec::Block block;
  std::string line;
};

class Sequencer {
 public:
  static Result<Sequencer> open(store::Db& db, l1::Contract& contract, crypto::KeyPair key,
                                Options options);

  /// Admits a tx line (already parsed). Bad input (wrong chain id) is refused; returns true when
  /// the batch has reached a limit and should be cut now.
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
  /// Whether the contract's queue holds deposits that no block of this sequencer consumed.
  Result<bool> deposits_pending();
  /// Builds, signs and logs the next block from the batch and pending deposits; nullopt when
  /// there is nothing to put in it.
  Result<std::optional<SealedBlock>> cut();
  /// Blocks in the log that the contract has not committed yet (a restart after a crash between
  /// logging and submitting): they are emitted again, before any new block.
  Result<std::vector<std::string>> unsubmitted_blocks();

  std::uint64_t next_height() const { return tip_height_ + 1; }
  std::uint32_t namespace_id() const { return namespace_id_; }

 private:
  Sequencer(store::Db& db, crypto::KeyPair key, Options options)
      : db_(&db), key_(key), options_(std::move(options)) {}
  Status resume();
  std::size_t max_batch_for_cap() const;
  std::size_t max_deposits_for_cap() const;

  store::Db* db_;
  crypto::KeyPair key_;
  Options options_;
  l1::Contract* contract_ = nullptr;  ///< the caller's; outlives the sequencer
  std::optional<l1::Config> contract_config_;
  std::uint32_t namespace_id_ = 0;
  /// Bodies of logged blocks the contract has committed are dropped from seq_log: the contract
  /// stores every block, and a body is kept once.
  Status drop_committed_bodies();

  std::uint64_t tip_height_ = 0;
  Hash32 tip_hash_{};
  std::uint64_t tip_timestamp_ = 0;
  std::uint64_t deposit_next_ = 0;
  std::vector<codec::Tx> batch_;
  std::size_t batch_bytes_ = 0;
  /// The batch's txs that came from the mempool, by hash, and the last arrival number taken.
  std::unordered_set<Hash32, TxIdHash> batch_from_mempool_;
  std::uint64_t mempool_taken_seq_ = 0;
  Status mark_sequenced(const codec::Block& block);
  /// One sequencer per state file: two would race for every height (docs/architecture.md).
  std::optional<store::ProcessLock> lock_;
};

}  // namespace rollup::seq
