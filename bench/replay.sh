#!/usr/bin/env bash
# The debugging tools' benchmark of issue #7, in one run on one chain: TXS signed transfers among
# ACCOUNTS dev accounts in BLOCKS blocks (default 1,000,000 among 100,000 in 10,000 blocks).
#  - rollup-exec and rollup-replay over the same blocks, in the same run: transfers/s and the ratio
#    (the target: replay at least 90% as fast as exec);
#  - rollup-bisect between the state file and a copy with a divergence planted at a random height
#    (a balance changed and the stored roots from that height on): seconds to find it (target < 60 s).
# Usage: bench/replay.sh [TXS] [ACCOUNTS] [BLOCKS] [SEED] [PLANT]   (run by hand; a Release build in
# build/). PLANT: the height of the planted divergence (default: drawn from SEED in 2..blocks); the
# last height is the worst case while vm::state_at replays from genesis.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ROLLUP_BUILD_DIR:-$root/build}
export PATH="$bin:$PATH"
txs=${1:-1000000}
accounts=${2:-100000}
blocks=${3:-10000}
seed=${4:-$RANDOM}
plant=${5:-}
per_block=$(( (txs + blocks - 1) / blocks ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export ROLLUP_DB=$work/a.db

secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

echo "chain: $txs transfers among $accounts accounts in blocks of $per_block (seed $seed) ..."
rollup-keygen -o seq.key --dev 4000000000 >/dev/null
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts "$accounts" --dev-balance 1000000000 -q
rollup-tx batch --dev-accounts "$accounts" -n "$txs" --seed "$seed" > txs.ndjson
rollup-seq --key seq.key --max-txs "$per_block" --max-wait-ms 600000 txs.ndjson | rollup-submit -q > committed.ndjson
n_blocks=$(wc -l < committed.ndjson)

# The same blocks through both tools, back to back: exec stores the state, replay only reads it.
t0=$(secs)
rollup-exec -q committed.ndjson > exec.ndjson
t1=$(secs)
rollup-replay -q committed.ndjson > replay.ndjson
t2=$(secs)
rollup-replay -q --check committed.ndjson > /dev/null
t3=$(secs)
exec_rate=$(rate "$txs" "$t0" "$t1")
replay_rate=$(rate "$txs" "$t1" "$t2")
check_rate=$(rate "$txs" "$t2" "$t3")
lines=$(wc -l < replay.ndjson)
[ "$(tail -n1 replay.ndjson | jq -r .root_after)" = "$(tail -n1 exec.ndjson | jq -r .post_root)" ] ||
  { echo "replay's last root is not exec's" >&2; exit 1; }

# A copy whose state parts from a.db at a random height: one balance and every stored root from
# that height on, as a bug or a hand on the file would leave it.
planted=${plant:-$(( 2 + seed % (n_blocks - 1) ))}
sqlite3 a.db "VACUUM INTO 'b.db'"
sqlite3 b.db "UPDATE state_accounts SET balance = balance + 1 WHERE idx = $(( seed % accounts ));
              UPDATE state_blocks SET post_root = randomblob(32) WHERE height >= $planted;"
t4=$(secs)
set +e
rollup-bisect -v a.db b.db > bisect.json 2> bisect.err
status=$?
set -e
t5=$(secs)
found=$(jq -r .height bisect.json)
probes=$(jq -r .probes bisect.json)
[ "$status" = 1 ] && [ "$found" = "$planted" ] || { cat bisect.err >&2; echo "bisect found $found, planted $planted" >&2; exit 1; }

echo
echo "rollup-exec             $exec_rate transfers/s ($n_blocks blocks, $(elapsed "$t0" "$t1") s)"
echo "rollup-replay           $replay_rate transfers/s ($lines lines, $(elapsed "$t1" "$t2") s)"
echo "  replay / exec         $(awk -v a="$replay_rate" -v b="$exec_rate" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
echo "rollup-replay --check   $check_rate transfers/s ($(elapsed "$t2" "$t3") s)"
echo "rollup-bisect           height $found of $n_blocks found in $(elapsed "$t4" "$t5") s ($probes heights compared)"
