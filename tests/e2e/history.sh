# History: any height's account from the stored history (no replay), retention, seq_log holding a
# body only until the contract has it, and snapshots: export, import into a fresh state file
# checked against the contract's verified root, the new node going on from there.
source "$(dirname "$0")/lib.bash"
setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)

for n in 0 1 2 3 4 5; do
  rollup-tx transfer --key alice.key --to "$BOB" --amount $((10 + n)) --fee 1 --nonce $n
done > txs.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 1 < txs.ndjson | rollup-submit | rollup-exec | rollup-prove | rollup-submit"
expect_eq "$(rollup-l1 status | jq .height)" 6
# The sequencer ran ahead of the contract; its next start finds every block committed.
expect_status 0 rollup-seq --key seq.key < /dev/null
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT count(*) FROM seq_log WHERE body IS NULL')" 6 "committed bodies left in seq_log"

# Any height, from history: the balance then, a proof to the root the executor stored then.
for h in 1 3 6; do
  expect_status 0 rollup-query --height $h "$BOB"
  expect_eq "$(jq .height "$WORK/out")" $h
  expect_eq "$(jq .balance "$WORK/out")" "$(( $(seq 10 $((9 + h)) | paste -sd+ | bc) ))"
  expect_eq "$(jq -r .root "$WORK/out" | tr a-fx A-Fx)" "0x$(sqlite3 "$ROLLUP_DB" "SELECT hex(post_root) FROM state_blocks WHERE height = $h")"
done
expect_status 0 rollup-query --check "$BOB"
expect_eq "$(jq .check.valid "$WORK/out")" true

# A state file whose history was pruned below height 4 still answers at 4 and above from its
# tables; below, it says it replays, and the answer is the same.
copy() { sqlite3 "$ROLLUP_DB" "VACUUM INTO '$WORK/$1'"; }
copy pruned.db
sqlite3 pruned.db "DELETE FROM state_account_history WHERE height < 4 AND EXISTS (SELECT 1 FROM state_account_history n
  WHERE n.idx = state_account_history.idx AND n.height > state_account_history.height AND n.height <= 4);
  DELETE FROM state_node_history WHERE height < 4 AND EXISTS (SELECT 1 FROM state_node_history n WHERE n.level =
  state_node_history.level AND n.idx = state_node_history.idx AND n.height > state_node_history.height AND n.height <= 4);
  UPDATE state_history SET floor = 4"
expect_status 0 rollup-query --db pruned.db --height 2 "$BOB"
expect_err "below the state file's history"
expect_eq "$(jq .balance "$WORK/out")" 21

# Retention is a setting of the file; bad values are usage errors.
expect_status 0 rollup-exec --retain archive < /dev/null
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT coalesce(retain, "archive") FROM state_history')" archive
expect_status 0 rollup-exec --retain 500 < /dev/null
expect_eq "$(sqlite3 "$ROLLUP_DB" 'SELECT retain FROM state_history')" 500
expect_status 2 rollup-exec --retain forever < /dev/null
expect_err "expected a number of heights or 'archive'"

# Snapshots: the default height is the contract's last verified one.
expect_status 0 rollup-snapshot export
cp "$WORK/out" snap.ndjson
expect_eq "$(head -1 snap.ndjson | jq -c '[.kind, .height, .accounts]')" '["snapshot",6,3]'
expect_eq "$(head -1 snap.ndjson | jq -r .root | tr a-fx A-Fx)" "0x$(exec_root)"
expect_eq "$(sed 1d snap.ndjson | jq -r 'select(.pubkey == "'"$BOB"'") | .balance')" 75

# More blocks after the snapshot, then a new node: the contract alone (as scripts/replay makes it),
# the snapshot, and the blocks after it from the contract.
for n in 6 7; do rollup-tx transfer --key alice.key --to "$CAROL" --amount 1 --nonce $n; done > more.ndjson
expect_pipeline_status 0 "rollup-seq --key seq.key --max-txs 1 < more.ndjson | rollup-submit | rollup-exec"
fresh() {
  rm -f "$WORK/$1"
  copy "$1"
  sqlite3 "$WORK/$1" "DELETE FROM state_accounts; DELETE FROM state_account_history; DELETE FROM state_node_history; DELETE FROM state_nodes;
    DELETE FROM state_blocks; DELETE FROM seq_log; DELETE FROM proof_blocks"
}
fresh node.db
expect_status 0 rollup-snapshot --db node.db import snap.ndjson
expect_err "imported 3 accounts at height 6"
expect_status 0 rollup-exec --db node.db --follow --until 8
expect_eq "$(jq -s 'map(.height) | join(" ")' -r "$WORK/out")" "7 8"
expect_eq "$(exec_root node.db)" "$(exec_root)" "the new node's root differs"
expect_status 0 rollup-query --db node.db --height 7 "$CAROL"
expect_eq "$(jq .balance "$WORK/out")" 1
expect_status 1 rollup-query --db node.db --height 5 "$BOB"
expect_err "below the snapshot this state file started from"
expect_status 1 rollup-snapshot --db node.db import snap.ndjson
expect_err "import into a fresh state file"

# A snapshot that lies about one balance, and one at a height the contract has not verified.
fresh liar.db
jq -c 'if .pubkey == "'"$BOB"'" then .balance += 1 else . end' snap.ndjson > lie.ndjson
expect_status 1 rollup-snapshot --db liar.db import lie.ndjson
expect_err "do not hash to the root its header names"
rollup-snapshot export --height 7 > unverified.ndjson
expect_status 1 rollup-snapshot --db liar.db import unverified.ndjson
expect_err "no verified root at height 7"
expect_eq "$(sqlite3 liar.db 'SELECT count(*) FROM state_accounts')" 0
head -3 snap.ndjson > short.ndjson
expect_status 3 rollup-snapshot --db liar.db import short.ndjson
expect_err "announces 3 accounts and holds 2"
echo ok
