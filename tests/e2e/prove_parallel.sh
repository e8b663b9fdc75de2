# scripts/prove-parallel proves a range of heights with GNU parallel and submits the proofs in
# height order; the contract then holds a verified root for every height.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o seq.key --dev 1000 >/dev/null
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts 20 --dev-balance 100000 -q
rollup-tx batch --dev-accounts 20 -n 40 > txs.ndjson
rollup-seq --key seq.key --max-txs 8 txs.ndjson | rollup-submit | rollup-exec > /dev/null
expect_status 0 "$ROLLUP_SRC/scripts/prove-parallel" --jobs 2 1 5
expect_eq "$(jq -c .height "$WORK/out" | paste -sd,)" "1,2,3,4,5" "receipts in height order"
expect_eq "$(rollup-l1 roots | jq -c '[.height, .status]' | paste -sd' ')" '[0,"verified"] [1,"verified"] [2,"verified"] [3,"verified"] [4,"verified"] [5,"verified"]'
expect_eq "$(rollup-l1 roots | tail -n1 | jq -r .root)" "0x$(exec_root | tr A-F a-f)"
expect_status 2 "$ROLLUP_SRC/scripts/prove-parallel" 1 9
expect_err "the executor is at height 5"
echo ok
