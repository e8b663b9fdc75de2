# The canonical pipeline end to end: balances, receipts, proven roots on the contract, payable
# withdrawals, checked queries.
source "$(dirname "$0")/lib.bash"
setup_rollup

{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2 --nonce 0
  rollup-tx transfer --key alice.key --to "$BOB" --amount 100 --fee 1 --nonce 1
  rollup-tx withdraw --key alice.key --amount 50 --fee 1 --nonce 2
  rollup-tx transfer --key bob.key --to "$ALICE" --amount 999999 --fee 1 --nonce 0
} > txs.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 2 < txs.ndjson | rollup-submit | tee blocks.ndjson | rollup-exec | tee exec.ndjson | rollup-prove | rollup-submit"
expect_eq "$(wc -l < blocks.ndjson)" 2 "two blocks of at most 2 txs"
expect_eq "$(jq -s '[.[].l1.status] | unique | .[]' -r blocks.ndjson)" committed
expect_eq "$(jq -r 'select(.kind == "l1.receipt") | [.what, .height, .status] | join(",")' "$WORK/out" | paste -sd' ')" "proof,1,verified proof,2,verified"
expect_eq "$(jq -r .kind "$WORK/out" | sort | uniq -c | tr -s ' ' | paste -sd,)" " 2 exec, 2 l1.receipt"
expect_eq "$(jq -r '[.receipts[] | .reason // "ok"] | join(",")' exec.ndjson | paste -sd' ')" "ok,ok,ok ok,insufficient_balance"
expect_eq "$(jq -r '.withdrawals[].amount' exec.ndjson)" 50
# The proven withdrawal is payable on L1, once.
expect_eq "$(rollup-l1 withdrawals | jq -c '[.height, .amount, .status]')" '[2,50,"payable"]'
l1_before=$(rollup-l1 balances | jq -r "select(.account == \"$ALICE\") | .balance")
expect_status 0 rollup-l1 claim --key alice.key
expect_eq "$(jq .amount "$WORK/out")" 50
expect_eq "$(rollup-l1 balances | jq -r "select(.account == \"$ALICE\") | .balance")" $((l1_before + 50))
expect_status 1 rollup-l1 claim --key alice.key
expect_err "no payable withdrawal"

expect_status 0 rollup-query --check "$ALICE"
expect_eq "$(jq .balance "$WORK/out")" $((10000 - 252 - 101 - 51))
expect_eq "$(jq .nonce "$WORK/out")" 3
expect_eq "$(jq .check.valid "$WORK/out")" true
expect_status 0 rollup-query --check "$BOB"
expect_eq "$(jq .balance "$WORK/out")" 350
expect_status 0 rollup-query --check "$SEQ"
expect_eq "$(jq .balance "$WORK/out")" 4
expect_status 0 rollup-query --index 1
expect_eq "$(jq -r .pubkey "$WORK/out")" "$BOB"

# The contract's latest root is the executor's, and verified.
expect_eq "$(rollup-l1 roots | tail -n1 | jq -r .root)" "0x$(exec_root | tr A-F a-f)"
expect_eq "$(rollup-l1 roots | jq -r .status | sort -u)" verified
expect_eq "$(rollup-l1 status | jq .height)" 2

# The executor runs ahead of the contract's proven roots: --check answers at the root's height, by
# replaying the contract's blocks; --height answers at any committed height.
rollup-tx transfer --key alice.key --to "$BOB" --amount 1000 --nonce 3 | rollup-seq --key seq.key | rollup-submit | rollup-exec > unclaimed.ndjson
expect_status 0 rollup-query "$BOB"
expect_eq "$(jq .height "$WORK/out")" 3
expect_eq "$(jq .balance "$WORK/out")" 1350
expect_status 0 rollup-query --check "$BOB"
expect_eq "$(jq -c '[.height, .balance, .check.valid]' "$WORK/out")" "[2,350,true]"
expect_status 0 rollup-query --height 1 "$BOB"
expect_eq "$(jq -c '[.height, .balance]' "$WORK/out")" "[1,350]"
expect_status 1 rollup-query --height 0 --index 0   # the genesis is empty: alice came by deposit
expect_err "no account for index 0 at height 0"
expect_status 1 rollup-query --height 9 "$BOB"
expect_err "the contract has no block 9"
rollup-prove < unclaimed.ndjson > unclaimed-proof.ndjson
expect_status 0 rollup-submit unclaimed-proof.ndjson
expect_status 0 rollup-query --check "$BOB"
expect_eq "$(jq -c '[.height, .balance, .check.valid]' "$WORK/out")" "[3,1350,true]"

# An unknown account: a negative answer, exit 1.
expect_status 1 rollup-query "$(rollup-keygen -o nobody.key)"
expect_err "no account"
echo ok
