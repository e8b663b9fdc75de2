# rollup-replay, rollup-diff and rollup-bisect on real chains: a trace whose roots chain up to the
# executor's, the same trace from the contract and from a stream, and divergences planted at a
# known height and tx (a state file changed by hand; a second rollup fed one tx that differs),
# found exactly.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

# Twelve transfers in six blocks of two; block 1 also carries alice's deposit.
for n in $(seq 0 11); do
  rollup-tx transfer --key alice.key --to "$BOB" --amount $((10 + n)) --fee 1 --nonce "$n"
done > txs.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 2 < txs.ndjson | rollup-submit | tee blocks.ndjson | rollup-exec > exec.ndjson"
expect_eq "$(wc -l < blocks.ndjson)" 6 "six blocks"
before=$(db_digest)

# --- rollup-replay ---------------------------------------------------------------------------
expect_status 0 rollup-replay --heights 1..6 --check
cp "$WORK/out" trace.ndjson
expect_eq "$(wc -l < trace.ndjson)" 13 "a line per deposit and tx"
expect_eq "$(jq -r '[.height, .index, .receipt.type, .receipt.status] | join(",")' trace.ndjson | head -3 | paste -sd' ')" \
  "1,0,deposit,ok 1,1,transfer,ok 1,2,transfer,ok" "lines in block and receipt order"
# Each receipt's root_before is the last one's root_after, and the last is the executor's root.
expect_eq "$(jq -s -c '[range(1; length) as $i | .[$i].root_before == .[$i - 1].root_after] | unique' trace.ndjson)" "[true]"
expect_eq "$(tail -n1 trace.ndjson | jq -r .root_after)" "0x$(exec_root | tr A-F a-f)" "the last root is the executor's"
# Each block's last root_after is the post root stored for it.
expect_eq "$(jq -s -r 'group_by(.height)[] | last | .root_after' trace.ndjson | paste -sd' ')" \
  "$(sqlite3 "$ROLLUP_DB" "SELECT lower(hex(post_root)) FROM state_blocks ORDER BY height" | sed 's/^/0x/' | paste -sd' ')"
# The first transfer: alice pays 10 to bob, who is created, and 1 to the sequencer.
expect_eq "$(jq -c 'select(.height == 1 and .index == 1) | [.touched[] | [.pubkey == "'"$ALICE"'", .balance_before, .balance_after, .nonce_before, .nonce_after]]' trace.ndjson)" \
  '[[true,10000,9989,0,1],[false,0,10,0,0],[false,0,1,0,0]]'
# The same blocks from the stream give the same trace; a later start gives its tail.
expect_pipeline_status 0 "rollup-replay < blocks.ndjson | diff - trace.ndjson"
expect_pipeline_status 0 "rollup-replay --from 3 --heights 4.. | diff - <(jq -c 'select(.height > 3)' trace.ndjson)"
expect_pipeline_status 0 "tail -n 2 blocks.ndjson | rollup-replay | diff - <(jq -c 'select(.height > 4)' trace.ndjson)"
expect_eq "$(db_digest)" "$before" "replay never writes the state file"
# Bad requests.
expect_status 2 rollup-replay --heights 3..2
expect_err "not A..B"
expect_status 2 rollup-replay --heights 1..7
expect_err "last committed block is 6"
expect_status 2 rollup-replay --from 1 --heights 3..4
expect_status 3 bash -c "sed -n 3p blocks.ndjson | rollup-replay --from 1"
expect_err "block 3 does not follow the replayed state at height 1"

# --- a state file changed by hand at height 4 ------------------------------------------------
sqlite3 "$ROLLUP_DB" "VACUUM INTO 'hand.db'"
sqlite3 hand.db "UPDATE state_accounts SET balance = balance + 1 WHERE idx = 1;
                 UPDATE state_blocks SET post_root = randomblob(32) WHERE height >= 4"
