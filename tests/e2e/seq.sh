# The sequencer's batching and ordering policy, its timer, deposits on a quiet input, and its
# restart behaviour.
source "$(dirname "$0")/lib.bash"
setup_rollup
carol=$(rollup-keygen -o carol.key --dev 3)
{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 1 --fee 1 --nonce 0
  rollup-tx transfer --key alice.key --to "$BOB" --amount 1 --fee 9 --nonce 1
  rollup-tx transfer --key bob.key --to "$ALICE" --amount 1 --fee 5 --nonce 0
  rollup-tx transfer --key carol.key --to "$ALICE" --amount 1 --fee 3 --nonce 0
} > four.ndjson

# --max-txs and --max-bytes cut blocks; the last partial batch goes out at the end of input.
cp "$ROLLUP_DB" base.db
# A fresh t.db: a killed run leaves its -wal file beside it, which SQLite would replay into the copy.
fresh() { rm -f t.db t.db-wal t.db-shm; cp base.db t.db; }
for limit in "--max-txs 3" "--max-bytes 700"; do
  fresh
  expect_status 0 rollup-seq --db t.db --key seq.key $limit four.ndjson
  expect_eq "$(jq -c '[.namespaces[0].txs // [] | length]' "$WORK/out" | paste -sd' ')" "$( [ "$limit" = "--max-txs 3" ] && echo '[3] [1]' || echo '[2] [2]')" "$limit"
done

# fee order: highest fee first, but alice's nonce 1 (fee 9) never before her nonce 0.
fresh
expect_status 0 rollup-seq --db t.db --key seq.key --order fee four.ndjson
expect_eq "$(jq -c '[.namespaces[0].txs[] | .fee]' "$WORK/out")" "[1,5,3,9]"
fresh
expect_status 0 rollup-seq --db t.db --key seq.key --order fifo four.ndjson
expect_eq "$(jq -c '[.namespaces[0].txs[] | .fee]' "$WORK/out")" "[1,9,5,3]"

# The timer cuts a block while the input is still open but quiet; so do pending deposits alone.
fresh
{ head -n1 four.ndjson; sleep 3; } | timeout -s KILL 1.5 rollup-seq --db t.db --key seq.key --max-wait-ms 200 > timer.ndjson || true
expect_eq "$(jq -c '[(.namespaces[0].txs | length), (.deposits | length)]' timer.ndjson)" "[1,1]"
fresh
sleep 3 | timeout -s KILL 1.5 rollup-seq --db t.db --key seq.key --max-wait-ms 200 > quiet.ndjson || true
expect_eq "$(jq -c '[(.namespaces | length), (.deposits | length)]' quiet.ndjson)" "[0,1]"

# A steady trickle of txs does not hold the timer off: blocks are still cut every --max-wait-ms.
fresh
cat four.ndjson four.ndjson | while read -r line; do echo "$line"; sleep 0.15; done |
  rollup-seq --db t.db --key seq.key --max-wait-ms 300 --max-txs 100 > trickle.ndjson
blocks=$(wc -l < trickle.ndjson)
[ "$blocks" -ge 3 ] || fail "a trickle of 8 txs over 1.2 s gave $blocks blocks (timer 300 ms)"
expect_eq "$(jq '.namespaces[0].txs | length' trickle.ndjson | jq -s add)" 8

# Restart: heights and parents continue from the log; logged blocks the contract lacks come again.
fresh
rollup-seq --db t.db --key seq.key --max-txs 2 four.ndjson > first.ndjson
expect_status 0 rollup-seq --db t.db --key seq.key four.ndjson
expect_eq "$(jq -c .height "$WORK/out" | paste -sd,)" "1,2,3" "re-emitted 1 and 2, then 3"
expect_err "re-emitting"
expect_eq "$(sed -n 3p "$WORK/out" | jq -r .parent)" "$(sed -n 2p first.ndjson | jq -r .hash)"
expect_eq "$(head -n2 "$WORK/out" | md5sum)" "$(md5sum < first.ndjson)" "re-emitted blocks are byte-identical"
expect_eq "$(sqlite3 t.db 'SELECT count(*), count(DISTINCT height) FROM seq_log')" "3|3"

# The sequencer never emits without a key of the contract's sequencer.
expect_status 2 rollup-seq --db t.db --key alice.key four.ndjson
expect_err "not the contract's registered sequencer"
echo ok
