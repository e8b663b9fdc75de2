# rollup-verify over blocks the contract has not committed: it takes them from the stream, so it
# must check them as the contract would (Hardening 12b): a block whose sequencer signature is bad
# makes the proof over it invalid, with a verdict and exit 1.
source "$(dirname "$0")/lib.bash"
setup_rollup
# A copy of the contract before any block: its verifier has only the stream's blocks.
sqlite3 "$ROLLUP_DB" "VACUUM INTO 'before.db'"
{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2 --nonce 0
  rollup-tx transfer --key alice.key --to "$BOB" --amount 100 --fee 1 --nonce 1
} > txs.ndjson
rollup-seq --key seq.key --max-txs 1 < txs.ndjson | rollup-submit > blocks.ndjson
rollup-exec blocks.ndjson | rollup-prove | jq -c 'select(.kind == "proof")' > proofs.ndjson
expect_eq "$(wc -l < proofs.ndjson | tr -d ' ')" 2 "two proofs"
# Block lines then proof lines, as a verifier downstream of the sequencer sees them.
jq -c 'del(.l1)' blocks.ndjson > stream-blocks.ndjson
cat stream-blocks.ndjson proofs.ndjson > honest.ndjson

expect_status 0 rollup-verify --db before.db honest.ndjson
expect_eq "$(jq -r 'select(.kind == "verdict") | [.height, .valid] | @tsv' "$WORK/out" | paste -sd' ')" "1	true 2	true"

# Block 2's signature flipped: the block line still parses (its hash is intact), the proof over it
# is invalid, and block 1 stays valid.
python3 - <<'PY'
import json
lines = [json.loads(l) for l in open("stream-blocks.ndjson")]
sig = bytearray(bytes.fromhex(lines[1]["sig"][2:])); sig[5] ^= 0x01
lines[1]["sig"] = "0x" + sig.hex()
with open("forged.ndjson", "w") as f:
    for l in lines: f.write(json.dumps(l, separators=(",", ":")) + "\n")
PY
cat forged.ndjson proofs.ndjson > forged-stream.ndjson
expect_status 1 rollup-verify --db before.db forged-stream.ndjson
expect_eq "$(jq -r 'select(.kind == "verdict") | [.height, .valid] | @tsv' "$WORK/out" | paste -sd' ')" "1	true 2	false"
expect_eq "$(jq -r 'select(.kind == "verdict" and .height == 2) | .reason' "$WORK/out")" \
  "the stream's block is not signed by the contract's sequencer"
expect_err "the proof of block 2 is invalid: the stream's block is not signed by the contract's sequencer"

# Where the contract committed the height, the stream's block must be the committed one, and
# signed: the forged signature is refused there too, and an honest stream verifies.
expect_status 1 rollup-verify forged-stream.ndjson
expect_err "the proof of block 2 is invalid: the stream's block is not signed"
expect_status 0 rollup-verify honest.ndjson
