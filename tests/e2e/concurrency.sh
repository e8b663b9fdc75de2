# Two executors, and two whole pipelines, on one state file at once: no corruption, no lost
# block, and the same roots as one executor alone. A follower emits every height in order, also
# those the other executor applied. One sequencer per state file: a second one is refused at
# start, and a killed one leaves no stale lock.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o seq.key --dev 1000 >/dev/null
init() { rollup-l1 --db "$1" init --dev --sequencer-key seq.key --dev-accounts 30 --dev-balance 1000000 -q; }
init ref.db
rollup-tx --db ref.db batch --dev-accounts 30 -n 4000 --seed 3 > txs.ndjson
rollup-seq --db ref.db --key seq.key --max-txs 40 --timestamp 1 txs.ndjson | rollup-submit --db ref.db -q > blocks.ndjson
rollup-exec --db ref.db -q blocks.ndjson > /dev/null
ref_root=$(exec_root ref.db)

# Two executors racing over the same blocks.
init two.db
rollup-seq --db two.db --key seq.key --max-txs 40 --timestamp 1 txs.ndjson | rollup-submit --db two.db -q > /dev/null
rollup-exec --db two.db -q blocks.ndjson > e1.ndjson 2>e1.err & p1=$!
rollup-exec --db two.db -q --follow --until "$(wc -l < blocks.ndjson)" > e2.ndjson 2>e2.err & p2=$!
wait $p1 || fail "executor 1 failed: $(cat e1.err)"
wait $p2 || fail "executor 2 failed: $(cat e2.err)"
sqlite3 two.db "PRAGMA integrity_check" | grep -qx ok || fail "integrity"
expect_eq "$(exec_root two.db)" "$ref_root" "two executors"
expect_eq "$(sqlite3 two.db 'SELECT count(*) FROM state_blocks')" "$(wc -l < blocks.ndjson)"
expect_eq "$(jq -r .height e2.ndjson | tr '\n' ' ')" "$(seq -s ' ' 1 "$(wc -l < blocks.ndjson)") " "the follower's heights"

# Two whole pipelines on one file: the second sequencer is refused (exit 4, naming the holder)
# while the first runs; the first sequences all of its txs.
init pipes.db
head -n 2000 txs.ndjson > a.ndjson
tail -n +2001 txs.ndjson > b.ndjson
mkfifo held
pipeline() { rollup-seq --db pipes.db --key seq.key --max-txs 40 "$@" | rollup-submit --db pipes.db -q | rollup-exec --db pipes.db -q | rollup-submit --db pipes.db -q > /dev/null; }
{ cat a.ndjson; cat held; } | pipeline & first=$!
for _ in $(seq 300); do [ -s pipes.db-sequencer.lock ] && break; sleep 0.1; done
expect_status 4 rollup-seq --db pipes.db --key seq.key b.ndjson
expect_err "sequencer of .*pipes.db is already running \(pid [0-9]+\)"
: > held   # the first pipeline's input ends
wait $first || fail "the first pipeline failed"
pipeline b.ndjson || fail "the second pipeline, run after the first, failed"
sqlite3 pipes.db "PRAGMA integrity_check" | grep -qx ok || fail "integrity after two pipelines"
sequenced=$(rollup-l1 --db pipes.db blocks | jq -s '[.[].namespaces[].txs | length] | add // 0')
expect_eq "$sequenced" 4000 "txs sequenced by the two pipelines"
# The committed chain links parent to hash at every height.
broken=$(sqlite3 pipes.db "SELECT count(*) FROM l1_blocks c JOIN l1_blocks p ON c.height = p.height + 1 WHERE c.parent != p.hash")
expect_eq "$broken" 0 "committed chain broken"

# A sequencer killed with -9 releases its lock: the next one starts.
mkfifo held2
sleep 60 > held2 & sleeper=$!
rollup-seq --db pipes.db --key seq.key < held2 > /dev/null 2>&1 & holder=$!
for _ in $(seq 300); do grep -qx "$holder" pipes.db-sequencer.lock 2>/dev/null && break; sleep 0.1; done
kill -9 $holder; wait $holder 2>/dev/null || true
kill $sleeper
expect_status 0 rollup-seq --db pipes.db --key seq.key < /dev/null
# Catch up anything left over and check the executor's state against a replay.
rollup-seq --db pipes.db --key seq.key < /dev/null | rollup-submit --db pipes.db -q > /dev/null
rollup-exec --db pipes.db -q --follow --until "$(rollup-l1 --db pipes.db status | jq .height)" > /dev/null
"$ROLLUP_SRC/scripts/replay" pipes.db "$WORK/pipes-replayed.db" > replay.out || fail "replay: $(cat replay.out)"
echo ok
