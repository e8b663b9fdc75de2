#!/usr/bin/env bash
# End-to-end latency on an idle node (issue #8): a dev node (scripts/node) and one tx at a time,
# from the moment rollup_sendTransaction answers to the moment rollup_getTransaction says
# executed, then verified (its block proven and the proof accepted by the contract). ROUNDS txs
# one after another; the median and the worst of each. The status is polled every POLL_MS ms
# (default 5), which bounds the resolution.
# Usage: bench/latency.sh [ROUNDS] [BLOCK_MS]   (by hand; a Release build in build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export ROLLUP_BUILD_DIR=${ROLLUP_BUILD_DIR:-$root/build}
export PATH="$ROLLUP_BUILD_DIR:$PATH"
rounds=${1:-10}
block_ms=${2:-200}
poll=$(awk -v ms="${POLL_MS:-5}" 'BEGIN { printf "%.3f", ms / 1000 }')
work=$(mktemp -d)
node=
trap '[ -n "$node" ] && kill -TERM "$node" 2>/dev/null && wait "$node" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

"$root/scripts/node" --dir n --dev 4 --listen 127.0.0.1:0 --block-ms "$block_ms" 2>node.err &
node=$!
for _ in $(seq 100); do [ -s n/port ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat n/port)
export ROLLUP_DB=$work/n/rollup.db
rollup-keygen -o alice.key --dev 1 >/dev/null
bob=$(rollup-keygen -o bob.key --dev 2)
rpc() { curl -s -m 10 "$url" -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "idle dev node, blocks cut ${block_ms} ms after their first tx; $rounds txs one at a time"
: > executed.txt
: > verified.txt
for n in $(seq 0 $((rounds - 1))); do
  tx=$(rollup-tx -q transfer --key alice.key --to "$bob" --amount 1 --fee 1 --nonce "$n")
  hash=$(rpc rollup_sendTransaction "[$tx]" | jq -r .result.hash)
  sent=$(now_ms)
  executed=
  while :; do
    status=$(rpc rollup_getTransaction "[\"$hash\"]" | jq -r .result.status)
    if [ -z "$executed" ] && { [ "$status" = executed ] || [ "$status" = proven ] || [ "$status" = verified ]; }; then
      executed=$(now_ms)
    fi
    [ "$status" = verified ] && break
    [ "$status" = rejected ] && { echo "tx $n was rejected" >&2; exit 1; }
    sleep "$poll"
  done
  verified=$(now_ms)
  echo $((executed - sent)) >> executed.txt
  echo $((verified - sent)) >> verified.txt
done
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "median %d ms, worst %d ms", a[int((NR + 1) / 2)], a[NR] }'; }
echo "sendTransaction -> executed: $(stats executed.txt)"
echo "sendTransaction -> verified: $(stats verified.txt)"
