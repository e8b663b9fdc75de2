# Shared helpers of the end-to-end tests: a temporary work dir with its own state file, the
# built tools on PATH, and checks that look at both output and exit status.
set -euo pipefail
: "${ROLLUP_BIN:?set by ctest}"
: "${ROLLUP_SRC:?set by ctest}"
export PATH="$ROLLUP_BIN:$PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollup-e2e.XXXXXX")
# At exit: the server and any background job stopped, then the work dir gone.
trap 'stop_server; kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"
export ROLLUP_DB=$WORK/rollup.db

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status CODE CMD... : runs CMD (stdout to $WORK/out, stderr to $WORK/err), checks its status.
expect_status() {
  local want=$1; shift
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout" >&2; head -c 2000 "$WORK/out" >&2
    echo "--- stderr" >&2; head -c 2000 "$WORK/err" >&2
    fail "'$*' exited $got, expected $want"
  fi
}

# expect_pipeline_status CODE 'shell pipeline' : as expect_status for a pipeline string (pipefail on).
expect_pipeline_status() {
  local want=$1; shift
  expect_status "$want" bash -o pipefail -c "$1"
}

# expect_err REGEX : stderr of the last expect_status matches.
expect_err() { grep -Eq -- "$1" "$WORK/err" || { cat "$WORK/err" >&2; fail "stderr does not match /$1/"; }; }
expect_out() { grep -Eq -- "$1" "$WORK/out" || { head -c 2000 "$WORK/out" >&2; fail "stdout does not match /$1/"; }; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: '$1' != '$2'"; }

# A digest of every table's content (not the file's bytes): "the state file is unchanged".
db_digest() {
  local db=${1:-$ROLLUP_DB}
  local t
  for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"); do
    echo "== $t"
    sqlite3 "$db" "SELECT * FROM \"$t\" ORDER BY 1"
  done | sha256sum | cut -d' ' -f1
}

# A contract with a sequencer and two funded users, alice and bob (dev keys), on the state file.
setup_rollup() {
  SEQ=$(rollup-keygen -o seq.key)
  ALICE=$(rollup-keygen -o alice.key --dev 1)
  BOB=$(rollup-keygen -o bob.key --dev 2)
  rollup-l1 init --sequencer-key seq.key --chain-id 1 --namespace 1 --deposit-deadline "${DEADLINE:-24h}" -q
  rollup-l1 fund --to "$ALICE" --amount 100000
  rollup-l1 deposit --key alice.key --amount 10000 >/dev/null
}

# Latest post-state root of the executor.
exec_root() { sqlite3 "${1:-$ROLLUP_DB}" "SELECT hex(post_root) FROM state_blocks ORDER BY height DESC LIMIT 1"; }

# start_server [rollup-serve options]: a rollup-serve on a free loopback port of its choosing,
# answering before this returns; URL is its address, SERVER_PID its pid, its stderr serve.err.
SERVER_PID=
start_server() {
  rm -f "$WORK/port"
  rollup-serve --listen 127.0.0.1:0 --port-file "$WORK/port" "$@" 2>>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  [ -s "$WORK/port" ] || { cat "$WORK/serve.err" >&2; fail "rollup-serve did not bind a port"; }
  URL=http://127.0.0.1:$(cat "$WORK/port")
  for _ in $(seq 50); do curl -sf -m 2 "$URL/health" >/dev/null && return 0; sleep 0.1; done
  cat "$WORK/serve.err" >&2
  fail "rollup-serve does not answer"
}
stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then kill -9 "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
