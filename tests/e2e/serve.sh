# rollup-serve: every method over HTTP against a real pipeline; txs sent over RPC, taken by
# rollup-seq --mempool and followed to verified; an acknowledged tx survives kill -9 of the
# server; the error codes and limits; the NDJSON streams (a second executor fed from
# /v1/blocks); SIGTERM exits 0. Every curl and every wait is bounded.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

# Small limits, so that the tests of the limits stay small; a fast stream poll.
SERVE_OPTIONS=(--max-body 65536 --max-batch 10 --stream-poll-ms 50)
# rpc METHOD [PARAMS]: the whole answer; result METHOD [PARAMS]: its result (fails on an error).
rpc() {
  curl -s -m 10 "$URL" -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"$1\",\"params\":${2:-[]}}"
}
result() {
  local answer; answer=$(rpc "$@")
  jq -e 'has("result")' <<<"$answer" >/dev/null || fail "$1 $2: $answer"
  jq -c .result <<<"$answer"
}
error_code() { rpc "$@" | jq .error.code; }
pipeline() { rollup-submit | rollup-exec | rollup-prove | rollup-submit; }

# Height 1: alice's deposit, verified before the server starts.
rollup-seq --key seq.key </dev/null | pipeline >/dev/null
start_server "${SERVE_OPTIONS[@]}"
expect_eq "$(result rollup_status | jq -c '[.committed,.executed,.proven,.verified,.mempool,.chain_id,.namespace,.frozen]')" \
  '[1,1,1,1,0,1,1,false]' "status before any send"

# Sends: three transfers from alice, and one from bob that his balance cannot pay (rejected).
for n in 0 1 2; do rollup-tx transfer --key alice.key --to "$BOB" --amount $((10 + n)) --fee 1 --nonce $n; done > txs.ndjson
rollup-tx transfer --key bob.key --to "$CAROL" --amount 5000 --fee 1 --nonce 0 >> txs.ndjson
hashes=()
while read -r tx; do
  hashes+=("$(result rollup_sendTransaction "[$tx]" | jq -r .hash)")
done < txs.ndjson
expect_eq "${#hashes[@]}" 4
expect_eq "$(result rollup_getTransaction "[\"${hashes[0]}\"]" | jq -c '[.status,.height]')" '["pending",null]'
expect_eq "$(result rollup_sendTransaction "[$(head -1 txs.ndjson)]" | jq -c '[.hash == "'"${hashes[0]}"'", .new]')" '[true,false]' \
  "a tx sent twice"

# kill -9 right after the acknowledgements: every acknowledged tx is in the mempool table.
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT count(*) FROM seq_mempool WHERE height IS NULL AND line IS NOT NULL')" 4 "pending after kill -9"
start_server "${SERVE_OPTIONS[@]}"
expect_eq "$(result rollup_status | jq .mempool)" 4

# The live stream of new blocks, opened before they exist.
curl -sN -m 60 "$URL/v1/blocks?from=2" > live.ndjson &
LIVE=$!

# The sequencer takes them from the mempool; the rest of the pipeline takes them to verified.
expect_pipeline_status 0 "timeout 120 rollup-seq --key seq.key --mempool --drain --poll-ms 10 --max-wait-ms 100 </dev/null | rollup-submit | rollup-exec | rollup-prove | rollup-submit"
for i in 0 1 2; do
  expect_eq "$(result rollup_getTransaction "[\"${hashes[$i]}\"]" | jq -c '[.status,.height,.index]')" "[\"verified\",2,$i]"
done
expect_eq "$(result rollup_getTransaction "[\"${hashes[3]}\"]" | jq -c '[.status,.reason]')" '["rejected","insufficient_balance"]'
expect_eq "$(result rollup_status | jq -c '[.sequenced,.committed,.executed,.proven,.verified,.mempool]')" '[2,2,2,2,2,0]'
for _ in $(seq 100); do [ "$(wc -l < live.ndjson)" -ge 1 ] && break; sleep 0.1; done
expect_eq "$(head -1 live.ndjson | jq -c '[.kind,.height]')" '["block",2]' "the live stream's new block"
kill "$LIVE" 2>/dev/null || true

# Accounts: the same answer as rollup-query, latest, verified and at a height; the nonce check.
expect_eq "$(result rollup_getProof "[\"$BOB\",\"verified\"]" | jq -cS .)" "$(rollup-query --height 2 "$BOB" | jq -cS .)" "getProof = rollup-query"
expect_eq "$(result rollup_getAccount "[\"$BOB\"]" | jq -c '[.balance,.nonce,.height]')" '[33,0,2]'
expect_eq "$(result rollup_getAccount "{\"pubkey\":\"$ALICE\",\"at\":1}" | jq -c '[.balance,.nonce]')" '[10000,0]'
expect_eq "$(error_code rollup_getAccount "[\"$CAROL\",\"latest\"]")" -32001 "an account that does not exist"
expect_eq "$(error_code rollup_sendTransaction "[$(head -1 txs.ndjson)]")" -32002 "a nonce below the account's"

# Blocks, the proof line, receipts.
expect_eq "$(result rollup_getBlock '[2]' | jq -c '[.height,.status,.tx_count,.txs[0]]')" "[2,\"verified\",4,\"${hashes[0]}\"]"
expect_eq "$(result rollup_getBlock '["latest",true]' | jq -c '[.height,.block.kind,(.block.namespaces[0].txs|length)]')" '[2,"block",4]'
expect_eq "$(result rollup_getBlock '["verified"]' | jq .height)" 2
expect_eq "$(result rollup_getBlockProof '[2]' | jq -c '[.kind,.height,.security_bits]')" '["proof",2,103]'
expect_eq "$(result rollup_getReceipts '[2]' | jq -c '[.receipts[].status]')" '["ok","ok","ok","failed"]'
expect_eq "$(error_code rollup_getBlock '[9]')" -32001
expect_eq "$(error_code rollup_getBlockProof '[9]')" -32001

# Errors: parse, invalid request, unknown method, bad params, body and batch limits.
post() { curl -s -m 10 "$URL" -H 'content-type: application/json' --data-binary "$1"; }
expect_eq "$(post '{"jsonrpc":"2.0","id":1,' | jq .error.code)" -32700
expect_eq "$(post '[]' | jq .error.code)" -32600
expect_eq "$(post '{"jsonrpc":"2.0","id":1}' | jq .error.code)" -32600
expect_eq "$(error_code rollup_nothing)" -32601
expect_eq "$(error_code rollup_getAccount '["0x12"]')" -32602
expect_eq "$(error_code rollup_getBlock '["soon"]')" -32602
expect_eq "$(error_code rollup_sendTransaction '[{"kind":"tx","v":2}]')" -32602
batch=$(printf '{"jsonrpc":"2.0","id":%d,"method":"rollup_status"},' $(seq 11)); batch="[${batch%,}]"
expect_eq "$(post "$batch" | jq .error.code)" -32600 "a batch over --max-batch"
expect_eq "$(post '[{"jsonrpc":"2.0","id":1,"method":"rollup_status"},{"jsonrpc":"2.0","id":2,"method":"x"}]' | jq -c '[.[].id]')" '[1,2]'
expect_eq "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$URL" -d '{"jsonrpc":"2.0","method":"rollup_status"}')" 204 "a notification"
head -c 70000 /dev/zero | tr '\0' ' ' > big.json
expect_eq "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$URL" --data-binary @big.json)" 413 "a body over --max-body"
expect_eq "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$URL/v1/blocks?from=x")" 400
expect_eq "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$URL/v1/blocks?from=3&to=2")" 400

