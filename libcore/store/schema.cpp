#include "store/schema.hpp"

#include <array>

namespace rollup::store {
namespace {

// The first release. A table's prefix names the stage that owns and writes it (docs/design.md §8):
// l1_* the embedded contract, seq_* the sequencer, state_* the executor, proof_* the prover.
// Amounts stay below 2^53, so INTEGER holds them exactly. Timestamps (*_at) are ISO 8601 UTC text.
// The UNIQUE constraints double as the indexes for lookups by hash or public key; no other lookup
// goes by anything but the primary key, so there are no further indexes.
constexpr std::string_view kReleaseOne = R"sql(
CREATE TABLE schema_version(
  version INTEGER NOT NULL,
  applied_at TEXT NOT NULL
);

CREATE TABLE l1_config(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  chain_id INTEGER NOT NULL,
  namespace_id INTEGER NOT NULL,
  sequencer BLOB NOT NULL,
  genesis_root BLOB NOT NULL,
  deposit_deadline INTEGER NOT NULL,
  frozen INTEGER NOT NULL DEFAULT 0,
  frozen_reason TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE l1_genesis(
  idx INTEGER PRIMARY KEY,
  pubkey BLOB NOT NULL UNIQUE,
  balance INTEGER NOT NULL
);

CREATE TABLE l1_blocks(
  height INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  parent BLOB NOT NULL,
  record BLOB NOT NULL,
  deposit_first INTEGER NOT NULL,
  deposit_count INTEGER NOT NULL,
  body TEXT NOT NULL,
  committed_at TEXT NOT NULL
);

CREATE TABLE l1_equivocations(
  id INTEGER PRIMARY KEY,
  height INTEGER NOT NULL,
  hash BLOB NOT NULL,
  body TEXT NOT NULL,
  seen_at TEXT NOT NULL
);

CREATE TABLE l1_deposits(
  idx INTEGER PRIMARY KEY,
  l1_from BLOB NOT NULL,
  l2_to BLOB NOT NULL,
  amount INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  enqueued_at TEXT NOT NULL,
  refunded_at TEXT
);

CREATE TABLE l1_accounts(
  pubkey BLOB PRIMARY KEY,
  balance INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE l1_withdrawals(
  id INTEGER PRIMARY KEY,
  height INTEGER NOT NULL,
  account BLOB NOT NULL,
  amount INTEGER NOT NULL,
  paid_at TEXT
);
CREATE INDEX l1_withdrawals_account ON l1_withdrawals(account);
CREATE TABLE l1_exits(
  account BLOB PRIMARY KEY,
  amount INTEGER NOT NULL,
  root_height INTEGER NOT NULL,
  exited_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE l1_roots(
  height INTEGER PRIMARY KEY,
  root BLOB NOT NULL,
  status TEXT NOT NULL CHECK(status = 'verified'),
  key_root BLOB NOT NULL,
  key_count INTEGER NOT NULL,
  submitted_at TEXT NOT NULL
);

CREATE TABLE seq_log(
  height INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  deposit_end INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE state_accounts(
  idx INTEGER PRIMARY KEY,
  pubkey BLOB NOT NULL UNIQUE,
  balance INTEGER NOT NULL,
  nonce INTEGER NOT NULL
);

CREATE TABLE state_nodes(
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  digest BLOB NOT NULL,
  PRIMARY KEY(level, idx)
) WITHOUT ROWID;

CREATE TABLE state_blocks(
  height INTEGER PRIMARY KEY,
  hash BLOB NOT NULL,
  pre_root BLOB NOT NULL,
  post_root BLOB NOT NULL,
  exec TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
)sql";

// The prover's proofs (rollup-prove): one row per proven block, so that a proof is never
// computed twice; the stream's proof line is rebuilt from the row.
constexpr std::string_view kProofTables = R"sql(
CREATE TABLE proof_blocks(
  height INTEGER PRIMARY KEY,
  block_hash BLOB NOT NULL,
  pre_root BLOB NOT NULL,
  post_root BLOB NOT NULL,
  pre_key_root BLOB NOT NULL,
  pre_accounts INTEGER NOT NULL,
  post_key_root BLOB NOT NULL,
  post_accounts INTEGER NOT NULL,
  security_bits INTEGER NOT NULL,
  proof BLOB NOT NULL,
  prove_ms INTEGER NOT NULL,
  proven_at TEXT NOT NULL
);
)sql";

// The contract's hardening (docs/architecture.md, "The state file"):
// - the forced-inclusion deadline is measured in L1 time, not in rollup blocks: the config holds
//   a window in seconds and each deposit the L1 time it is due at (unix seconds). A window given
//   in blocks has no meaning in time, so a migrated file gets the default window of 24 h, and a
//   deposit already queued is due 24 h after it was enqueued;
// - the config holds the cap on a block's work (NULL: the default derived from the prover's
//   worst case, see l1::kDefaultMaxBlockOps) and whether the contract runs with dev keys (NULL:
//   not yet known, detected when the config is read);
// - the config names the contract's backend (l1::open_contract picks it): 'embedded', the
//   contract in this file's l1_* tables, is the only one so far;
// - one equivocation is evidence once: a block hash is stored once.
// SQLite cannot change a column's meaning in place, so l1_config and l1_deposits are rebuilt.
constexpr std::string_view kContractHardening = R"sql(
CREATE TABLE l1_config_v3(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  chain_id INTEGER NOT NULL,
  namespace_id INTEGER NOT NULL,
  sequencer BLOB NOT NULL,
  genesis_root BLOB NOT NULL,
  deposit_deadline_s INTEGER NOT NULL,
  max_block_ops INTEGER,
  dev_mode INTEGER,
  backend TEXT NOT NULL DEFAULT 'embedded',
  frozen INTEGER NOT NULL DEFAULT 0,
  frozen_reason TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO l1_config_v3(id, chain_id, namespace_id, sequencer, genesis_root, deposit_deadline_s,
                         max_block_ops, dev_mode, frozen, frozen_reason, created_at)
  SELECT id, chain_id, namespace_id, sequencer, genesis_root, 86400, NULL, NULL, frozen,
         frozen_reason, created_at FROM l1_config;
DROP TABLE l1_config;
ALTER TABLE l1_config_v3 RENAME TO l1_config;

CREATE TABLE l1_deposits_v3(
  idx INTEGER PRIMARY KEY,
  l1_from BLOB NOT NULL,
  l2_to BLOB NOT NULL,
  amount INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  enqueued_at TEXT NOT NULL,
  refunded_at TEXT
);
INSERT INTO l1_deposits_v3(idx, l1_from, l2_to, amount, due_at, enqueued_at, refunded_at)
  SELECT idx, l1_from, l2_to, amount,
         coalesce(CAST(strftime('%s', enqueued_at) AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)) + 86400,
         enqueued_at, refunded_at FROM l1_deposits;
DROP TABLE l1_deposits;
ALTER TABLE l1_deposits_v3 RENAME TO l1_deposits;

DELETE FROM l1_equivocations WHERE id NOT IN (SELECT min(id) FROM l1_equivocations GROUP BY hash);
CREATE UNIQUE INDEX l1_equivocations_hash ON l1_equivocations(hash);
)sql";

// History (docs/architecture.md, "History"): the state at any retained height in bounded time.
// - Every value an account or a stored tree node (levels 8..32) took is kept under the height
//   that wrote it; the value at height H is the row with the greatest height <= H. The tip keeps
//   its own tables as before (state_accounts, state_nodes from level 4), which answer the latest
//   state fastest; the history starts at level 8, below which a block's paths share almost no
//   node (a past height rebuilds those levels from 256 accounts). Accounts keep their pubkey in
//   state_accounts (an index never changes key). The index on the height finds the accounts
//   written above a height: the whole state of a recent height is the tip's accounts with those
//   few put back (vm::state_at).
// - state_history holds what the executor started from (0: genesis, written at height 0 with the
//   first block; or an imported snapshot's height, root and account count), the floor (the lowest height the
//   tables answer for; pruning raises it) and the retention (heights kept below the tip; NULL:
//   archive). A migrated file starts its history at its tip: heights below it are answered by
//   replaying the contract's blocks, as before.
// - state_blocks records the account count after each block (NULL on rows from before).
// - seq_log drops a block's body once the contract has committed it (l1_blocks holds it then),
//   so a body is stored once; the timestamp the sequencer resumes from gets a column of its own.
constexpr std::string_view kHistory = R"sql(
CREATE TABLE state_account_history(
  idx INTEGER NOT NULL,
  height INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  nonce INTEGER NOT NULL,
  PRIMARY KEY(idx, height)
) WITHOUT ROWID;
CREATE INDEX state_account_history_height ON state_account_history(height);
CREATE TABLE state_node_history(
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  height INTEGER NOT NULL,
  digest BLOB NOT NULL,
  PRIMARY KEY(level, idx, height)
) WITHOUT ROWID;
CREATE TABLE state_history(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  base_height INTEGER NOT NULL,
  base_root BLOB,
  base_accounts INTEGER,
  floor INTEGER NOT NULL,
  retain INTEGER
);
INSERT INTO state_history(id, base_height, base_root, floor, retain)
  SELECT 1, 0, NULL, coalesce(max(height), 0), 10000 FROM state_blocks;
INSERT INTO state_node_history(level, idx, height, digest)
  SELECT level, idx, (SELECT coalesce(max(height), 0) FROM state_blocks), digest FROM state_nodes WHERE level >= 8;
INSERT INTO state_account_history(idx, height, balance, nonce)
  SELECT idx, (SELECT coalesce(max(height), 0) FROM state_blocks), balance, nonce FROM state_accounts;

ALTER TABLE state_blocks ADD COLUMN accounts INTEGER;
UPDATE state_blocks SET accounts = (SELECT count(*) FROM state_accounts)
  WHERE height = (SELECT max(height) FROM state_blocks);

CREATE TABLE seq_log_v4(
  height INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  deposit_end INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  body TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO seq_log_v4(height, hash, deposit_end, timestamp, body, created_at)
  SELECT s.height, s.hash, s.deposit_end, coalesce(json_extract(s.body, '$.timestamp'), 0),
         CASE WHEN EXISTS(SELECT 1 FROM l1_blocks b WHERE b.height = s.height AND b.hash = s.hash)
              THEN NULL ELSE s.body END,
         s.created_at FROM seq_log s;
DROP TABLE seq_log;
ALTER TABLE seq_log_v4 RENAME TO seq_log;
)sql";

// Version 5: the mempool (rollup-serve's rollup_sendTransaction, taken by rollup-seq --mempool).
// A row is a tx the server acknowledged: it is durable before the answer goes out. `seq` is the
// arrival order the sequencer takes txs in; `height` and `position` are set, in the transaction
// that logs the block, once the sequencer has put the tx in a block; `line` is dropped once the
// contract has committed that block (the tx has left the mempool), and the row stays as the
// index that rollup_getTransaction finds the tx's block by.
constexpr std::string_view kMempool = R"sql(
CREATE TABLE seq_mempool(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hash BLOB NOT NULL UNIQUE,
  sender BLOB NOT NULL,
  nonce INTEGER NOT NULL,
  line TEXT,
  height INTEGER,
  position INTEGER,
  received_at TEXT NOT NULL
);
CREATE INDEX seq_mempool_pending ON seq_mempool(seq) WHERE height IS NULL;
CREATE INDEX seq_mempool_in_block ON seq_mempool(height) WHERE height IS NOT NULL AND line IS NOT NULL;
)sql";

// Version 6: the rollup's account signature scheme (issue #10), chosen at init and fixed for the
// contract's life: 0 = Ed25519 (every file from before, and the default), 1 = ECgFp5 Schnorr
// (crypto::SignatureScheme). Keys in every BLOB column are then 32 or 40 bytes accordingly.
constexpr std::string_view kSignatureScheme = R"sql(
ALTER TABLE l1_config ADD COLUMN sig_scheme INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::array kMigrations{
    Migration{1, kReleaseOne},
    Migration{2, kProofTables},
    Migration{3, kContractHardening},
    Migration{4, kHistory},
    Migration{5, kMempool},
    Migration{6, kSignatureScheme},
};

constexpr bool versions_are_consecutive() {
  for (std::size_t i = 0; i < kMigrations.size(); ++i)
    if (kMigrations[i].version != static_cast<int>(i) + 1) return false;
  return true;
}
static_assert(versions_are_consecutive(), "migration i must produce version i + 1");
static_assert(kMigrations.size() == kSchemaVersion, "kSchemaVersion is the last migration");

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace rollup::store
