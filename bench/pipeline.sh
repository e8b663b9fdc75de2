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
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts "$accounts" --dev-balance 1000000000 -q
echo "generating $txs signed transfers among $accounts accounts ..."
rollup-tx batch --dev-accounts "$accounts" -n "$txs" --seed 1 > txs.ndjson

secs() { date +%s.%N; }
t0=$(secs)
rollup-seq --key seq.key --max-txs 1024 --max-wait-ms 600000 txs.ndjson > blocks.ndjson
t1=$(secs)
rollup-submit -q blocks.ndjson > committed.ndjson
t2=$(secs)
# Two runs, a tenth of the blocks and then the rest: equal peak memory shows that the executor's
# memory follows the number of accounts, not the number of blocks.
blocks_total=$(wc -l < committed.ndjson)
first=$(( blocks_total / 10 ))
head -n "$first" committed.ndjson > part1.ndjson
tail -n +"$(( first + 1 ))" committed.ndjson > part2.ndjson
/usr/bin/time -f '%M' -o exec1.rss rollup-exec -q part1.ndjson > exec.ndjson
/usr/bin/time -f '%M' -o exec.rss rollup-exec -q part2.ndjson >> exec.ndjson
t3=$(secs)
rollup-submit -q exec.ndjson > /dev/null

rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
seq_rate=$(rate "$txs" "$t0" "$t1")
exec_rate=$(rate "$txs" "$t2" "$t3")
blocks=$(wc -l < blocks.ndjson)
ok=$(jq -s '[.[].receipts[] | select(.status == "ok")] | length' exec.ndjson)
sqlite3 "$ROLLUP_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
bytes=$(stat -c %s "$ROLLUP_DB")
table_bytes() { sqlite3 "$ROLLUP_DB" "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE $1" 2>/dev/null || echo 0; }
account_bytes=$(table_bytes "name IN ('state_accounts', 'state_account_history', 'state_node_history') OR name LIKE 'sqlite_autoindex_state_accounts%'")
exec_bytes=$(table_bytes "name = 'state_blocks'")
block_bytes=$(table_bytes "name IN ('l1_blocks', 'seq_log') OR name LIKE 'sqlite_autoindex_l1_blocks%' OR name LIKE 'sqlite_autoindex_seq_log%'")
n_accounts=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM state_accounts")

echo
echo "rollup-seq              $seq_rate tx/s ($txs txs into $blocks blocks)"
echo "rollup-submit (blocks)  $(rate "$txs" "$t1" "$t2") tx/s"
echo "rollup-exec             $exec_rate transfers/s ($ok ok receipts; bound $bound/s: $(awk -v a="$exec_rate" -v b="$bound" 'BEGIN{printf "%.0f%%", 100*a/b}'))"
echo "executor peak memory    $(( $(cat exec1.rss) / 1024 )) MiB after $first blocks, $(( $(cat exec.rss) / 1024 )) MiB after the other $(( blocks_total - first )) (one process each)"
echo "state file              $bytes bytes for $n_accounts accounts and $txs txs"
echo "  accounts + tree       $(( account_bytes / n_accounts )) bytes/account (state_accounts and the history tables)"
echo "  exec results          $(( exec_bytes / txs )) bytes/tx (state_blocks: receipts)"
echo "  blocks (DA + seq log) $(( block_bytes / txs )) bytes/tx (l1_blocks + seq_log bodies)"
