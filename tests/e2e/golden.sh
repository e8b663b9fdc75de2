# Golden streams: a fixed scenario (dev keys, fixed timestamps) must reproduce tests/data/golden/
# byte for byte: block hashes, tx ids, receipts, state roots, and the proofs (one per block, and
# one range proof of both blocks; only the timing field prove_ms is dropped). A change of any
# encoding, hash, STF rule or of the prover's transcript shows here. ROLLUP_GOLDEN_UPDATE=1
# rewrites the files (then review the diff); shared-blocks.ndjson and shared-exec.ndjson pin the
# shared sequencer's version 2 blocks; proofs-v1.ndjson and proofs-range-v1.ndjson are the
# proofs of format version 1, and proofs-v2.ndjson and proofs-range-v2.ndjson of version 2 (the
# AIR's layout v1), kept as written, which must still verify.
source "$(dirname "$0")/lib.bash"
golden=$ROLLUP_SRC/tests/data/golden
rollup-keygen -o seq.key --dev 1000 >/dev/null
for i in 0 1 2 3; do rollup-keygen -o dev$i.key --dev $i >/dev/null; done
pub() { rollup-keygen --show dev$1.key; }
rollup-l1 init --dev --sequencer-key seq.key --chain-id 7 --namespace 3 --dev-accounts 3 --dev-balance 1000 -q
rollup-l1 fund --to "$(pub 3)" --amount 500
rollup-l1 deposit --key dev3.key --amount 200 >/dev/null
{
  rollup-tx transfer --key dev0.key --to "$(pub 1)" --amount 10 --fee 1 --nonce 0
  rollup-tx transfer --key dev1.key --to "$(pub 3)" --amount 20 --fee 2 --nonce 0
  rollup-tx withdraw --key dev2.key --amount 30 --fee 3 --nonce 0
  rollup-tx transfer --key dev0.key --to "$(pub 0)" --amount 1 --nonce 1      # self_transfer
  rollup-tx transfer --key dev0.key --to "$(pub 1)" --amount 1 --nonce 5      # bad_nonce
  rollup-tx transfer --key dev3.key --to "$(pub 2)" --amount 999 --nonce 0    # insufficient_balance
  rollup-tx transfer --key dev0.key --to "$(pub 1)" --amount 2 --nonce 1 |
    jq -c '.sig |= (.[0:10] + (if .[10:11] == "0" then "1" else "0" end) + .[11:])'  # bad_signature
} > txs.ndjson
rollup-seq --key seq.key --max-txs 4 --timestamp 1764000000000 txs.ndjson | rollup-submit > blocks.ndjson
rollup-exec blocks.ndjson > exec.ndjson
sqlite3 rollup.db "VACUUM INTO 'range.db'"
sqlite3 rollup.db "VACUUM INTO 'range-recomputed.db'"
rollup-prove exec.ndjson | grep '"kind":"proof"' | jq -c 'del(.prove_ms)' > proofs.ndjson
ROLLUP_DB=range.db rollup-prove --range 2 exec.ndjson | grep '"kind":"proof"' | jq -c 'del(.prove_ms)' > proofs-range.ndjson
# A shared sequencer's blocks (version 2, a deposit list per namespace) for two rollups of chain 7,
# namespaces 3 and 4, and each rollup's exec lines.
for ns in 3 4; do
  rollup-l1 --db shared-$ns.db init --dev --sequencer-key seq.key --chain-id 7 --namespace $ns --dev-accounts 3 --dev-balance 1000 -q
done
rollup-l1 --db shared-4.db fund --to "$(pub 3)" --amount 500
rollup-l1 --db shared-4.db deposit --key dev3.key --amount 150 >/dev/null
{
  rollup-tx --db shared-3.db transfer --key dev0.key --to "$(pub 1)" --amount 10 --fee 1 --nonce 0
  rollup-tx --db shared-4.db transfer --key dev0.key --to "$(pub 2)" --amount 11 --fee 2 --nonce 0
  rollup-tx --db shared-4.db withdraw --key dev3.key --amount 30 --nonce 0
  rollup-tx --db shared-3.db transfer --key dev1.key --to "$(pub 0)" --amount 5 --nonce 0
} > shared-txs.ndjson
rollup-seq --key seq.key --db shared-seq.db --rollup shared-3.db --rollup shared-4.db --max-txs 3 \
  --timestamp 1764000000000 shared-txs.ndjson > shared-blocks.ndjson
for ns in 3 4; do rollup-submit --db shared-$ns.db shared-blocks.ndjson | rollup-exec --db shared-$ns.db; done > shared-exec.ndjson
for f in txs blocks exec proofs proofs-range shared-blocks shared-exec; do
  if [ "${ROLLUP_GOLDEN_UPDATE:-}" = 1 ]; then cp $f.ndjson "$golden/$f.ndjson"; fi
  diff -u "$golden/$f.ndjson" $f.ndjson > /dev/null || { diff -u "$golden/$f.ndjson" $f.ndjson | head -20 >&2; fail "$f.ndjson differs from the golden stream"; }
done
# The prover that keeps none of the trace's LDE (recomputing every coset it reads again) writes
# the same range proof.
ROLLUP_DB=range-recomputed.db rollup-prove --range 2 --lde-cache 0 exec.ndjson | grep '"kind":"proof"' |
  jq -c 'del(.prove_ms)' > proofs-range-recomputed.ndjson
expect_eq "$(cat proofs-range-recomputed.ndjson)" "$(cat "$golden/proofs-range.ndjson")" "the range proof with --lde-cache 0"
# Proofs of format version 1 (one fee credit op per tx, before deferred fee credits) and 2 (the
# AIR's layout v1, before the sole public columns) still verify.
for f in proofs-v1 proofs-range-v1 proofs-v2 proofs-range-v2; do
  jq -c '.prove_ms = 0' "$golden/$f.ndjson" > $f.ndjson
  expect_status 0 rollup-verify $f.ndjson
  expect_eq "$(jq -r .valid "$WORK/out" | sort -u)" "true" "$f verdicts"
done
echo ok
