# Proofs end to end: rollup-prove after the executor, rollup-verify's verdicts and exit statuses,
# idempotent proving, tampered proof lines, the trust chain through stored proofs, the contract.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2 --nonce 0
  rollup-tx transfer --key alice.key --to "$CAROL" --amount 100 --fee 1 --nonce 1
  rollup-tx withdraw --key alice.key --amount 50 --fee 1 --nonce 2
  rollup-tx transfer --key bob.key --to "$ALICE" --amount 999999 --fee 1 --nonce 0
  rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0
} > txs.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 2 < txs.ndjson | rollup-submit | rollup-exec | rollup-prove | tee proven.ndjson | rollup-verify"
expect_eq "$(jq -r 'select(.kind == "verdict") | [.height, .valid] | @tsv' "$WORK/out" | paste -sd' ')" "1	true 2	true 3	true"
expect_eq "$(jq -r 'select(.kind == "verdict") | .security_bits >= 100' "$WORK/out" | sort -u)" true
expect_eq "$(jq -r '.kind' "$WORK/out" | sort | uniq -c | awk '{print $2 $1}' | paste -sd' ')" "exec3 verdict3"
# Each exec line passes through with its proof right after it, and the proof proves its roots.
expect_eq "$(jq -r .kind proven.ndjson | paste -sd' ')" "exec proof exec proof exec proof"
expect_eq "$(jq -r 'select(.kind == "exec") | .post_root' proven.ndjson)" "$(jq -r 'select(.kind == "proof") | .post_root' proven.ndjson)"
expect_eq "$(jq -r 'select(.kind == "proof") | .post_keys.accounts' proven.ndjson | paste -sd' ')" "4 4 4"
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT count(*) FROM proof_blocks')" 3

# Idempotent: proofs already stored are written again, with a notice, not recomputed.
jq -c 'select(.kind == "exec")' proven.ndjson > exec.ndjson
before=$(db_digest)
expect_status 0 rollup-prove exec.ndjson
expect_err "block 1 is already proven"
expect_eq "$(jq -c 'select(.kind == "proof")' "$WORK/out")" "$(jq -c 'select(.kind == "proof")' proven.ndjson)"
expect_eq "$(db_digest)" "$before" "re-proving changed the state file"
# The LDE cache is a number of MiB or auto, from the option or the environment.
expect_status 0 rollup-prove --lde-cache auto exec.ndjson
expect_status 2 rollup-prove --lde-cache lots exec.ndjson
expect_err "--lde-cache \\(MiB or auto\\)"
ROLLUP_LDE_CACHE=-3 expect_status 2 rollup-prove exec.ndjson

# A fresh verifier trusts block 3's pre-state only through the stored proofs below it.
jq -c 'select(.kind == "proof" and .height == 3)' proven.ndjson > third.ndjson
expect_status 0 rollup-verify third.ndjson
expect_eq "$(jq -c '[.height, .valid]' "$WORK/out")" "[3,true]"

# Tampered proof lines: a verdict for every proof, exit 1. (Block 3 stays valid: the stored proof
# of block 2 vouches for its pre-state when the stream's copy does not.)
jq -c 'select(.kind == "proof")' proven.ndjson > proofs.ndjson
python3 - <<'EOF'
import base64, json
lines = [json.loads(l) for l in open("proofs.ndjson")]
def write(name, edit):
    out = [dict(l) for l in lines]
    edit(out)
    with open(name, "w") as f:
        for l in out:
            f.write(json.dumps(l, separators=(",", ":")) + "\n")
def flip(l, at):
    b = bytearray(base64.b64decode(l["proof"])); b[at] ^= 0x10
    l["proof"] = base64.b64encode(bytes(b)).decode()
write("flipped.ndjson", lambda o: flip(o[1], len(base64.b64decode(o[1]["proof"])) // 2))
write("header.ndjson", lambda o: flip(o[1], 9))
def other_root(o): o[1]["post_root"] = o[0]["post_root"]
write("root.ndjson", other_root)
def swap(o): o[0], o[1] = o[1], o[0]
write("swapped.ndjson", swap)
EOF
for f in flipped header root; do
  expect_status 1 rollup-verify $f.ndjson
  expect_eq "$(jq -r '[.height, .valid] | @tsv' "$WORK/out" | paste -sd' ')" "1	true 2	false 3	true" "$f"
  expect_err "the proof of block 2 is invalid"
done
expect_status 0 rollup-verify swapped.ndjson   # block 2 first: the stored proof of block 1 vouches for its pre-state
expect_eq "$(jq -r '.valid' "$WORK/out" | paste -sd' ')" "true true true"  # ...but the stored chain vouches
# The contract, through rollup-submit, refuses the tampered proof and accepts the honest ones.
expect_status 1 rollup-submit flipped.ndjson
expect_status 0 rollup-submit proofs.ndjson
expect_eq "$(rollup-l1 roots | jq -r .status | sort -u)" verified

# Bad input: not a proof line.
echo '{"kind":"proof","v":1,"height":1}' > broken.ndjson
expect_status 3 rollup-verify broken.ndjson
echo ok
