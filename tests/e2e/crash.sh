# kill -9 of each stage (the prover and the proof-submitting rollup-submit included) in the
# middle of a stream, then a re-run of the whole pipeline, ends in the same roots as an
# uninterrupted run, all of them proven on the contract.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o seq.key --dev 1000 >/dev/null

init() { rollup-l1 --db "$1" init --dev --sequencer-key seq.key --dev-accounts 40 --dev-balance 1000000 -q; }
pipeline() {  # pipeline DB [stage-to-kill delay]
  local db=$1 victim=${2:-} delay=${3:-0}
  local seq="rollup-seq --db $db --key seq.key --max-txs 20 txs.ndjson"
  local sub1="rollup-submit --db $db -q" exe="rollup-exec --db $db -q"
  local prove="rollup-prove --db $db -q" sub2="rollup-submit --db $db -q"
  case $victim in
    seq) seq="timeout -s KILL $delay $seq" ;;
    submit) sub1="timeout -s KILL $delay $sub1" ;;
    exec) exe="timeout -s KILL $delay $exe" ;;
    prove) prove="timeout -s KILL $delay $prove" ;;
    settle) sub2="timeout -s KILL $delay $sub2" ;;
  esac
  bash -c "$seq | $sub1 | $exe | $prove | $sub2 > /dev/null" || true
}

init ref.db
rollup-tx --db ref.db batch --dev-accounts 40 -n 300 --seed 7 > txs.ndjson
pipeline ref.db
ref_root=$(exec_root ref.db)
ref_height=$(rollup-l1 --db ref.db status | jq .height)
[ -n "$ref_root" ] || fail "reference run produced no root"

for victim in seq submit exec prove settle; do
  db=$WORK/$victim.db
  init "$db"
  pipeline "$db" "$victim" 0.8
  pipeline "$db"           # the clean re-run
  sqlite3 "$db" "PRAGMA integrity_check" | grep -qx ok || fail "$victim: integrity check failed"
  expect_eq "$(exec_root "$db")" "$ref_root" "$victim killed: final root differs from the uninterrupted run"
  # every committed block is executed, proven, and its root verified on the contract
  expect_eq "$(sqlite3 "$db" 'SELECT max(height) FROM l1_blocks')" "$(sqlite3 "$db" 'SELECT max(height) FROM state_blocks')" "$victim: executor behind"
  expect_eq "$(sqlite3 "$db" 'SELECT hex(root) FROM l1_roots ORDER BY height DESC LIMIT 1')" "$ref_root" "$victim: contract root"
  echo "$victim: killed, re-run: same root ($(sqlite3 "$db" 'SELECT max(height) FROM l1_blocks') blocks vs $ref_height)"
done
echo ok
