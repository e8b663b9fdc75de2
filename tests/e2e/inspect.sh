# rollup-inspect: explains every kind of line a pipeline writes and the stored block, proof and
# account, with checks that hold for honest objects and fail (exit 1) for tampered ones; bad input
# is exit 3 naming the line and the field, a wrong command line exit 2.
source "$(dirname "$0")/lib.bash"
setup_rollup
{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2 --nonce 0
  rollup-tx transfer --key alice.key --to "$BOB" --amount 100 --fee 1 --nonce 7   # fails: bad_nonce
} > txs.ndjson
rollup-seq --key seq.key --max-txs 1 < txs.ndjson | rollup-submit > blocks.ndjson
rollup-exec blocks.ndjson | rollup-prove > proved.ndjson
rollup-submit < proved.ndjson > submitted.ndjson
jq -c 'select(.kind == "proof")' proved.ndjson | rollup-verify > verdicts.ndjson

# Stream lines need no state file: the tx's own signature and signed bytes.
head -1 txs.ndjson > tx.ndjson
expect_status 0 env -u ROLLUP_DB rollup-inspect tx.ndjson
expect_out '^tx 0x[0-9a-f]{16}…: transfer 250 \(fee 2\)'
expect_out 'signed message +119 bytes, 0x726f6c6c75702d746f6f6c733a74783a7632'
expect_out '^    holds  signature'
expect_status 0 env -u ROLLUP_DB rollup-inspect --json tx.ndjson
expect_eq "$(jq -r '.signed_message | length' "$WORK/out")" 240 "119 bytes of message in hex"
expect_eq "$(jq -r '[.message_bytes[].length] | add' "$WORK/out")" 119 "the fields cover the message"
expect_eq "$(jq -r '.holds' "$WORK/out")" true

# A tx whose amount was changed after signing: the signature fails, exit 1, the explanation printed.
sed 's/"amount":250/"amount":251/' tx.ndjson > forged-tx.ndjson
expect_status 1 rollup-inspect --json forged-tx.ndjson
expect_eq "$(jq -r '.checks[] | select(.check == "signature") | .outcome' "$WORK/out")" fails
expect_err '1 of 1 explanation has a failed check'

# Blocks as rollup-submit echoes them, against the contract: signer, commitment, parent, deposits.
expect_status 0 rollup-inspect --db "$ROLLUP_DB" --json blocks.ndjson
expect_eq "$(jq -r '[.height, (.checks | map(.check + "=" + .outcome) | join(","))] | @tsv' "$WORK/out" | paste -sd' ')" \
  "1	hash=holds,sequencer_signature=holds,committed=holds,deposits=holds 2	hash=holds,sequencer_signature=holds,committed=holds,parent=holds"
expect_eq "$(jq -r 'select(.height == 1) | .deposits_consumed[0].amount' "$WORK/out")" 10000
# The second block's signature flipped: still a parseable block, but not the sequencer's.
python3 - <<'PY'
import json
b = json.loads(open("blocks.ndjson").readlines()[1])
sig = bytearray(bytes.fromhex(b["sig"][2:])); sig[7] ^= 1
b["sig"] = "0x" + sig.hex()
open("forged-block.ndjson", "w").write(json.dumps(b, separators=(",", ":")) + "\n")
PY
expect_status 1 rollup-inspect --db "$ROLLUP_DB" forged-block.ndjson
expect_out '^    fails  sequencer signature  block 2: bad sequencer signature'

# Exec and proof lines: receipts in words; parameters, sections and public inputs; each verified.
expect_status 0 rollup-inspect --db "$ROLLUP_DB" proved.ndjson
expect_out 'transfer 100 \(fee 1\) from 0x[0-9a-f]{16}… to 0x[0-9a-f]{16}…, nonce 7: failed, bad_nonce'
expect_out '^    holds  verifies +the STARK and every claim verify'
expect_status 0 rollup-inspect --db "$ROLLUP_DB" --json proved.ndjson
jq -c 'select(.object == "proof")' "$WORK/out" > proofs.json
expect_eq "$(jq -r '[.stark_parameters.blowup, .stark_parameters.queries, .stark_parameters.security_bits] | @tsv' proofs.json | sort -u)" \
  "8	29	103" "pinned parameters"
