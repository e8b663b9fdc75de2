# Every class of bad input: one clear `prog: FILE:LINE: message`, the documented exit status,
# and a state file left as it was.
source "$(dirname "$0")/lib.bash"
setup_rollup
# Settle the pending deposit first, so that no stage below has anything of its own to flush.
rollup-seq --key seq.key </dev/null | rollup-submit | rollup-exec | rollup-prove | rollup-submit >/dev/null
good=$(rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0)
before=$(db_digest)

check_bad() {  # check_bad TOOL 'input text' REGEX
  local tool=$1 input=$2 regex=$3
  expect_status 3 bash -c "printf '%s\n' \"\$1\" | $tool" _ "$input"
  expect_err "^${tool%% *}: -:[0-9]+: .*$regex"
  [ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "$tool printed more than one diagnostic line"
}

for tool in "rollup-seq --key seq.key" rollup-submit rollup-exec; do
  name=${tool%% *}
  check_bad "$tool" '{"kind":"tx","v":1,' "invalid json"
  check_bad "$tool" '[1,2,3]' "JSON object"
  check_bad "$tool" '{"v":1}' "kind"
  check_bad "$tool" '{"kind":"tx","v":9}' "version"
done

# Field rules (the sequencer is the stage that reads txs)
mutate() { jq -c "$1" <<<"$good"; }
check_bad "rollup-seq --key seq.key" "$(mutate '.amount = 0')" "amount: must be at least 1"
check_bad "rollup-seq --key seq.key" "$(mutate '.amount = 9007199254740992')" "amount: must be below 2\^53"
check_bad "rollup-seq --key seq.key" "$(mutate '.fee = 9007199254740992')" "fee: must be below 2\^53"
check_bad "rollup-seq --key seq.key" "$(mutate '.amount = -1')" "amount: must not be negative"
check_bad "rollup-seq --key seq.key" "$(mutate '.amount = "5"')" "amount: must be an unsigned integer"
check_bad "rollup-seq --key seq.key" "$(mutate 'del(.nonce)')" "nonce: missing"
check_bad "rollup-seq --key seq.key" "$(mutate '.to = "0x1234"')" "to: hex must be 32 or 40 bytes"
check_bad "rollup-seq --key seq.key" "$(mutate '.sig = "0xZZ"')" "sig: hex"
check_bad "rollup-seq --key seq.key" "$(mutate '.from = "abcd"')" "from: hex must start with 0x"
check_bad "rollup-seq --key seq.key" "$(mutate '.memo = "x"')" "memo: unknown field"
check_bad "rollup-seq --key seq.key" "$(mutate '.type = "mint"')" "type"
check_bad "rollup-seq --key seq.key" "$(mutate '.chain_id = 2')" "chain_id: 2 is not this rollup's chain id 1"

# A block whose tx list was tampered with (hash mismatch) is bad input for submit and exec.
rollup-seq --key seq.key <<<"$good" > block.ndjson
sqlite3 "$ROLLUP_DB" "DELETE FROM seq_log"    # forget it: this block is only test material
before=$(db_digest)
tampered=$(jq -c '.namespaces[0].txs[0].amount = 6' block.ndjson)
check_bad rollup-submit "$tampered" "tx_hash: does not match"
check_bad rollup-exec "$tampered" "tx_hash: does not match"
# A bad sequencer signature: a well-formed block the contract rejects (exit 1).
badsig=$(jq -c '.sig = ("0x" + ("00" * 64))' block.ndjson)
expect_status 1 bash -c "rollup-submit <<<'$badsig'"
expect_err "^rollup-submit: -:1: block 2: bad sequencer signature"
# A tx with a bad signature is a failed receipt, not bad input: see the pipeline test.

# A line of several MB, not JSON: one error, exit 3.
head -c 6000000 /dev/zero | tr '\0' 'x' > big.txt
echo >> big.txt
expect_status 3 rollup-submit big.txt
expect_err "^rollup-submit: big.txt:1: invalid json"
# A valid but huge JSON line of the wrong shape.
{ printf '{"kind":"block","v":1,"pad":"'; head -c 5000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; } > bigjson.txt
expect_status 3 rollup-submit bigjson.txt
expect_err "^rollup-submit: bigjson.txt:1: block.height: missing"

expect_eq "$(db_digest)" "$before" "bad input changed the state file"

# An empty stream: nothing to do, success, nothing written.
for tool in rollup-submit rollup-exec; do
  expect_status 0 $tool </dev/null
  expect_eq "$(wc -c < "$WORK/out")" 0
done

# --keep-going reports every bad line, processes the good ones, still exits 3.
printf '%s\n' 'nonsense' "$good" '{"kind":"tx","v":1}' > mixed.ndjson
expect_status 3 rollup-seq --key seq.key --keep-going mixed.ndjson
expect_eq "$(grep -c 'mixed.ndjson:' "$WORK/err")" 2
expect_eq "$(jq -r .kind "$WORK/out")" block

# Other kinds pass through untouched.
expect_status 0 bash -c "echo '{\"kind\":\"note\",\"v\":1,\"x\":[1,2]}' | rollup-exec | rollup-submit"
expect_eq "$(cat "$WORK/out")" '{"kind":"note","v":1,"x":[1,2]}'

# Usage errors exit 2.
expect_status 2 rollup-seq
expect_status 2 rollup-tx transfer --key alice.key --amount 5
expect_status 2 rollup-query --check
expect_status 2 rollup-exec --no-such-option
echo ok
