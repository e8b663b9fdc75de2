# A tx is signed for one rollup, named by chain id AND namespace: the same signed tx offered to
# another rollup of the same chain executes only in its own (Hardening 11).
source "$(dirname "$0")/lib.bash"
SEQ=$(rollup-keygen -o seq.key)
ALICE=$(rollup-keygen -o alice.key --dev 1)
BOB=$(rollup-keygen -o bob.key --dev 2)
for ns in 1 2; do
  rollup-l1 --db ns$ns.db init --sequencer-key seq.key --chain-id 1 --namespace $ns -q
  rollup-l1 --db ns$ns.db fund --to "$ALICE" --amount 1000
  rollup-l1 --db ns$ns.db deposit --key alice.key --amount 100 >/dev/null
  # Block 1 carries the deposit, so alice's account exists and her next nonce is 0 in both.
  rollup-seq --db ns$ns.db --key seq.key < /dev/null | rollup-submit --db ns$ns.db | rollup-exec --db ns$ns.db >/dev/null
done

# The transfer receipts of the last block rollup-exec printed (in $WORK/out).
transfers() { jq -s -c '[.[] | select(.kind == "exec")] | last | [.receipts[] | select(.type == "transfer") | [.status, .reason // empty]]' "$WORK/out"; }

# rollup-tx takes the namespace from the contract, as it does the chain id.
rollup-tx --db ns1.db transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 > tx.ndjson
expect_eq "$(jq -c '[.v, .chain_id, .namespace]' tx.ndjson)" "[2,1,1]" "the tx names its rollup"

# Its own rollup executes it.
expect_pipeline_status 0 "rollup-seq --db ns1.db --key seq.key tx.ndjson | rollup-submit --db ns1.db | rollup-exec --db ns1.db"
expect_eq "$(transfers)" '[["ok"]]' "own rollup"

# The other rollup's sequencer refuses the tx as it stands: it is for another namespace.
expect_status 3 rollup-seq --db ns2.db --key seq.key tx.ndjson
expect_err "namespace: 1 is not this rollup's namespace 2"
# Relabelled with the other rollup's namespace, it is sequenced, but its signature does not
# cover that namespace: bad_signature, and alice keeps her funds there.
jq -c '.namespace = 2' tx.ndjson > relabelled.ndjson
expect_pipeline_status 0 "rollup-seq --db ns2.db --key seq.key relabelled.ndjson | rollup-submit --db ns2.db | rollup-exec --db ns2.db"
expect_eq "$(transfers)" '[["failed","bad_signature"]]' "replayed in the other rollup"
expect_eq "$(sqlite3 ns2.db "SELECT balance, nonce FROM state_accounts WHERE hex(pubkey) = upper('${ALICE#0x}')")" \
  "100|0" "alice's account in the other rollup"

# Signed for the other rollup with --namespace (offline: no state file), it executes there.
ROLLUP_DB=none.db rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 --chain-id 1 --namespace 2 > tx2.ndjson
expect_pipeline_status 0 "rollup-seq --db ns2.db --key seq.key tx2.ndjson | rollup-submit --db ns2.db | rollup-exec --db ns2.db"
expect_eq "$(transfers)" '[["ok"]]' "signed for ns 2"
expect_status 2 env ROLLUP_DB=none.db rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 --chain-id 1
expect_err "give --namespace"

# A version 1 tx line (it signed no namespace) is bad input, with a message that says what to do.
jq -c '.v = 1 | del(.namespace)' tx.ndjson > v1.ndjson
expect_status 3 rollup-seq --db ns1.db --key seq.key v1.ndjson
expect_err "tx version 1 is no longer accepted .*sign the tx again with rollup-tx"
# A tx line without its namespace is bad input too.
jq -c 'del(.namespace)' tx.ndjson > bare.ndjson
expect_status 3 rollup-seq --db ns1.db --key seq.key bare.ndjson
expect_err "namespace"
