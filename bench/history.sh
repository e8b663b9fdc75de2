#!/usr/bin/env bash
# The history benchmark of issue #7: a chain of BLOCKS blocks of TXS transfers each over ACCOUNTS
# accounts (default 10,000 x 4 over 100,000), then bench_history's figures (an account with proof
# at any height, the prover's pre-state at the tip against a replay from genesis) and the bytes
# history costs per block and per touched account.
# Usage: bench/history.sh [BLOCKS] [TXS] [ACCOUNTS]   (run by hand; a Release build in build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ROLLUP_BUILD_DIR:-$root/build}
export PATH="$bin:$PATH"
blocks=${1:-10000}
per_block=${2:-4}
accounts=${3:-100000}
work=${ROLLUP_BENCH_DIR:-$(mktemp -d)}
[ -n "${ROLLUP_BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
cd "$work"
export ROLLUP_DB=$work/history.db

if [ ! -e "$ROLLUP_DB" ]; then
  rollup-keygen -o seq.key --dev 4000000000 >/dev/null
  rollup-l1 init --dev --sequencer-key seq.key --dev-accounts "$accounts" --dev-balance 1000000000 -q
  echo "building a chain of $blocks blocks x $per_block transfers over $accounts accounts ..."
  rollup-tx batch --dev-accounts "$accounts" -n $(( blocks * per_block )) --seed 1 -q > txs.ndjson
  start=$(date +%s.%N)
  rollup-seq -q --key seq.key --max-txs "$per_block" --max-wait-ms 600000 txs.ndjson | rollup-submit -q \
    | rollup-exec -q --retain archive > exec.ndjson
  echo "  seq | submit | exec: $(echo "$(date +%s.%N) - $start" | bc) s"
fi
"$bin/bench_history" "$ROLLUP_DB" 500

sqlite3 "$ROLLUP_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
table_bytes() { sqlite3 "$ROLLUP_DB" "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ($1)"; }
height=$(sqlite3 "$ROLLUP_DB" "SELECT max(height) FROM state_blocks")
touched=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM state_account_history WHERE height > 0")
account_rows=$(table_bytes "'state_account_history'")
node_rows=$(table_bytes "'state_node_history'")
genesis_share=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM state_node_history WHERE height = 0")
nodes=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM state_node_history")
# The genesis rows (height 0) are the state itself, not history: they are left out of the figures.
hist=$(echo "($account_rows * $touched / ($touched + $accounts)) + ($node_rows * ($nodes - $genesis_share) / $nodes)" | bc)
echo "history: $(( hist / height )) bytes per block, $(( hist / touched )) bytes per touched account" \
     "($touched account writes over $height blocks; accounts $account_rows B, nodes $node_rows B in all)"
echo "seq_log: $(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM seq_log WHERE body IS NOT NULL") bodies kept of $height"
