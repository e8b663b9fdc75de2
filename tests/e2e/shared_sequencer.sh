# Several rollups on one sequencer: rollup-seq --rollup a.db --rollup b.db signs one stream of
# shared (version 2) blocks; each rollup commits every block and executes only its namespace, with
# the deposits of its own queue. Each rollup's state roots, height by height, must be those of the
# same rollup sequenced alone (the same txs, cut at the same places, through a single-namespace
# rollup-seq), and no rollup may apply another namespace's tx.
source "$(dirname "$0")/lib.bash"
export ROLLUP_L1_TIME=1764000000
T=1764000000000
rollup-keygen -o seq.key --dev 1000 >/dev/null
ALICE=$(rollup-keygen -o alice.key --dev 1)
BOB=$(rollup-keygen -o bob.key --dev 2)
CAROL=$(rollup-keygen -o carol.key --dev 3)

# new_rollup DB NAMESPACE: a contract on DB with alice funded on L1 and 1000 deposited.
new_rollup() {
  rollup-l1 --db "$1" init --dev --sequencer-key seq.key --chain-id 5 --namespace "$2" -q 2>/dev/null
  rollup-l1 --db "$1" fund --to "$ALICE" --amount 100000 >/dev/null
  rollup-l1 --db "$1" deposit --key alice.key --amount 1000 >/dev/null
}
new_rollup a.db 1; new_rollup a-alone.db 1
new_rollup b.db 2; new_rollup b-alone.db 2
# Rollup b's queue holds one deposit more, to carol: the queues differ from the first block on.
for db in b.db b-alone.db; do rollup-l1 --db $db deposit --key alice.key --to "$CAROL" --amount 70 >/dev/null; done

# tx DB ARGS...: a tx signed for DB's rollup (its chain id and namespace).
tx() { local db=$1; shift; rollup-tx --db "$db" "$@"; }
cut_line='{"kind":"cut","v":1}'
# Round 1: two blocks, each with txs of both namespaces. Alice's nonce 0 is used in both rollups:
# if rollup a applied b's tx, its nonce rule would fail one of them.
{
  tx a.db transfer --key alice.key --to "$BOB" --amount 10 --fee 1 --nonce 0
  tx b.db transfer --key alice.key --to "$BOB" --amount 20 --fee 2 --nonce 0
  tx b.db transfer --key alice.key --to "$CAROL" --amount 5 --nonce 1
  echo "$cut_line"
  tx a.db withdraw --key alice.key --amount 3 --fee 1 --nonce 1
  tx a.db transfer --key bob.key --to "$ALICE" --amount 999 --nonce 0   # insufficient_balance
  tx b.db transfer --key carol.key --to "$BOB" --amount 1 --nonce 0
  echo "$cut_line"
} > round1.ndjson
# Round 2, after a deposit queued on rollup a: one block of both, then one of rollup b alone.
{
  tx a.db transfer --key alice.key --to "$CAROL" --amount 7 --fee 1 --nonce 2
  tx b.db transfer --key alice.key --to "$BOB" --amount 8 --nonce 2
  echo "$cut_line"
  tx b.db transfer --key bob.key --to "$CAROL" --amount 4 --fee 1 --nonce 0
  echo "$cut_line"
} > round2.ndjson

shared_seq() { rollup-seq --key seq.key --db shared.db --rollup a.db --rollup b.db --cut-on cut --timestamp $T "$@"; }
alone_seq() { rollup-seq --key seq.key --db "$1" --cut-on cut --timestamp $T "${@:2}"; }
# only NAMESPACE FILE: the txs of one namespace, and the cut lines.
only() { jq -c "select(.kind == \"cut\" or .namespace == $1)" "$2"; }

# The shared stream goes to both rollups, each on its own state file (as `tee` would send it).
expect_status 0 shared_seq round1.ndjson
grep '"kind":"block"' "$WORK/out" > shared1.ndjson
expect_eq "$(jq -c '[.v, .height, [.namespaces[].id]]' shared1.ndjson | tr -d '\n')" '[2,1,[1,2]][2,2,[1,2]]' "shared blocks"
expect_eq "$(jq -c '[.namespaces[] | [.id, .deposit_first, (.deposits | length)]]' shared1.ndjson | head -1)" \
  '[[1,0,1],[2,0,2]]' "block 1 consumes each rollup's own queue"
