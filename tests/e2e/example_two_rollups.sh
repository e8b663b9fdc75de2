# examples/two-rollups/run, as a user runs it: two rollups on one sequencer, each proving and
# verifying its blocks, exits 0 with every proof valid and every account check holding.
source "$(dirname "$0")/lib.bash"
expect_status 0 env ROLLUP_BUILD_DIR="$ROLLUP_BIN" "$ROLLUP_SRC/examples/two-rollups/run" "$WORK/example"
expect_out "two-rollups: done"
expect_eq "$(grep -c '"valid":true' "$WORK/out")" 4 "valid proofs (two blocks on each rollup)"
expect_eq "$(grep -c '"check":true' "$WORK/out")" 4 "account checks against the verified roots"
expect_eq "$(grep -c '"status":"verified"' "$WORK/out")" 4 "roots the contracts verified"
echo ok
