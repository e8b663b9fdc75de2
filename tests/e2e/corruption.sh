# Silent corruption is refused: bytes flipped in what the contract or the executor stored are
# found when read (exit 4) and listed by `rollup-l1 check`.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o seq.key --dev 1000 >/dev/null
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts 8 --dev-balance 1000 -q
rollup-tx batch --dev-accounts 8 -n 12 --seed 5 > txs.ndjson
rollup-seq --key seq.key --max-txs 4 --timestamp 1 -q txs.ndjson | rollup-submit -q | rollup-exec -q |
  rollup-prove -q | rollup-submit -q > /dev/null
expect_status 0 rollup-l1 check
expect_err "consistent"

# copy NAME : a copy of the state file to corrupt.
copy() { rm -f "$1"; sqlite3 "$ROLLUP_DB" "VACUUM INTO '$WORK/$1'"; }
# flip_blob DB TABLE COLUMN WHERE : flips the bits of the first byte of a blob.
flip_blob() {
  local hex
  hex=$(sqlite3 "$1" "SELECT hex($3) FROM $2 WHERE $4")
  printf -v first '%02X' $((0x${hex:0:2} ^ 0xFF))
  sqlite3 "$1" "UPDATE $2 SET $3 = X'$first${hex:2}' WHERE $4"
}
# expect_check DB REGEX : rollup-l1 check finds the problem.
expect_check() {
  expect_status 4 rollup-l1 --db "$1" check -q
  expect_out "$2"
  expect_err "corrupt state file: [0-9]+ problem"
}

# 1. The genesis key-set commitment in l1_roots.
copy keys.db
flip_blob keys.db l1_roots key_root "height = 0"
expect_check keys.db "l1_roots height 0: the genesis key-set commitment"

# 2. A block body in l1_blocks: refused by what reads it.
copy body.db
sqlite3 body.db "UPDATE l1_blocks SET body = replace(body, '\"timestamp\":1', '\"timestamp\":2') WHERE height = 2"
expect_status 4 rollup-l1 --db body.db blocks
expect_err "corrupt state file: l1_blocks height 2"
expect_check body.db "l1_blocks height 2"

# 3. genesis_root in l1_config: refused by an executor that starts from genesis.
copy root.db
flip_blob root.db l1_config genesis_root "id = 1"
sqlite3 root.db "DELETE FROM state_accounts; DELETE FROM state_account_history; DELETE FROM state_node_history; DELETE FROM state_nodes; DELETE FROM state_blocks"
expect_pipeline_status 4 "rollup-l1 --db root.db blocks | rollup-exec --db root.db -q"
expect_err "corrupt state file: l1_config: genesis_root"
expect_check root.db "l1_config: genesis_root"

# 4. An account's key in state_accounts: refused by rollup-query.
copy account.db
flip_blob account.db state_accounts pubkey "idx = 1"
expect_status 4 rollup-query --db account.db --index 1
expect_err "corrupt state file: state_accounts index 1"
expect_check account.db "state_accounts: the accounts do not rebuild"

# The untouched file is still clean.
expect_status 0 rollup-l1 check
echo ok
