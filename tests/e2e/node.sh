# scripts/node: a dev rollup started in one command; a tx sent over JSON-RPC goes to executed and
# verified with nothing else running; SIGTERM stops every process of the node and exits 0; a
# process that dies ends the node with exit 1.
source "$(dirname "$0")/lib.bash"
export ROLLUP_BUILD_DIR=$ROLLUP_BIN
NODE_PID=
trap 'if [ -n "$NODE_PID" ]; then kill -9 "$NODE_PID" 2>/dev/null || true; fi; pkill -9 -f "$WORK/" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$ROLLUP_SRC/scripts/node" --dir n --dev 4 --listen 127.0.0.1:0 --block-ms 50 2>node.err &
NODE_PID=$!
for _ in $(seq 100); do [ -s n/port ] && break; sleep 0.1; done
[ -s n/port ] || { cat node.err >&2; fail "the node did not start"; }
URL=http://127.0.0.1:$(cat n/port)
export ROLLUP_DB=$WORK/n/rollup.db
ALICE=$(rollup-keygen -o alice.key --dev 1)
BOB=$(rollup-keygen -o bob.key --dev 2)
rpc() { curl -s -m 10 "$URL" -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}"; }

tx=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --fee 1 --nonce 0)
hash=$(rpc rollup_sendTransaction "[$tx]" | jq -r .result.hash)
[[ $hash == 0x* ]] || fail "sendTransaction: $hash"
status=
for _ in $(seq 300); do
  status=$(rpc rollup_getTransaction "[\"$hash\"]" | jq -r .result.status)
  [ "$status" = verified ] && break
  sleep 0.1
done
[ "$status" = verified ] || { tail -n 20 node.err n/*.log >&2; fail "the tx's status on the node: '$status', not verified"; }
expect_status 0 rollup-query --rpc "$URL" --check "$BOB"
expect_eq "$(jq -c '[.check.valid, .check.status]' "$WORK/out")" '[true,"verified"]'
expect_eq "$(rpc rollup_status | jq -c '.result | [.committed == .verified, .mempool]')" '[true,0]'

# SIGTERM: the node stops the sequencer, the pipeline and the server, and exits 0.
kill -TERM "$NODE_PID"
node_status=0; wait "$NODE_PID" || node_status=$?
NODE_PID=
expect_eq "$node_status" 0 "scripts/node's exit status on SIGTERM"
grep -q "stopped" node.err || fail "no notice of the stop: $(cat node.err)"
! curl -s -m 2 "$URL/health" >/dev/null || fail "the server still answers after the node stopped"
! pgrep -f "$WORK/n/" >/dev/null || fail "processes of the node are left: $(pgrep -af "$WORK/n/")"
[ ! -e n/blocks.fifo ] && [ ! -e n/port ] || fail "the node left its fifo or port file"

# Restarted on the same state file: it goes on from there. A process that dies ends the node.
"$ROLLUP_SRC/scripts/node" --dir n --listen 127.0.0.1:0 --block-ms 50 2>node2.err &
NODE_PID=$!
for _ in $(seq 100); do [ -s n/port ] && break; sleep 0.1; done
[ -s n/port ] || { cat node2.err >&2; fail "the node did not restart"; }
for _ in $(seq 50); do curl -sf -m 2 "http://127.0.0.1:$(cat n/port)/health" >/dev/null && break; sleep 0.1; done
pkill -9 -f "rollup-serve --listen 127.0.0.1:0 --port-file $WORK/n/port" ||
  { cat node2.err >&2; fail "no rollup-serve of the restarted node to kill"; }
node_status=0; wait "$NODE_PID" || node_status=$?
NODE_PID=
expect_eq "$node_status" 1 "scripts/node's exit status when its server dies"
grep -q "see .*serve.log" node2.err || fail "the node does not say which process died: $(cat node2.err)"

expect_status 2 "$ROLLUP_SRC/scripts/node" --dir none
expect_err "no state file"
expect_status 2 "$ROLLUP_SRC/scripts/node" --block-ms soon
expect_status 0 "$ROLLUP_SRC/scripts/node" --help
expect_out "rollup-seq --mempool"
echo "node: ok"
