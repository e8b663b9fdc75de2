#pragma once
// The mempool (seq_mempool, schema version 5): txs that rollup-serve acknowledged, waiting for
// the sequencer. The table belongs to the sequencer's side of the state file: the server only
// appends to it; `rollup-seq --mempool` takes its rows in arrival order, records the block each
// went into, and drops a tx's line once the contract has committed that block. The rows stay as
// the index from a tx's hash to its block and position.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/objects.hpp"
#include "core/error.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::seq {

/// A tx on its way into the mempool: the parsed tx and its canonical line.
struct MempoolSubmission {
  codec::Tx tx;
  Hash32 hash{};  ///< tx.id()
  std::string line;
};

/// A pending row as the sequencer takes it.
struct MempoolEntry {
  std::uint64_t seq = 0;  ///< arrival order
  Hash32 hash{};
  std::string line;
};

/// Where a tx sent to the mempool is now.
struct MempoolRecord {
  std::uint64_t seq = 0;
  std::optional<std::uint64_t> height;    ///< the block the sequencer put it in
  std::optional<std::uint64_t> position;  ///< its index among the namespace's txs there
  bool in_mempool = false;                ///< its line is still held (block not yet committed)
};

/// Appends the submissions in one transaction of the caller's choice (the caller begins and
/// commits it: the server's group commit puts many callers' txs in one). A tx already there
/// (same hash) is left as it is; the result says, per submission, whether it was new.
Result<std::vector<bool>> mempool_append(store::Db& db, std::span<const MempoolSubmission> txs);

/// Pending rows (in no block yet) after arrival number `after_seq`, oldest first, at most `max`.
Result<std::vector<MempoolEntry>> mempool_pending(store::Db& db, std::uint64_t after_seq,
                                                  std::size_t max);
/// How many txs are pending.
Result<std::uint64_t> mempool_pending_count(store::Db& db);

/// The record of a tx sent to the mempool, or nullopt for a hash it never held.
Result<std::optional<MempoolRecord>> mempool_find(store::Db& db, const Hash32& hash);

/// The highest height the sequencer logged (0: none).
Result<std::uint64_t> logged_height(store::Db& db);
/// The hash of the block the sequencer logged at `height`, if it logged one.
Result<std::optional<Hash32>> logged_block_hash(store::Db& db, std::uint64_t height);

}  // namespace rollup::seq
