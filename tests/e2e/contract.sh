# The contract's rules: next height, right parent, registered sequencer, deposit order, forced
# inclusion (freeze), equivocation evidence, idempotent re-submission, roots in order.
source "$(dirname "$0")/lib.bash"
DEADLINE=1 setup_rollup

t0=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0)
t1=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 6 --nonce 1)
rollup-seq --key seq.key --max-txs 1 <<<"$t0"$'\n'"$t1" > blocks.ndjson
expect_eq "$(wc -l < blocks.ndjson)" 2
expect_eq "$(head -n1 blocks.ndjson | jq '.deposits | length')" 1 "the pending deposit is in the first block"
# A copy from before anything reached the contract, to sign a competing block 2 later.
sqlite3 "$ROLLUP_DB" "VACUUM INTO '$WORK/fork.db'"

# Block 2 before block 1: refused.
expect_status 1 bash -c "tail -n1 blocks.ndjson | rollup-submit"
expect_err "block height 2 is not the next height 1"
expect_status 0 rollup-submit blocks.ndjson
# Again: a no-op with a notice, echoed.
expect_status 0 rollup-submit blocks.ndjson
expect_err "already committed"
expect_eq "$(wc -l < "$WORK/out")" 2

# Another sequencer key signs a block at height 3: refused.
other=$(rollup-keygen -o other.key)
rollup-l1 --db other.db init --sequencer-key other.key -q
rollup-seq --db other.db --key other.key --timestamp 1 <<<"$t0" > other.ndjson
# Its block 1 is refused for its signer, and is no evidence of equivocation either.
expect_status 1 rollup-submit other.ndjson
expect_err "not the registered sequencer"
expect_eq "$(rollup-l1 status | jq .equivocations)" 0

# Equivocation: a second, different block 2 signed by the registered sequencer (from the copy,
# whose log is cut back to block 1: the sequencer itself never signs two blocks at a height).
sqlite3 fork.db "DELETE FROM seq_log WHERE height = 2"
t1b=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 7 --nonce 1)
rollup-seq --db fork.db --key seq.key -q <<<"$t1b" | tail -n1 > fork.ndjson
expect_eq "$(jq .height fork.ndjson)" 2
expect_status 1 rollup-submit fork.ndjson
expect_err "equivocation"
expect_eq "$(rollup-l1 status | jq .equivocations)" 1
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT count(*) FROM l1_equivocations WHERE height = 2')" 1
# The sequencer on the real file never builds beside the contract's chain: even with its log
# cut back, its next block is 3.
sqlite3 "$ROLLUP_DB" "VACUUM INTO '$WORK/cut.db'"
sqlite3 cut.db "DELETE FROM seq_log WHERE height = 2"
expect_eq "$(rollup-seq --db cut.db --key seq.key <<<"$t1b" | jq .height)" 3

# Roots come only with proofs: an exec line passes through the contract untouched; a proof for
# height 2 before height 1 is refused; in order they are accepted; the same proof again is a no-op.
rollup-exec blocks.ndjson > exec.ndjson
expect_status 0 rollup-submit exec.ndjson
expect_eq "$(cat "$WORK/out")" "$(cat exec.ndjson)"
expect_eq "$(rollup-l1 roots | jq -c .height | paste -sd,)" "0"
rollup-prove < exec.ndjson | jq -c 'select(.kind == "proof")' > proofs.ndjson
expect_status 1 bash -c "tail -n1 proofs.ndjson | rollup-submit"
expect_err "a proof for height 2 before height 1"
expect_status 0 rollup-submit proofs.ndjson
expect_status 0 rollup-submit proofs.ndjson
expect_eq "$(rollup-l1 roots | jq -c '[.height, .status]' | paste -sd,)" '[0,"verified"],[1,"verified"],[2,"verified"]'
# A proof of block 1 offered as block 2's is refused.
expect_status 1 bash -c "head -n1 proofs.ndjson | jq -c '.height = 2' | rollup-submit"

# Forced inclusion: a deposit enqueued at height 2 with deadline 1 must be in block 3.
rollup-l1 deposit --key alice.key --amount 10 > dep.json
expect_eq "$(jq .deadline dep.json)" 3
# A block 3 that leaves it out (made by hand: the honest sequencer always includes it).
sqlite3 "$ROLLUP_DB" "DELETE FROM l1_deposits WHERE idx = 1"
t2=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 1 --nonce 2)
rollup-seq --key seq.key <<<"$t2" > b3.ndjson
sqlite3 "$ROLLUP_DB" "INSERT INTO l1_deposits(idx, l1_from, l2_to, amount, deadline, enqueued_at) VALUES (1, X'$(jq -r .from dep.json | cut -c3-)', X'$(jq -r .to dep.json | cut -c3-)', 10, 2, 'now')"
# Block 3 skipped the deposit whose deadline (2) is below its height: refused, contract frozen.
expect_status 1 rollup-submit b3.ndjson
expect_err "missed its deadline"
expect_eq "$(rollup-l1 status | jq .frozen)" true
expect_status 1 rollup-l1 deposit --key alice.key --amount 1
expect_err "frozen"
echo ok
