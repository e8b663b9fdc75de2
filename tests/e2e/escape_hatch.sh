# Forced inclusion and the escape hatch: a block that leaves out a deposit past its deadline (in
# L1 time) is refused, and anyone may then freeze the contract; deposits no verified block
# executed go back to their payers; every account can then exit once with a Merkle proof against
# the last verified root.
source "$(dirname "$0")/lib.bash"
T0=1700000000
export ROLLUP_L1_TIME=$T0
rollup-keygen -o seq.key --dev 1000 >/dev/null
for i in 1 2 3; do rollup-keygen -o dev$i.key --dev $i >/dev/null; done
alice=$(rollup-keygen -o alice.key)
d2=$(rollup-keygen --show dev2.key); d3=$(rollup-keygen --show dev3.key)
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts 20 --dev-balance 1000 --deposit-deadline 10m -q
rollup-l1 fund --to "$alice" --amount 5000

# Block 1 is committed and executed, but never proven.
rollup-tx transfer --key dev1.key --to "$d2" --amount 5 | rollup-seq --key seq.key | rollup-submit | rollup-exec > /dev/null
# Block 2 is cut, then a deposit arrives, due 10 minutes later; block 2 leaves it out and reaches
# the contract only after that.
rollup-tx transfer --key dev2.key --to "$d3" --amount 7 | rollup-seq --key seq.key > b2.ndjson
rollup-l1 deposit --key alice.key --amount 100 > dep.json
expect_eq "$(jq .due_at dep.json)" $((T0 + 600))
expect_eq "$(rollup-l1 balances | jq -r "select(.account == \"$alice\") | .balance")" 4900
export ROLLUP_L1_TIME=$((T0 + 601))
expect_status 1 rollup-submit b2.ndjson
expect_err "leaves out deposit 0, overdue"
expect_status 0 rollup-l1 freeze
expect_eq "$(rollup-l1 status | jq .frozen)" true
# The deposit was never executed under a verified root: refunded at once.
expect_eq "$(rollup-l1 balances | jq -r "select(.account == \"$alice\") | .balance")" 5000
expect_status 1 rollup-submit b2.ndjson
expect_err "frozen"

# A proof from the executor's latest state (height 1, never proven) is not against the last
# verified root (the genesis): refused.
rollup-query --index 2 > stale.json
expect_eq "$(jq -c '[.height, .balance]' stale.json)" "[1,1005]"
expect_status 1 rollup-l1 exit --key dev2.key --proof stale.json
expect_err "does not lead to the last verified root"
# The proof at the last verified root's height is good: paid once.
rollup-query --check --index 2 > good.json
expect_eq "$(jq -c '[.height, .balance, .check.status, .check.valid]' good.json)" '[0,1000,"verified",true]'
expect_status 0 rollup-l1 exit --key dev2.key --proof good.json
expect_eq "$(jq .amount "$WORK/out")" 1000
expect_eq "$(rollup-l1 balances | jq -r "select(.account == \"$d2\") | .balance")" 1000
expect_status 1 rollup-l1 exit --key dev2.key --proof good.json
expect_err "already exited"
# Someone else's proof, and forged proofs, are refused.
rollup-query --check --index 3 > d3.json
expect_status 1 rollup-l1 exit --key dev2.key --proof d3.json
expect_err "not this key's account"
jq -c '.balance = 99999' d3.json > forged-balance.json
expect_status 1 rollup-l1 exit --key dev3.key --proof forged-balance.json
expect_err "leaf is not this account"
jq -c '.siblings[5] = .siblings[6]' d3.json > forged-path.json
expect_status 1 rollup-l1 exit --key dev3.key --proof forged-path.json
expect_err "does not lead to the last verified root"
expect_status 3 rollup-l1 exit --key dev3.key --proof <(echo '{"kind":"account","v":1}')
expect_status 0 rollup-l1 exit --key dev3.key --proof d3.json
expect_eq "$(jq .amount "$WORK/out")" 1000
# Exits are only for a frozen contract.
rollup-l1 --db live.db init --dev --sequencer-key seq.key --dev-accounts 4 -q
expect_status 1 rollup-l1 --db live.db exit --key dev3.key --proof d3.json
expect_err "not frozen"
echo ok
