#!/usr/bin/env bash
# rollup-serve's figures (issue #8) with wrk: rollup_getProof (an account with its Merkle proof)
# requests/s over ACCOUNTS accounts, rollup_sendTransaction accepted txs/s into the mempool, and
# the rate at which rollup-seq --mempool takes them into blocks; p50 and p99 latencies (wrk --latency).
# Usage: bench/serve.sh [ACCOUNTS] [TXS] [SECONDS] [CONNECTIONS]   (by hand; Release build in build/; needs wrk)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ROLLUP_BUILD_DIR:-$root/build}
export PATH="$bin:$PATH"
accounts=${1:-100000}
txs=${2:-100000}
seconds=${3:-10}
connections=${4:-64}
command -v wrk >/dev/null || { echo "bench/serve.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
export ROLLUP_DB=$work/bench.db

rollup-keygen -o seq.key --dev 4000000000 >/dev/null
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts "$accounts" --dev-balance 1000000000 -q
# One block so that the executor's history holds every account.
rollup-tx batch --dev-accounts "$accounts" -n 1000 --seed 1 \
  | rollup-seq -q --key seq.key --max-txs 1024 | rollup-submit -q | rollup-exec -q >/dev/null

rollup-serve -q --listen 127.0.0.1:0 --port-file port --threads "${THREADS:-16}" &
server=$!
until [ -s port ]; do sleep 0.1; done
url=http://127.0.0.1:$(cat port)/

# Requests for random accounts, made ahead (keys of the dev accounts): wrk's Lua picks one each.
n_keys=$(( accounts < 20000 ? accounts : 20000 ))
sqlite3 "$ROLLUP_DB" "SELECT '0x' || lower(hex(pubkey)) FROM state_accounts ORDER BY random() LIMIT $n_keys" > keys.txt
cat > proof.lua <<'LUA'
local keys = {}
for line in io.lines("keys.txt") do keys[#keys + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local k = keys[math.random(#keys)]
  return wrk.format(nil, nil, nil, '{"jsonrpc":"2.0","id":1,"method":"rollup_getProof","params":["' .. k .. '","latest"]}')
end
LUA
echo "== rollup_getProof over $accounts accounts, $connections connections, ${seconds}s"
wrk -t 2 -c "$connections" -d "${seconds}s" --latency -s proof.lua "$url" | grep -E "Requests/sec| 50%| 99%|Non-2xx"

# Sends: distinct signed transfers, each request one of them; every answer must be a result.
rollup-tx batch --dev-accounts "$accounts" -n "$txs" --seed 2 > txs.ndjson
cat > send.lua <<'LUA'
local bodies = {}
for line in io.lines("txs.ndjson") do
  bodies[#bodies + 1] = '{"jsonrpc":"2.0","id":1,"method":"rollup_sendTransaction","params":[' .. line .. ']}'
end
local next_index = 0
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
init = function(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
local sent = 0
request = function()
  -- two wrk threads: even and odd txs, so that no tx is sent twice
  local i = (sent * 2 + id) % #bodies + 1
  sent = sent + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
LUA
echo "== rollup_sendTransaction, $connections connections, ${seconds}s (of $txs distinct txs)"
wrk -t 2 -c "$connections" -d "${seconds}s" --latency -s send.lua "$url" | grep -E "Requests/sec| 50%| 99%|Non-2xx"
accepted=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM seq_mempool")
echo "accepted into the mempool: $accepted txs ($(echo "scale=0; $accepted / $seconds" | bc) txs/s)"

start=$(date +%s.%N)
rollup-seq -q --key seq.key --mempool --drain --poll-ms 5 --max-wait-ms 50 </dev/null > blocks.ndjson
end=$(date +%s.%N)
taken=$(sqlite3 "$ROLLUP_DB" "SELECT count(*) FROM seq_mempool WHERE height IS NOT NULL")
echo "rollup-seq --mempool: $taken txs into $(wc -l < blocks.ndjson) blocks in $(echo "$end - $start" | bc) s ($(echo "scale=0; $taken / ($end - $start)" | bc) txs/s)"
