# A rollup of ECgFp5 Schnorr accounts end to end (issue #10): init with --sig-scheme ecgfp5,
# keygen, deposits, transfers to new and existing keys, a tampered signature (a bad_signature
# receipt, proven), seq | submit | exec | prove | submit, the contract's verified root, an account
# queried and checked against it; and Ed25519 keys and txs refused by this rollup.
source "$(dirname "$0")/lib.bash"

SEQ=$(rollup-keygen -o seq.key)
ALICE=$(rollup-keygen --scheme ecgfp5 -o alice.key)
BOB=$(rollup-keygen --scheme ecgfp5 -o bob.key)
CAROL=$(rollup-keygen --scheme ecgfp5 -o carol.key)
FEES=$(rollup-keygen --scheme ecgfp5 -o fees.key)
ED=$(rollup-keygen -o ed.key)
expect_eq "${#ALICE}" 82 "an ecgfp5 public key is 40 bytes"
expect_eq "$(jq -r .scheme alice.key)" ecgfp5
expect_eq "$(jq -r '.scheme // "none"' ed.key)" none
expect_eq "$(rollup-keygen --show alice.key)" "$ALICE"
# Dev keys of either scheme come from the same seeds, and differ.
DEV1=$(rollup-keygen --scheme ecgfp5 --dev 1 -o dev1.key)
expect_eq "$(rollup-keygen --scheme ecgfp5 --dev 1 -o dev1b.key)" "$DEV1"
expect_status 2 rollup-keygen --scheme ed448 -o x.key
expect_err "unknown signature scheme"

expect_status 2 rollup-l1 init --sequencer-key seq.key --sig-scheme rsa
expect_err "unknown signature scheme"
rollup-l1 init --sequencer-key seq.key --chain-id 7 --namespace 3 --sig-scheme ecgfp5 -q
expect_status 0 rollup-l1 status
expect_eq "$(jq -r .sig_scheme "$WORK/out")" ecgfp5

rollup-l1 fund --to "$ALICE" --amount 100000
rollup-l1 fund --to "$ED" --amount 100
expect_status 0 rollup-l1 deposit --key alice.key --amount 10000
expect_eq "$(jq -r .to "$WORK/out")" "$ALICE"
rollup-l1 deposit --key alice.key --to "$BOB" --amount 500 >/dev/null
# An Ed25519 key is no account of this rollup: refused as a recipient and as a signer.
expect_status 2 rollup-l1 deposit --key alice.key --to "$ED" --amount 5
expect_err "32-byte ed25519 key, but this rollup's accounts are ecgfp5 keys of 40 bytes"
expect_status 2 rollup-l1 deposit --key ed.key --amount 5
expect_err "ecgfp5"
expect_status 2 rollup-tx transfer --key ed.key --to "$ALICE" --amount 1 --nonce 0
expect_err "an ed25519 key, but the rollup in .* takes ecgfp5 keys"
expect_status 2 rollup-tx transfer --key alice.key --to "$ED" --amount 1 --nonce 0
expect_err "--to: a 32-byte ed25519 key"
# The sequencer's own key cannot take an ecgfp5 rollup's fees.
expect_status 2 rollup-seq --key seq.key </dev/null
expect_err "fee recipient.*give --fee-recipient"
# A sequencer key must be Ed25519.
expect_status 3 rollup-l1 init --sequencer-key alice.key --db other.db
expect_err "needs an ed25519 key"

