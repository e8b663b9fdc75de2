# Clients that do not trust the server (step 8): rollup-query --rpc --check and rollup-verify
# --rpc hold a rollup-serve's answers to the contract in their own state file, and catch a server
# whose state is not the contract's, or whose proof was tampered with; rollup-bisect --rpc finds
# where a server's history parts from a state file's.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

# Three verified blocks of two transfers each, alice's deposit in the first.
for n in $(seq 0 5); do rollup-tx transfer --key alice.key --to "$BOB" --amount $((10 + n)) --fee 1 --nonce "$n"; done > txs.ndjson
rollup-seq --key seq.key --max-txs 2 < txs.ndjson | rollup-submit | rollup-exec | rollup-prove | rollup-submit >/dev/null
expect_eq "$(rollup-l1 status | jq -c '[.height, .latest_root.height]')" '[3,3]' "blocks committed and verified"

# --- an honest server --------------------------------------------------------------------------
start_server
expect_status 0 rollup-query --rpc "$URL" --check "$BOB"
expect_eq "$(jq -c '[.balance, .height, .check.valid]' "$WORK/out")" '[75,3,true]' "bob, checked"
expect_status 0 rollup-query --rpc "$URL" "$BOB"
expect_err "not checked"
# Without --check no state file is needed; with it, the contract comes from --db.
expect_status 0 rollup-query --db "$WORK/none.db" --rpc "$URL" --height 1 "$BOB"
expect_eq "$(jq -c '[.balance, .height]' "$WORK/out")" '[21,1]'
expect_status 4 rollup-query --db "$WORK/none.db" --rpc "$URL" --check "$BOB"
expect_status 1 rollup-query --rpc "$URL" "$CAROL"
expect_err "no account"
expect_status 0 rollup-verify --rpc "$URL" 2 3
expect_eq "$(jq -c '[.height, .valid]' "$WORK/out" | paste -sd' ')" '[2,true] [3,true]'
expect_status 0 rollup-bisect --rpc "$URL"
expect_eq "$(jq -c '[.diverged, .b.height, .b.db == "'"$URL"'"]' "$WORK/out")" '[false,3,true]'
stop_server

# --- a server whose executor applied another block 3 (alice's last tx to carol, not bob) -------
# Its answers agree with its own roots, and not with the contract's.
mkdir other
( cd other && cp ../*.key . && export ROLLUP_DB=$WORK/other/rollup.db &&
  rollup-l1 init --sequencer-key seq.key --chain-id 1 --namespace 1 -q &&
  rollup-l1 fund --to "$ALICE" --amount 100000 && rollup-l1 deposit --key alice.key --amount 10000 >/dev/null &&
  { head -n 5 ../txs.ndjson; rollup-tx transfer --key alice.key --to "$CAROL" --amount 15 --fee 1 --nonce 5; } |
    rollup-seq --key seq.key --max-txs 2 | rollup-submit | rollup-exec | rollup-prove | rollup-submit >/dev/null )
start_server --db other/rollup.db
expect_status 1 rollup-query --rpc "$URL" --check "$BOB"
expect_eq "$(jq -c '[.balance, .height, .check.valid]' "$WORK/out")" '[60,3,false]'
expect_err "check failed: the Merkle proof does not lead to the contract's root"
# Unchecked, the same answer passes: only the contract's root tells.
expect_status 0 rollup-query --rpc "$URL" --height 3 "$BOB"
expect_status 1 rollup-bisect --rpc "$URL"
expect_eq "$(jq -c '[.diverged, .height, .receipt.index, .a.replayed_root == .a.root]' "$WORK/out")" '[true,3,1,true]'
expect_err "first divergence at height 3"
expect_err "first differing receipt: index 1"
# Its block 3 is signed by the same sequencer and proven, but it is not the contract's block 3.
expect_status 1 rollup-verify --rpc "$URL" 3
expect_err "the proof of block 3 is invalid: the stream's block differs from the contract's"
stop_server

# A proof whose bytes were changed.
sqlite3 "$ROLLUP_DB" "VACUUM INTO 'bad-proof.db'"
sqlite3 bad-proof.db "UPDATE proof_blocks SET proof = zeroblob(length(proof)) WHERE height = 3"
start_server --db bad-proof.db
expect_status 1 rollup-verify --rpc "$URL" 3
expect_eq "$(jq -c '[.height, .valid]' "$WORK/out")" '[3,false]'
expect_err "height 3: the proof of block 3 is invalid"
stop_server

# --- usage ---------------------------------------------------------------------------------------
expect_status 2 rollup-query --rpc "$URL" --index 1
expect_err "drop --index"
expect_status 2 rollup-verify --rpc "$URL"
expect_status 2 rollup-query --rpc ftp://example "$BOB"
expect_status 4 rollup-verify --rpc "$URL" 3
expect_err "cannot reach the server"
echo "remote_clients: ok"
