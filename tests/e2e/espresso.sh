# rollup-espresso: answers of Espresso's availability API (the fixtures in tests/data/espresso)
# through rollup-espresso, rollup-seq --cut-on espresso.block, rollup-submit and rollup-exec give
# the state roots of the same txs fed to rollup-seq directly; the same answers read from files of
# lines, from a directory and from a local HTTP server agree; to-espresso and from-espresso round
# trip the contract's blocks; bad answers are refused with exit 3, holes with exit 4.
source "$(dirname "$0")/lib.bash"
setup_rollup  # chain 1, namespace 1; the fixtures' txs are alice's transfers to bob
FIX=$ROLLUP_SRC/tests/data/espresso
TS=1764088000000
cp "$ROLLUP_DB" base.db
fresh() { rm -f "$1" "$1-wal" "$1-shm"; cp base.db "$1"; }

# The txs fed directly: one block.
fresh direct.db
rollup-seq --db direct.db --key seq.key --timestamp $TS "$FIX/txs.ndjson" | rollup-submit --db direct.db |
  rollup-exec --db direct.db > direct.out

# The same txs in three Espresso blocks (4202 has nothing for namespace 1); the namespace and
# chain id come from the contract.
fresh esp.db
expect_pipeline_status 0 "rollup-espresso --db esp.db from-espresso --dir '$FIX' --from 4201 |
  rollup-seq --db esp.db --key seq.key --cut-on espresso.block --timestamp $TS |
  rollup-submit --db esp.db | rollup-exec --db esp.db"
cp "$WORK/out" esp.out
expect_eq "$(exec_root esp.db)" "$(exec_root direct.db)" "the state root after the Espresso blocks"
[ -n "$(exec_root esp.db)" ] || fail "no block was executed"
rollup-l1 --db esp.db blocks > blocks.ndjson
expect_eq "$(jq -c '[.height, (.namespaces[0].txs | length), (.deposits | length)]' blocks.ndjson | paste -sd' ')" \
  "[1,2,1] [2,3,0]" "one rollup block per Espresso block with txs"
expect_eq "$(jq -c 'select(.kind=="espresso.block") | [.height, .txs]' esp.out | paste -sd' ')" "[4201,2] [4202,0] [4203,3]"
expect_eq "$(jq -c 'select(.kind=="exec") | .receipts | map(.status) | unique' esp.out | paste -sd' ')" '["ok"] ["ok"]'
# The tx lines are those of the fixture, in Espresso's order.
rollup-espresso --db esp.db from-espresso --dir "$FIX" --from 4201 --to 4203 > dir.ndjson
expect_eq "$(grep -v espresso.block dir.ndjson | md5sum)" "$(md5sum < "$FIX/txs.ndjson")" "tx lines from the fixture"

# Lines of {"header","proof","transactions"} (the answer with its header, as older services gave
# it) read the same as the directory; --namespace and --chain-id need no state file.
for h in 4201 4202 4203; do
  jq -c -n --slurpfile hd "$FIX/availability/header/$h" --slurpfile ns "$FIX/availability/block/$h/namespace/1" \
    '$ns[0] + {header: $hd[0]}'
done > answers.ndjson
expect_status 0 rollup-espresso --db nowhere.db from-espresso --namespace 1 --chain-id 1 answers.ndjson
expect_eq "$(md5sum < "$WORK/out")" "$(md5sum < dir.ndjson)" "lines and directory"
expect_status 0 rollup-espresso --db nowhere.db from-espresso --namespace 1 --chain-id 1 - < answers.ndjson
expect_eq "$(md5sum < "$WORK/out")" "$(md5sum < dir.ndjson)" "stdin and directory"
[ ! -e nowhere.db ] || fail "from-espresso with --namespace and --chain-id created a state file"

# to-espresso: the contract's blocks in Espresso's shapes read back as the same tx lines, as lines
# and as a directory tree.
expect_status 0 rollup-espresso to-espresso --namespace 1 blocks.ndjson
cp "$WORK/out" ours.ndjson
expect_eq "$(jq -c '[.header.height, .header.timestamp, (.transactions | length), .proof]' ours.ndjson | paste -sd' ')" \
  "[1,1764088000,2,null] [2,1764088000,3,null]"
expect_status 0 rollup-espresso to-espresso --namespace 1 --out-dir tree blocks.ndjson
[ -f tree/availability/header/2 ] && [ -f tree/availability/block/2/namespace/1 ] || fail "to-espresso --out-dir wrote no tree"
rollup-espresso --db esp.db from-espresso ours.ndjson > ours.txs
rollup-espresso --db esp.db from-espresso --dir tree --from 1 > tree.txs
expect_eq "$(md5sum < ours.txs)" "$(md5sum < tree.txs)" "to-espresso lines and tree"
expect_eq "$(grep -v espresso.block ours.txs | md5sum)" "$(md5sum < "$FIX/txs.ndjson")" "the blocks' txs round trip"

# --url: the fixture tree served over HTTP on a free local port answers as the directory does.
set +e
rollup-espresso from-espresso --namespace 1 --chain-id 1 --url http://127.0.0.1:1 --from 1 --to 1 2>probe.err
probe=$?
set -e
if grep -q "no HTTP client" probe.err; then
  echo "skipped --url: this build has no cpp-httplib"
