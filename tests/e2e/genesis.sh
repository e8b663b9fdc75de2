# Genesis accounts: stored by the executor with the first block, queryable and provable, and
# the state reloads after a restart.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o seq.key --dev 1000 >/dev/null
for i in 0 1 2; do rollup-keygen -o dev$i.key --dev $i >/dev/null; done
d1=$(rollup-keygen --show dev1.key)
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts 40 --dev-balance 500 -q
expect_eq "$(rollup-l1 roots | jq -r .root)" "$(rollup-l1 status | jq -r .genesis_root)"
# Nonce and balance come from the genesis before any block.
expect_eq "$(rollup-tx transfer --key dev2.key --to "$d1" --amount 5 | jq .nonce)" 0
rollup-tx transfer --key dev2.key --to "$d1" --amount 5 | rollup-seq --key seq.key | rollup-submit | rollup-exec | rollup-prove | rollup-submit > /dev/null
for i in 0 1 2 15 16 17 33 39; do
  expect_status 0 rollup-query --check --index $i
  expect_eq "$(jq .check.valid "$WORK/out")" true "genesis account $i proof"
done
expect_eq "$(rollup-query --index 0 | jq .balance)" 500
expect_eq "$(rollup-query --index 1 | jq .balance)" 505
expect_eq "$(rollup-query --index 2 | jq .balance)" 495
# A second executor run reloads the stored state and goes on.
rollup-tx transfer --key dev0.key --to "$d1" --amount 7 | rollup-seq --key seq.key | rollup-submit | rollup-exec | rollup-prove | rollup-submit > /dev/null
expect_status 0 rollup-query --check --index 1
expect_eq "$(jq .balance "$WORK/out")" 512
# The replayed state (from the contract alone) has the same roots.
expect_status 0 "$ROLLUP_SRC/scripts/replay" "$ROLLUP_DB" "$WORK/replayed.db"
echo ok