# Streams: blocks, exec lines and proofs from a height, in order; a second executor on another
# state file (the contract's tables alone) fed by /v1/blocks reaches the same root.
stream() { curl -sfN -m 20 "$URL/v1/$1?from=$2&to=$3"; }
expect_eq "$(stream blocks 1 2 | jq -c .height | paste -sd,)" "1,2"
expect_eq "$(stream exec 2 2 | jq -c '[.kind,.height]')" '["exec",2]'
expect_eq "$(stream proofs 1 2 | jq -c .height | paste -sd,)" "1,2"
# Without to=, a stream follows the chain: caught up, it stays open (curl's own limit ends it).
expect_eq "$(curl -sN -m 1 "$URL/v1/exec?from=1" | jq -c .height | paste -sd,)" "1,2"
sqlite3 "$ROLLUP_DB" "VACUUM INTO '$WORK/other.db'"
sqlite3 other.db "DELETE FROM state_accounts; DELETE FROM state_account_history; DELETE FROM state_node_history; DELETE FROM state_nodes;
  DELETE FROM state_blocks; UPDATE state_history SET base_height = 0, base_root = NULL, base_accounts = NULL, floor = 0;
  DELETE FROM seq_log; DELETE FROM proof_blocks; DELETE FROM seq_mempool;"
stream blocks 1 2 | rollup-exec --db other.db -q >/dev/null
expect_eq "$(exec_root other.db)" "$(exec_root)" "the second executor's root"

# rollup-seq --mempool without --drain runs until SIGTERM, then exits 0.
rollup-tx transfer --key alice.key --to "$CAROL" --amount 7 --fee 1 --nonce 3 > late.ndjson
late=$(result rollup_sendTransaction "[$(cat late.ndjson)]" | jq -r .hash)
rollup-seq --key seq.key --mempool --poll-ms 10 --max-wait-ms 50 </dev/null > late-blocks.ndjson 2>seq.err &
SEQ_PID=$!
for _ in $(seq 100); do [ "$(result rollup_getTransaction "[\"$late\"]" | jq -r .status)" = sequenced ] && break; sleep 0.1; done
kill -TERM "$SEQ_PID"
seq_status=0; wait "$SEQ_PID" || seq_status=$?
expect_eq "$seq_status" 0 "rollup-seq --mempool on SIGTERM"
expect_eq "$(jq -c '[.height,(.namespaces[0].txs|length)]' late-blocks.ndjson)" '[3,1]'

# A port in use, a state file that is not there: exit 4.
expect_status 4 rollup-serve --listen "127.0.0.1:$(cat port)"
expect_err "cannot listen"
expect_status 4 rollup-serve --db "$WORK/missing.db" --listen 127.0.0.1:0

# SIGTERM: the server stops accepting, finishes, ends the open streams, exits 0.
curl -sN -m 30 "$URL/v1/blocks?from=1" > open-stream.ndjson &
for _ in $(seq 100); do [ -s open-stream.ndjson ] && break; sleep 0.1; done
kill -TERM "$SERVER_PID"
status=0; wait "$SERVER_PID" || status=$?
SERVER_PID=
expect_eq "$status" 0 "rollup-serve's exit status on SIGTERM"
grep -q "SIGTERM" serve.err || fail "no notice of the SIGTERM"

# Usage errors.
expect_status 2 rollup-serve --listen nowhere
expect_err "ADDR:PORT"
expect_status 2 rollup-serve --listen 127.0.0.1:70000
expect_status 0 rollup-serve --help
expect_out "rollup_sendTransaction|man rollup-serve"
echo "serve: ok"