else
  expect_eq "$probe" 4 "a refused connection is an I/O error"
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$FIX" > http.log 2>&1 &
  HTTP_PID=$!
  trap 'kill "$HTTP_PID" 2>/dev/null || true; wait "$HTTP_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' http.log | head -n1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat http.log >&2; fail "the HTTP server did not start"; }
  expect_status 0 rollup-espresso --db esp.db from-espresso --url "http://127.0.0.1:$port/" --from 4201 --to 4203
  expect_eq "$(md5sum < "$WORK/out")" "$(md5sum < dir.ndjson)" "--url and --dir"
  # Without --to it follows the chain: 4204 is not there yet (404), so it waits for it. Waited
  # for by its output, not by a fixed time, so that a loaded machine does not fail it.
  rollup-espresso --db esp.db from-espresso --url "http://127.0.0.1:$port" --from 4201 --poll-ms 100 > follow.ndjson &
  follower=$!
  for _ in $(seq 300); do [ "$(wc -l < follow.ndjson)" -ge "$(wc -l < dir.ndjson)" ] && break; sleep 0.1; done
  sleep 0.5
  kill -0 "$follower" 2>/dev/null || fail "following: rollup-espresso exited instead of waiting for block 4204"
  kill "$follower"
  wait "$follower" 2>/dev/null || true
  expect_eq "$(md5sum < follow.ndjson)" "$(md5sum < dir.ndjson)" "the blocks written while following"
fi

# Bad answers, each in a copy of the fixture tree.
broken() {  # broken FILE JQ-FILTER: a copy of the tree with one file rewritten
  rm -rf bad && cp -r "$FIX" bad && chmod -R u+w bad
  jq "$2" "$FIX/$1" > "bad/$1"
}
from_bad() { rollup-espresso --db esp.db from-espresso --dir bad --from 4201 --to 4203 "$@"; }
broken availability/block/4201/namespace/1 '.transactions[0].payload = "cm9sbHVw!!=="'
expect_status 3 from_bad
expect_err "bad/availability/block/4201/namespace/1: transactions\[0\]\.payload: .*base64"
broken availability/block/4201/namespace/1 '.transactions[1].namespace = 2'
expect_status 3 from_bad
expect_err "transactions\[1\] is in namespace 2, not the namespace 1 asked for"
broken availability/header/4202 '.fields.height = 4201'
expect_status 3 from_bad
expect_err "header of height 4201, asked for 4202"
broken availability/header/4201 '.fields.ns_table.bytes = "AgAAAAkDAAAqAAAAAQAAACoAAAA="'
expect_status 3 from_bad
expect_err "ns_table: entry 1 ends at 42, not after the previous end 42"
broken availability/header/4201 '.fields.ns_table.bytes = "AQAAAAkDAAAqAAAA"'
expect_status 3 from_bad
expect_err "block 4201 has transactions for namespace 1 that its ns_table does not list"
broken availability/header/4202 '.'
echo '<html>503 Service Unavailable</html>' > bad/availability/header/4202
expect_status 3 from_bad
expect_err "bad/availability/header/4202: .*parse error"
# Bytes that are no tx of this rollup: exit 3, or dropped with a notice under --skip-invalid.
broken availability/block/4201/namespace/1 '.transactions[0].payload = "AAECAw=="'
expect_status 3 from_bad
expect_err "block 4201 transactions\[0\]: payload is 4 bytes, a tx is 183"
expect_status 0 from_bad --skip-invalid
expect_err "block 4201 transactions\[0\]: payload is 4 bytes, a tx is 183 \(ed25519\) or 215 \(ecgfp5\): skipped"
expect_eq "$(jq -c 'select(.kind=="espresso.block") | [.txs, .rejected]' "$WORK/out" | paste -sd' ')" "[1,1] [0,0] [3,0]"
expect_status 3 rollup-espresso --db esp.db from-espresso --dir "$FIX" --from 4201 --chain-id 2
expect_err "signed for chain 1 namespace 1, this rollup is chain 2 namespace 1"
# A hole inside --from..--to is an I/O error; a bad line in a file names FILE:LINE.
broken availability/header/4201 '.'
rm bad/availability/block/4203/namespace/1
expect_status 4 from_bad
expect_err "bad/availability/block/4203/namespace/1: no such answer"
printf '%s\n' "$(head -n1 answers.ndjson)" '{"proof":null}' > lines.ndjson
expect_status 3 rollup-espresso --db esp.db from-espresso lines.ndjson
expect_err "lines.ndjson:2: namespace answer.transactions: missing"
expect_status 3 rollup-espresso --db esp.db from-espresso --keep-going lines.ndjson
expect_eq "$(jq -c 'select(.kind=="espresso.block") | .height' "$WORK/out")" 4201 "--keep-going goes on after a bad line"
head -n1 answers.ndjson | jq -c 'del(.header)' > headless.ndjson
expect_status 3 rollup-espresso --db esp.db from-espresso headless.ndjson
expect_err "no \"header\""

# Usage errors.
expect_status 2 rollup-espresso --db esp.db from-espresso --dir "$FIX"
expect_err "need --from"
expect_status 2 rollup-espresso --db esp.db from-espresso --dir "$FIX" --url http://127.0.0.1:9 --from 1
expect_status 2 rollup-espresso --db esp.db from-espresso --dir "$FIX" --from 5 --to 4
expect_status 2 rollup-espresso --db esp.db from-espresso --url ftp://example --from 1
expect_status 2 rollup-espresso to-espresso blocks.ndjson
expect_status 0 rollup-espresso --help
expect_out "from-espresso"
echo ok
