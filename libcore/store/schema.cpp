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

constexpr std::array kMigrations{
    Migration{1, kReleaseOne},
    Migration{2, kProofTables},
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
