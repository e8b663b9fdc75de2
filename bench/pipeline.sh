#!/usr/bin/env bash
# The pipeline benchmark of issue #2, in one run: raw Ed25519 and RPO rates, then rollup-seq tx/s
# and rollup-exec transfers/s over N transfers among M accounts (default 1,000,000 among
# 100,000), the executor's peak memory and the state file's bytes per account.
# Usage: bench/pipeline.sh [TXS] [ACCOUNTS]   (run by hand; a Release build in build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ROLLUP_BUILD_DIR:-$root/build}
export PATH="$bin:$PATH"
txs=${1:-1000000}
accounts=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export ROLLUP_DB=$work/bench.db

"$bin/bench_primitives" "$accounts" 1024
bound=$("$bin/bench_primitives" "$accounts" 1024 | awk '/executor bound/ {print $3}')

rollup-keygen -o seq.key --dev 4000000000 >/dev/null
rollup-l1 init --sequencer-key seq.key --dev-accounts "$accounts" --dev-balance 1000000000 -q
echo "generating $txs signed transfers among $accounts accounts ..."
rollup-tx batch --dev-accounts "$accounts" -n "$txs" --seed 1 > txs.ndjson

secs() { date +%s.%N; }
t0=$(secs)
rollup-seq --key seq.key --max-txs 1024 --max-wait-ms 600000 txs.ndjson > blocks.ndjson
t1=$(secs)
rollup-submit -q blocks.ndjson > committed.ndjson
t2=$(secs)
/usr/bin/time -f '%M' -o exec.rss rollup-exec -q committed.ndjson > exec.ndjson
t3=$(secs)
rollup-submit -q exec.ndjson > /dev/null

rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
seq_rate=$(rate "$txs" "$t0" "$t1")
exec_rate=$(rate "$txs" "$t2" "$t3")
blocks=$(wc -l < blocks.ndjson)
ok=$(jq -s '[.[].receipts[] | select(.status == "ok")] | length' exec.ndjson)
sqlite3 "$ROLLUP_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
bytes=$(stat -c %s "$ROLLUP_DB")
state_bytes=$(sqlite3 "$ROLLUP_DB" "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'state_%' OR name LIKE 'sqlite_autoindex_state_%'" 2>/dev/null || echo "")
n_accounts=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM state_accounts")

echo
echo "rollup-seq              $seq_rate tx/s ($txs txs into $blocks blocks)"
echo "rollup-submit (blocks)  $(rate "$txs" "$t1" "$t2") tx/s"
echo "rollup-exec             $exec_rate transfers/s ($ok ok receipts; bound $bound/s: $(awk -v a="$exec_rate" -v b="$bound" 'BEGIN{printf "%.0f%%", 100*a/b}'))"
echo "executor peak memory    $(( $(cat exec.rss) / 1024 )) MiB"
echo "state file              $bytes bytes, $n_accounts accounts: $(( bytes / n_accounts )) bytes/account in all"
[ -n "$state_bytes" ] && echo "executor tables         $(( state_bytes / n_accounts )) bytes/account (state_*)"