# Block 1: the deposits only. Block 2: transfers to an existing key (bob), to a new key (carol),
# a withdraw, a tampered signature and an Ed25519 tx signed offline for this chain.
SEQ_OPTS="--key seq.key --fee-recipient $FEES"
expect_pipeline_status 0 "rollup-seq $SEQ_OPTS </dev/null | rollup-submit | rollup-exec | rollup-prove | rollup-submit"
{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 250 --fee 2
  rollup-tx transfer --key alice.key --to "$CAROL" --amount 100 --fee 1 --nonce 1
  rollup-tx transfer --key alice.key --to "$BOB" --amount 7 --nonce 2 |
    jq -c '.sig = (.sig[0:100] + (if .sig[100:101] == "0" then "1" else "0" end) + .sig[101:])'
  rollup-tx withdraw --key bob.key --amount 50 --fee 1
} > txs.ndjson
expect_eq "$(jq -r .from txs.ndjson | awk '{print length}' | sort -u)" 82
expect_eq "$(jq -r .sig txs.ndjson | awk '{print length}' | sort -u)" 162
rollup-tx transfer --key ed.key --to "$SEQ" --amount 1 --nonce 0 --chain-id 7 --namespace 3 --db none.db > ed_tx.ndjson
# The sequencer refuses the Ed25519 tx as bad input (as a tx of another chain), then batches the rest.
expect_status 3 rollup-seq $SEQ_OPTS ed_tx.ndjson
expect_err "tx.from: a 32-byte ed25519 key, but this rollup's accounts are ecgfp5 keys of 40 bytes"
expect_pipeline_status 0 "rollup-seq $SEQ_OPTS < txs.ndjson > blocks.ndjson"
expect_eq "$(jq '.namespaces[0].txs | length' blocks.ndjson)" 4
expect_pipeline_status 0 "rollup-submit < blocks.ndjson | rollup-exec | tee exec.ndjson | rollup-prove | tee proven.ndjson | rollup-submit"
expect_eq "$(jq -r 'select(.kind == "exec") | [.receipts[].status] | join(" ")' exec.ndjson)" "ok ok failed ok"
expect_eq "$(jq -r 'select(.kind == "exec") | .receipts[2].reason' exec.ndjson)" bad_signature
# The proof carries the signatures' SchnorrAir proof (format version 8, docs/air.md §6.1), which
# hashes their challenges too, and the verifier and the contract check it instead of the signatures.
expect_eq "$(jq -r 'select(.kind == "proof") | .proof' proven.ndjson | base64 -d | od -An -tu1 -j4 -N1 | tr -d ' ')" 8
expect_status 0 rollup-verify proven.ndjson
expect_eq "$(jq -c 'select(.kind == "verdict") | [.height, .valid]' "$WORK/out")" "[2,true]"
expect_status 0 rollup-l1 status
expect_eq "$(jq -r .latest_root.height "$WORK/out")" 2
expect_eq "$(jq -r .latest_root.root "$WORK/out")" "$(jq -r 'select(.kind == "exec") | .post_root' exec.ndjson)"
expect_status 0 rollup-l1 withdrawals
expect_eq "$(jq -r '.account' "$WORK/out")" "$BOB"

# Queries: the new account carol, by its 40-byte key, checked against the contract's root.
expect_status 0 rollup-query "$CAROL" --check
expect_eq "$(jq -r '[.balance, .nonce, .check.valid] | @tsv' "$WORK/out")" "100	0	true"
expect_status 0 rollup-query "$BOB"
expect_eq "$(jq -r .balance "$WORK/out")" $((500 + 250 - 50 - 1))
expect_status 2 rollup-query "$ED"
expect_err "PUBKEY: a 32-byte ed25519 key"
expect_status 0 rollup-query "$FEES"
expect_eq "$(jq -r .balance "$WORK/out")" 4

# The fees of block 2 are spendable by the fee recipient's ecgfp5 key: a third block, proven.
rollup-tx transfer --key fees.key --to "$CAROL" --amount 3 > fee_tx.ndjson
expect_pipeline_status 0 "rollup-seq $SEQ_OPTS < fee_tx.ndjson | rollup-submit | rollup-exec | rollup-prove | rollup-submit"
expect_status 0 rollup-query "$CAROL" --check
expect_eq "$(jq -r '[.balance, .check.valid] | @tsv' "$WORK/out")" "103	true"

# rollup-inspect reads a version 3 tx: its 135-byte message cut into fields, the signature checked
# with the key's scheme; the tampered one fails.
expect_status 1 rollup-inspect --json txs.ndjson
expect_err "1 of 4 explanations have a failed check"
expect_eq "$(jq -r '.checks[] | select(.check == "signature") | .outcome' "$WORK/out" | paste -sd' ')" "holds holds fails holds"
expect_eq "$(jq -r '.message_bytes[4] | [.field, .offset, .length] | @tsv' "$WORK/out" | head -1)" "from	31	40"

# rollup-serve answers for a 40-byte key, and refuses a key of the other scheme.
start_server
expect_status 0 curl -sf -m 5 -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rollup_getAccount\",\"params\":[\"$CAROL\"]}" "$URL"
expect_eq "$(jq -r .result.balance "$WORK/out")" 103
expect_status 0 curl -s -m 5 -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rollup_getAccount\",\"params\":[\"$ED\"]}" "$URL"
expect_out "ed25519 key, but this rollup's accounts are ecgfp5"
stop_server

# A sequencer key given by hex must be Ed25519 too.
expect_status 2 rollup-l1 init --sequencer "$ALICE" --db other.db
expect_err "the sequencer key is 40 bytes: a sequencer signs blocks with an ed25519 key"