for r in a b; do
  expect_pipeline_status 0 "rollup-submit --db $r.db shared1.ndjson | rollup-exec --db $r.db > exec-$r.ndjson"
done
only 1 round1.ndjson | alone_seq a-alone.db | rollup-submit --db a-alone.db | rollup-exec --db a-alone.db > exec-a-alone.ndjson
only 2 round1.ndjson | alone_seq b-alone.db | rollup-submit --db b-alone.db | rollup-exec --db b-alone.db > exec-b-alone.ndjson
for db in a.db a-alone.db; do rollup-l1 --db $db deposit --key alice.key --to "$BOB" --amount 40 >/dev/null; done

# Round 2: the shared sequencer resumes from its own log (shared.db) and each rollup's contract.
expect_status 0 shared_seq round2.ndjson
grep '"kind":"block"' "$WORK/out" > shared2.ndjson
expect_eq "$(jq -c '[.height, [.namespaces[] | [.id, .deposit_first, (.deposits | length)]]]' shared2.ndjson | tr -d '\n')" \
  '[3,[[1,1,1],[2,2,0]]][4,[[2,2,0]]]' "round 2: a's new deposit, then a block without namespace 1"
for r in a b; do
  expect_pipeline_status 0 "rollup-submit --db $r.db shared2.ndjson | rollup-exec --db $r.db >> exec-$r.ndjson"
done
only 1 round2.ndjson | alone_seq a-alone.db | rollup-submit --db a-alone.db | rollup-exec --db a-alone.db >> exec-a-alone.ndjson
only 2 round2.ndjson | alone_seq b-alone.db | rollup-submit --db b-alone.db | rollup-exec --db b-alone.db >> exec-b-alone.ndjson

# rollup-exec writes again, at its start, the exec lines of blocks not proven yet: one per height.
for f in exec-a exec-b exec-a-alone exec-b-alone; do
  jq -s -c 'map(select(.kind == "exec")) | unique_by(.height)[]' $f.ndjson > $f.unique && mv $f.unique $f.ndjson
done
roots() { jq -c '[.height, .post_root, [.receipts[] | .type + ":" + .status]]' "$1"; }
# Rollup b had txs in every block: its roots are those of b alone, height by height.
expect_eq "$(roots exec-b.ndjson)" "$(roots exec-b-alone.ndjson)" "rollup b's roots, shared vs alone"
expect_eq "$(roots exec-b.ndjson | wc -l)" 4 "rollup b's blocks"
# Rollup a: the same for the blocks it had txs in; the shared block 4 holds none of its txs and
# none of its deposits: an empty block for rollup a, its root unchanged.
expect_eq "$(roots exec-a.ndjson | head -3)" "$(roots exec-a-alone.ndjson)" "rollup a's roots, shared vs alone"
expect_eq "$(jq -c 'select(.height == 4) | [.receipts, .pre_root == .post_root]' exec-a.ndjson)" '[[],true]' "block 4 for rollup a"
expect_eq "$(rollup-query --db a.db "$ALICE" | jq -c '[.balance, .nonce, .root]')" \
  "$(rollup-query --db a-alone.db "$ALICE" | jq -c '[.balance, .nonce, .root]')" "alice on rollup a"

# No rollup applies another namespace's tx: each exec line's tx receipts are exactly the block's
# txs of the rollup's namespace, in order.
tx_ids() { jq -c "select(.kind == \"block\") | [.height, [.namespaces[] | select(.id == $1) | .txs[]] | length]" shared1.ndjson shared2.ndjson; }
receipt_counts() { jq -c '[.height, [.receipts[] | select(.type != "deposit")] | length]' "$1"; }
expect_eq "$(receipt_counts exec-a.ndjson)" "$(tx_ids 1)" "rollup a's tx receipts per block"
expect_eq "$(receipt_counts exec-b.ndjson)" "$(tx_ids 2)" "rollup b's tx receipts per block"
ids_of() { jq -c "select(.kind == \"block\") | .namespaces[] | select(.id == $1) | .txs[]" shared1.ndjson shared2.ndjson |
           rollup-inspect --db a.db --json 2>/dev/null | jq -r .id; }
expect_eq "$(jq -r '.receipts[] | select(.tx) | .tx' exec-a.ndjson)" "$(ids_of 1)" "rollup a's receipts name its own txs"

