# The contract's hardening: dev mode is explicit and announced; a failed init leaves no file.
source "$(dirname "$0")/lib.bash"
rollup-keygen -o devseq.key --dev 1000 >/dev/null
own=$(rollup-keygen -o own.key)

# Dev keys need --dev, and a refused init leaves no state file behind.
expect_status 2 rollup-l1 --db dev.db init --sequencer-key devseq.key
expect_err "dev key that anyone can derive"
[ ! -e dev.db ] || fail "a refused init left dev.db behind"
expect_status 2 rollup-l1 --db dev.db init --sequencer-key own.key --dev-accounts 3
expect_err "add --dev"
expect_status 3 rollup-l1 --db dev.db init --sequencer-key own.key --genesis <(echo '{"pubkey":"0x12"}')
# A genesis file is read as strictly as any stream: a duplicate key is bad input, not "the last wins".
expect_status 3 rollup-l1 --db dev.db init --sequencer-key own.key --genesis <(echo "{\"pubkey\":\"$own\",\"balance\":1,\"balance\":2}")
expect_err "duplicate"
[ ! -e dev.db ] || fail "a refused init left dev.db behind"
expect_status 4 rollup-l1 --db dev.db fund --to "$own" --amount 1
[ ! -e dev.db ] || fail "fund created dev.db"
expect_status 0 rollup-l1 --db dev.db init --dev --sequencer-key devseq.key --dev-accounts 3 -q
expect_eq "$(rollup-l1 --db dev.db status -q | jq .dev_mode)" true
# Every tool that opens a dev contract warns on stderr; --quiet silences it.
expect_status 0 rollup-l1 --db dev.db status
expect_err "^rollup-l1: warning: .* runs in dev mode"
expect_status 0 rollup-submit --db dev.db /dev/null
expect_err "^rollup-submit: warning: .* dev mode"
expect_status 0 rollup-l1 --db dev.db status -q
[ ! -s "$WORK/err" ] || fail "--quiet did not silence the dev-mode warning"
# An init on an existing file that fails keeps the file.
expect_status 1 rollup-l1 --db dev.db init --dev --sequencer-key devseq.key -q
[ -e dev.db ] || fail "a second init removed the existing file"
# A contract of one's own keys is no dev contract: no warning.
expect_status 0 rollup-l1 --db own.db init --sequencer-key own.key -q
expect_status 0 rollup-l1 --db own.db status
expect_eq "$(jq .dev_mode "$WORK/out")" false
[ ! -s "$WORK/err" ] || fail "a warning for a contract without dev keys"

# The work cap: the prover's trace budget at the depth of the state's accounts, and an operator's
# cap below that; the sequencer never cuts a block over it, and the contract refuses one that is.
expect_status 2 rollup-l1 --db big.db init --sequencer-key own.key --max-block-ops 20000
expect_err "block work cap"
rollup-l1 --db cap.db init --dev --sequencer-key devseq.key --dev-accounts 10 --max-block-ops 30 -q
rollup-l1 --db wide.db init --dev --sequencer-key devseq.key --dev-accounts 10 -q
expect_status 0 rollup-l1 --db wide.db status
expect_eq "$(jq .max_block_ops "$WORK/out")" 0
expect_eq "$(jq .accounts_bound "$WORK/out")" 10
expect_eq "$(jq '.next_block_max_txs > 1024' "$WORK/out")" true "a small state takes blocks of more than 1,024 txs"
rollup-tx --db cap.db batch --dev-accounts 10 -n 10 --seed 2 -q > txs.ndjson
expect_status 0 rollup-seq --db cap.db --key devseq.key --max-txs 100 --timestamp 1 -q txs.ndjson
cp "$WORK/out" capped.ndjson
expect_eq "$(jq -s 'map(.namespaces[0].txs | length) | max' capped.ndjson)" 4 "30 ops fit 4 txs (4 x 5 + 3 <= 30 - 30/8)"
expect_status 0 rollup-submit --db cap.db -q capped.ndjson
rollup-seq --db wide.db --key devseq.key --max-txs 100 --timestamp 1 -q txs.ndjson > wide.ndjson
expect_eq "$(wc -l < wide.ndjson)" 1
rollup-l1 --db cap2.db init --dev --sequencer-key devseq.key --dev-accounts 10 --max-block-ops 30 -q
expect_status 1 rollup-submit --db cap2.db -q wide.ndjson
expect_err "carries 53 ops of work .* over the contract's cap of 30"
echo ok
