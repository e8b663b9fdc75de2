# The contract's rules: next height, right parent, registered sequencer, deposit order, forced
# inclusion in L1 time (and the freeze anyone may call), equivocation evidence, idempotent
# re-submission, roots in order.
source "$(dirname "$0")/lib.bash"
# The embedded L1's clock stands still unless the test moves it.
T0=1700000000
export ROLLUP_L1_TIME=$T0
DEADLINE=1h setup_rollup

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
# Every claim of the line must match what the contract derives, as rollup-verify requires.
zero=0x0000000000000000000000000000000000000000000000000000000000000000
for edit in ".post_keys.root = \"$zero\"" ".post_keys.accounts += 1" ".pre_keys.accounts += 1" \
            ".pre_keys.root = \"$zero\"" ".pre_root = \"$zero\"" ".block_hash = \"$zero\""; do
  head -n1 proofs.ndjson | jq -c "$edit" > forged.ndjson
  expect_status 1 rollup-submit forged.ndjson
  expect_status 1 rollup-verify forged.ndjson
done
expect_eq "$(rollup-l1 roots | jq -c .height | paste -sd,)" "0"
expect_status 0 rollup-submit proofs.ndjson
expect_status 0 rollup-submit proofs.ndjson
expect_eq "$(rollup-l1 roots | jq -c '[.height, .status]' | paste -sd,)" '[0,"verified"],[1,"verified"],[2,"verified"]'
# A proof of block 1 offered as block 2's is refused.
expect_status 1 bash -c "head -n1 proofs.ndjson | jq -c '.height = 2' | rollup-submit"

# Forced inclusion, in L1 time. Blocks 3 and 4 are signed before a deposit exists (a backlog).
t2=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 1 --nonce 2)
t3=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 1 --nonce 3)
rollup-seq --key seq.key -q <<<"$t2" > b3.ndjson
rollup-seq --key seq.key -q <<<"$t3" > b4.ndjson
expect_status 0 rollup-l1 deposit --key alice.key --amount 10
expect_eq "$(jq .due_at "$WORK/out")" $((T0 + 3600)) "due one hour of L1 time after it was enqueued"
# Not overdue yet: nobody may freeze, and the backlog lands.
expect_status 1 rollup-l1 freeze
expect_err "no deposit is overdue"
ROLLUP_L1_TIME=$((T0 + 3600)) expect_status 0 rollup-submit b3.ndjson
# One second later it is overdue: a block that leaves it out is refused, without freezing.
export ROLLUP_L1_TIME=$((T0 + 3601))
expect_status 1 rollup-submit b4.ndjson
expect_err "leaves out deposit 1, overdue since L1 time $((T0 + 3600))"
expect_eq "$(rollup-l1 status | jq -c '[.frozen, .deposits_pending, .l1_time]')" "[false,1,$((T0 + 3601))]"
# The freeze is an explicit call anyone may make; the deposit goes back to alice.
before=$(rollup-l1 balances | jq -r "select(.account == \"$ALICE\") | .balance")
expect_status 0 rollup-l1 freeze
expect_err "contract frozen: deposit 1 was due"
expect_eq "$(rollup-l1 status | jq -c '[.frozen, .deposits_pending, .deposits_refunded]')" "[true,0,1]"
expect_eq "$(rollup-l1 balances | jq -r "select(.account == \"$ALICE\") | .balance")" $((before + 10))
expect_status 1 rollup-submit b4.ndjson
expect_err "frozen"
expect_status 1 rollup-l1 deposit --key alice.key --amount 1
expect_err "frozen"
expect_status 1 rollup-l1 freeze
expect_err "already frozen"
echo ok
