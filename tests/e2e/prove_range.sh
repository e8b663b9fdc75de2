# Range proofs end to end (docs/air.md §13): rollup-prove --range 3 proves blocks 1..3 and 4..5
# in two proofs, a trace budget splits a range, rollup-verify checks them (also through a stored range proof), the contract
# accepts them in order and holds roots at heights 3 and 5 only, the withdrawal of block 2 is
# payable, and rollup-query --check and the replay agree with the contract's roots.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2 --nonce 0
  rollup-tx withdraw --key alice.key --amount 50 --fee 1 --nonce 1
  rollup-tx transfer --key alice.key --to "$CAROL" --amount 100 --fee 1 --nonce 2
  rollup-tx transfer --key bob.key --to "$ALICE" --amount 999999 --fee 1 --nonce 0
  rollup-tx transfer --key bob.key --to "$CAROL" --amount 5 --nonce 0
} > txs.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 1 < txs.ndjson | rollup-submit | rollup-exec | rollup-prove --range 3 > proven.ndjson"
expect_eq "$(jq -r .kind proven.ndjson | paste -sd' ')" "exec exec exec proof exec exec proof"
expect_eq "$(jq -r 'select(.kind == "proof") | [.height, .last_height] | @tsv' proven.ndjson | paste -sd' ')" "1	3 4	5"
expect_eq "$(jq -r 'select(.kind == "exec" and (.height == 3 or .height == 5)) | .post_root' proven.ndjson)" \
  "$(jq -r 'select(.kind == "proof") | .post_root' proven.ndjson)"
expect_eq "$(jq -r 'select(.kind == "exec" and (.height == 1 or .height == 4)) | .pre_root' proven.ndjson)" \
  "$(jq -r 'select(.kind == "proof") | .pre_root' proven.ndjson)"
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT group_concat(height, " ") FROM proof_blocks')" "1 4"

# Idempotent: the stored range proofs are written again, with a notice.
jq -c 'select(.kind == "exec")' proven.ndjson > exec.ndjson
before=$(db_digest)
expect_status 0 rollup-prove --range 3 exec.ndjson
expect_err "blocks 1..3 are already proven"
expect_eq "$(jq -c 'select(.kind == "proof")' "$WORK/out")" "$(jq -c 'select(.kind == "proof")' proven.ndjson)"
expect_eq "$(db_digest)" "$before" "re-proving changed the state file"
# Other ranges than the stored ones are refused, not silently re-grouped.
expect_status 1 rollup-prove --range 2 exec.ndjson
expect_err "covers blocks 1..3"

# A range whose trace would exceed --max-trace-rows is proven in several proofs, each of the first
# blocks left that fit (block 1 alone takes 1,024 rows and goes ahead all the same); the contract
# takes them in order. On a copy of the file with no proof stored.
cp "$ROLLUP_DB" budget.db
sqlite3 budget.db 'DELETE FROM proof_blocks'
expect_status 0 rollup-prove --db budget.db --range 5 --max-trace-rows 512 exec.ndjson
expect_eq "$(jq -c 'select(.kind == "proof") | [.height, .last_height // .height]' "$WORK/out" | paste -sd' ')" "[1,1] [2,3] [4,5]"
expect_err "the range's trace would exceed --max-trace-rows: block 1 proven in one proof"
jq -c 'select(.kind == "proof")' "$WORK/out" > budget.ndjson
expect_status 0 rollup-submit --db budget.db budget.ndjson
expect_eq "$(rollup-l1 --db budget.db roots | jq -r .height | paste -sd' ')" "0 1 3 5"

# The verifier: both proofs; the second alone, trusted through the stored range proof below it.
expect_status 0 rollup-verify proven.ndjson
expect_eq "$(jq -c 'select(.kind == "verdict") | [.height, .last_height, .valid]' "$WORK/out" | paste -sd' ')" "[1,3,true] [4,5,true]"
jq -c 'select(.kind == "proof" and .height == 4)' proven.ndjson > second.ndjson
expect_status 0 rollup-verify second.ndjson
expect_eq "$(jq -c '[.height, .valid]' "$WORK/out")" "[4,true]"
# A range proof claimed for other heights, or with its bytes damaged, is invalid.
jq -c 'select(.kind == "proof" and .height == 1) | .last_height = 4' proven.ndjson > short.ndjson
expect_status 1 rollup-verify short.ndjson
expect_err "the proof of blocks 1..4 is invalid"
python3 - <<'PY'
import base64, json
l = json.loads(open("second.ndjson").read())
b = bytearray(base64.b64decode(l["proof"])); b[len(b) // 2] ^= 0x10
l["proof"] = base64.b64encode(bytes(b)).decode()
open("flipped.ndjson", "w").write(json.dumps(l, separators=(",", ":")) + "\n")
PY
expect_status 1 rollup-verify flipped.ndjson

# The contract: the second range before the first is refused; a damaged proof is refused; the
# honest ones are accepted in order, with roots at their last heights only.
jq -c 'select(.kind == "proof")' proven.ndjson > proofs.ndjson
expect_status 1 rollup-submit second.ndjson
expect_err "a proof for height 4 before height 1"
expect_status 1 rollup-submit short.ndjson   # blocks 1..4 claimed for a proof of 1..3
jq -c 'select(.kind == "proof" and .height == 1)' proven.ndjson > first.ndjson
expect_status 0 rollup-submit first.ndjson
expect_eq "$(jq -c '[.height]' "$WORK/out")" "[3]"
expect_status 1 rollup-submit flipped.ndjson
expect_status 0 rollup-submit proofs.ndjson   # the first again: the same root; then the second
expect_eq "$(rollup-l1 roots | jq -r '[.height, .status] | @tsv' | paste -sd' ')" "0	verified 3	verified 5	verified"
expect_eq "$(rollup-l1 withdrawals | jq -c '[.height, .amount, .status]')" '[2,50,"payable"]'
# The last verified root (height 5) answers rollup-query --check; the replay agrees with the contract.
expect_status 0 rollup-query --check --index 0
expect_eq "$(jq -c '[.height, .check.height, .check.status, .check.valid]' "$WORK/out")" '[5,5,"verified",true]'
expect_status 0 "$ROLLUP_SRC/scripts/replay" "$ROLLUP_DB" "$WORK/replayed.db"
echo ok