expect_status 1 rollup-replay --db hand.db --heights 1..6 --check
expect_err "check failed at height 4: the replayed post root is 0x[0-9a-f]{64}, but the state file stored"
expect_eq "$(jq -r .height "$WORK/out" | sort -un | tail -n1)" 4 "replay stops after the bad block"
expect_status 1 rollup-bisect "$ROLLUP_DB" hand.db
expect_eq "$(jq -c '[.diverged, .height, .receipt]' "$WORK/out")" '[true,4,null]'
expect_eq "$(jq -r '.a.replayed_root == .b.replayed_root and .a.root == .a.replayed_root' "$WORK/out")" true
expect_err "first divergence at height 4"
expect_err "hand.db's stored root is not what its block re-executes to"
expect_status 1 rollup-bisect --contract hand.db
expect_eq "$(jq -c '[.height, .b.db]' "$WORK/out")" '[4,"contract"]'
expect_status 0 rollup-bisect --contract "$ROLLUP_DB"
expect_eq "$(jq .diverged "$WORK/out")" false
expect_status 1 rollup-diff "$ROLLUP_DB" hand.db
expect_eq "$(jq -c 'select(.kind == "account_diff") | [.index, .a.balance + 1 == .b.balance, .a.pubkey == "'"$BOB"'"]' "$WORK/out")" '[1,true,true]'
expect_eq "$(jq -c 'select(.kind == "diff_summary") | [.differing, .a.height, .b.height, .a.root != .b.root]' "$WORK/out")" '[1,6,6,true]'

# --- a second rollup fed the same txs but one: the second tx of block 4 ----------------------
mkdir other
ROLLUP_DB=$WORK/other/rollup.db
( cd other && cp ../*.key . && rollup-l1 init --sequencer-key seq.key --chain-id 1 --namespace 1 -q &&
  rollup-l1 fund --to "$ALICE" --amount 100000 && rollup-l1 deposit --key alice.key --amount 10000 >/dev/null )
# Block 4 holds txs 6 and 7 (nonces 6 and 7): tx 7 goes to carol instead.
{ head -n 7 txs.ndjson; rollup-tx --db "$ROLLUP_DB" transfer --key alice.key --to "$CAROL" --amount 17 --fee 1 --nonce 7
  tail -n 4 txs.ndjson; } > other/txs.ndjson
changed_tx=$(rollup-seq --key seq.key --max-txs 2 < other/txs.ndjson | rollup-submit | rollup-exec | jq -r 'select(.height == 4) | .receipts[1].tx')
ROLLUP_DB=$WORK/rollup.db
expect_status 1 rollup-bisect "$ROLLUP_DB" other/rollup.db
expect_eq "$(jq -c '[.height, .receipt.index]' "$WORK/out")" '[4,1]' "block 4, its second receipt"
expect_eq "$(jq -r .receipt.b.receipt.tx "$WORK/out")" "$changed_tx"
expect_eq "$(jq -r '.receipt.a.root_before == .receipt.b.root_before and .receipt.a.root_after != .receipt.b.root_after' "$WORK/out")" true
expect_err "first differing receipt: index 1"
# Two executors' replays compare with diff: the first difference is that line.
set +e
diff <(rollup-replay --heights 1..6) <(rollup-replay --db other/rollup.db --heights 1..6) > replay.diff
set -e
expect_eq "$(grep -m1 '^<' replay.diff | cut -c3- | jq -c '[.height, .index]')" '[4,1]'
# The accounts that differ now: bob's balance (alice paid the same), and carol only in the other.
expect_status 1 rollup-diff "$ROLLUP_DB" other/rollup.db
expect_eq "$(jq -c 'select(.kind == "account_diff") | [.index, (.a != null), (.b != null)]' "$WORK/out" | paste -sd' ')" \
  "[1,true,true] [3,false,true]"
# Heights of one file: equal before block 4, different after.
expect_status 0 rollup-diff "$ROLLUP_DB" other/rollup.db --height 3
expect_status 0 rollup-diff --height 2 --height 2
expect_status 1 rollup-diff --height 3 --height 4
expect_eq "$(jq -c 'select(.kind == "diff_summary") | [.a.height, .b.height, .differing]' "$WORK/out")" '[3,4,3]'

# --- usage ------------------------------------------------------------------------------------
expect_status 2 rollup-bisect --rpc http://localhost:8545 --contract "$ROLLUP_DB"
expect_err "give two state files, or one state file and --contract or --rpc URL"
expect_status 2 rollup-bisect "$ROLLUP_DB"
expect_status 2 rollup-diff "$ROLLUP_DB"
expect_status 2 rollup-diff --height 3
for tool in rollup-replay rollup-diff rollup-bisect; do
  expect_status 0 "$tool" --help
  expect_out "Example"
done