expect_eq "$(jq -r '([.sections[].bytes] | add) == .size' proofs.json | sort -u)" true "the sections add up to the size"
expect_eq "$(jq -r '.public_inputs.post_root == .post_root' proofs.json | sort -u)" true
# Verdicts and the contract's receipts.
expect_status 0 rollup-inspect --db "$ROLLUP_DB" verdicts.ndjson submitted.ndjson
expect_out '^verdict on the proof of block 2: valid, 103 bits'
expect_out '^the contract verified the root 0x[0-9a-f]{16}… at height 2'

# The golden streams, explained from their own content: the one tx with a broken signature is
# found, every receipt reads in words, the range proof covers both blocks.
golden=$ROLLUP_SRC/tests/data/golden
expect_status 1 env -u ROLLUP_DB rollup-inspect --json "$golden/txs.ndjson"
expect_eq "$(jq -r '.holds' "$WORK/out" | paste -sd' ')" "true true true true true true false"
expect_status 0 env -u ROLLUP_DB rollup-inspect --json "$golden/blocks.ndjson" "$golden/exec.ndjson"
expect_eq "$(jq -r 'select(.object == "exec") | .receipts[] | select(.status == "failed") | .reason' "$WORK/out" | paste -sd' ')" \
  "self_transfer bad_nonce insufficient_balance bad_signature"
expect_out 'withdraw 30 \(fee 3\) from 0x[0-9a-f]{16}… to its own L1 account, nonce 0: applied'
jq -c '.prove_ms = 0' "$golden/proofs-range.ndjson" > range.ndjson
expect_status 0 env -u ROLLUP_DB rollup-inspect --json range.ndjson
expect_eq "$(jq -r '[.last_height, (.public_inputs.receipt_claims | length), .checks[2].outcome] | @tsv' "$WORK/out")" \
  "2	2	holds" "a range proof of two blocks"

# Stored items: the committed block, the stored proof, an account level by level.
expect_status 0 rollup-inspect block 2
expect_out '^block 2 by sequencer'
expect_out '^  record '
expect_status 0 rollup-inspect proof 1 --json
expect_eq "$(jq -r '.height' "$WORK/out")" 1
expect_status 0 rollup-inspect account "$BOB" --json
expect_eq "$(jq -r '[.balance, (.levels | length), .levels[31].parent == .root] | @tsv' "$WORK/out")" "250	32	true"
expect_eq "$(jq -r '[.checks[].outcome] | join(",")' "$WORK/out")" "holds,holds,holds"
expect_status 0 rollup-inspect account --index 0 --height 1
expect_out '^account 0x[0-9a-f]{16}… \(index 0\): balance 9748, nonce 1, at height 1'
expect_status 1 rollup-inspect block 9
expect_err 'the contract holds no block at height 9 \(its height is 2\)'
expect_status 1 rollup-inspect proof 9
expect_err 'no stored proof covers height 9'

# An account line from rollup-query, then with one sibling changed: the path misses the root.
rollup-query --check "$BOB" > account.ndjson
expect_status 0 rollup-inspect --db "$ROLLUP_DB" account.ndjson
jq -c '.siblings[0] = .siblings[1]' account.ndjson > bent.ndjson
expect_status 1 rollup-inspect --db "$ROLLUP_DB" bent.ndjson
expect_out '^    fails  path +the leaf and the siblings hash to 0x'

# Bad input names the line and the field; --keep-going goes on and still exits 3.
printf '%s\n' '{"kind":"tx","v":2,"type":"transfer","chain_id":1}' > bad.ndjson
expect_status 3 rollup-inspect bad.ndjson
expect_err '^rollup-inspect: bad.ndjson:1: tx.namespace'
cat tx.ndjson > mixed.ndjson
echo '{"kind":"l1.status","v":1}' >> mixed.ndjson
cat tx.ndjson >> mixed.ndjson
expect_status 3 rollup-inspect --keep-going mixed.ndjson
expect_err 'mixed.ndjson:2: kind "l1.status" is not one rollup-inspect explains'
expect_eq "$(grep -c '^tx ' "$WORK/out")" 2 "both txs explained around the bad line"

# The command line: usage errors are exit 2; --help teaches with examples.
expect_status 2 rollup-inspect account
expect_err 'give either PUBKEY or --index'
expect_status 2 rollup-inspect block 1 blocks.ndjson
expect_status 2 rollup-inspect block 0
expect_status 4 rollup-inspect --db missing.db tx.ndjson
expect_status 0 rollup-inspect --help
expect_out 'rollup-inspect account 0x… --height 2'
echo "inspect: ok"