# Rollup a proves its four blocks (the empty one too) and its contract verifies them.
expect_pipeline_status 0 "rollup-prove --db a.db exec-a.ndjson | rollup-submit --db a.db > proved-a.ndjson"
expect_eq "$(jq -c 'select(.kind == "l1.receipt") | [.height, .status]' proved-a.ndjson | tr -d '\n')" \
  '[1,"verified"][2,"verified"][3,"verified"][4,"verified"]' "rollup a's proofs"
expect_eq "$(rollup-query --db a.db --check "$ALICE" | jq -r .check.valid)" true "alice's answer against a's verified root"
expect_status 0 rollup-l1 --db a.db check
expect_status 0 rollup-l1 --db b.db check

# A block logged but committed by one rollup only (a crash before b's submit) is emitted again
# at the next start; rollup a skips it, rollup b commits it.
tx a.db transfer --key alice.key --to "$BOB" --amount 1 --nonce 3 > round3.ndjson
tx b.db transfer --key alice.key --to "$BOB" --amount 1 --nonce 3 >> round3.ndjson
expect_status 0 shared_seq round3.ndjson
grep '"kind":"block"' "$WORK/out" > shared3.ndjson
# The bodies of blocks 1-4, which every rollup holds, left the log as block 5 was logged.
expect_eq "$(sqlite3 shared.db "SELECT group_concat(height) FROM seq_log WHERE body IS NOT NULL")" 5 "bodies kept in the log"
expect_status 0 rollup-submit --db a.db shared3.ndjson
expect_status 0 shared_seq </dev/null
expect_err "re-emitting 1 logged blocks"
cp "$WORK/out" again.ndjson
expect_status 0 rollup-submit --db a.db again.ndjson
expect_status 0 rollup-submit --db b.db again.ndjson
expect_eq "$(rollup-l1 --db b.db status | jq .height)" 5 "rollup b caught up"

# Bad input and bad setups.
tx a.db transfer --key alice.key --to "$BOB" --amount 1 --nonce 4 | jq -c '.namespace = 9' > other-ns.ndjson
expect_status 3 shared_seq other-ns.ndjson
expect_err "namespace: 9 is not a namespace this sequencer serves \(1, 2\)"
tx a.db transfer --key alice.key --to "$BOB" --amount 1 --nonce 4 | jq -c '.chain_id = 6' > other-chain.ndjson
expect_status 3 shared_seq other-chain.ndjson
expect_err "chain_id: 6 is not the chain id 5 of namespace 1's rollup"
# While the shared sequencer runs, it holds each rollup's sequencer lock: no other sequencer can
# sign blocks for rollup a meanwhile.
mkfifo hold
shared_seq < hold > held.ndjson &
shared=$!
exec 7>hold
# (Wait until some process has the lock file open; probing with flock would take the lock itself.)
held() { ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c "$WORK/a.db-sequencer.lock" || true; }
for _ in $(seq 200); do [ "$(held)" -gt 0 ] && break; sleep 0.05; done
expect_status 4 rollup-seq --key seq.key --db a.db </dev/null
expect_err "a sequencer of a.db"
exec 7>&-
wait $shared

# Bad setups: usage errors (exit 2) that name the state file at fault.
new_rollup c.db 2; new_rollup d.db 2; new_rollup e.db 3
expect_status 2 rollup-seq --key seq.key --db shared-x.db --rollup c.db --rollup d.db </dev/null
expect_err "c.db and d.db are both namespace 2"
expect_status 2 rollup-seq --key seq.key --db shared-x.db --rollup a-alone.db --rollup e.db </dev/null
expect_err "a-alone.db: its block 3 is a single rollup's \(version 1\)"
expect_status 2 shared_seq --rollup e.db </dev/null
expect_err "e.db: it holds blocks up to height 0, this sequencer's chain is at 5"
rollup-keygen -o other.key --dev 1001 >/dev/null
rollup-l1 --db f.db init --dev --sequencer-key other.key --chain-id 5 --namespace 6 -q 2>/dev/null
expect_status 2 rollup-seq --key seq.key --db shared-x.db --rollup c.db --rollup f.db </dev/null
expect_err "f.db: this key .* is not the contract's registered sequencer"
expect_status 2 rollup-seq --key seq.key --db shared-x.db --rollup c.db --mempool </dev/null
expect_status 2 rollup-seq --key seq.key --db shared-x.db --rollup c.db --namespace 2 </dev/null
expect_status 4 rollup-seq --key seq.key --db shared-x.db --rollup c.db --rollup no-such.db </dev/null
expect_err "no-such.db: no such state file"
echo ok
