# examples/walkthrough.md runs as written: its sh blocks, in order, in one shell (with a free port
# for 8545 and a work dir of the test's for /tmp/walk), and the objects it shows are what the page
# says they are.
source "$(dirname "$0")/lib.bash"
mkdir -p repo && ln -s "$ROLLUP_BIN" repo/build && ln -s "$ROLLUP_SRC/scripts" repo/scripts
export ROLLUP_BUILD_DIR=$ROLLUP_BIN
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' "$ROLLUP_SRC/examples/walkthrough.md" \
  | sed -e "s|127.0.0.1:8545|127.0.0.1:$port|g" -e "s|/tmp/walk|$WORK/walk|g" > walkthrough.bash
[ "$(grep -c . walkthrough.bash)" -gt 40 ] || fail "the walkthrough's sh blocks were not found"
# The server's readiness: the page starts it with & and asks at once; a person is slower.
sed -i "s|^URL=http://127.0.0.1:$port$|&\nfor _ in \$(seq 50); do curl -sf \"\$URL/health\" >/dev/null \&\& break; sleep 0.1; done|" walkthrough.bash
sed -i "s|^scripts/node .*&$|&\nfor _ in \$(seq 100); do curl -sf \"\$URL/health\" >/dev/null \&\& break; sleep 0.1; done|" walkthrough.bash
( cd repo && timeout 120 bash -euo pipefail "$WORK/walkthrough.bash" ) > walk.out 2> walk.err ||
  { tail -n 30 walk.err >&2; fail "the walkthrough stopped (exit $?)"; }
grep -q '"status": "verified"' walk.out || fail "the live node did not verify the tx: $(tail -n 20 walk.out)"
grep -q '"valid": true' walk.out || fail "no valid check or verdict in the walkthrough's output"
grep -q '"pending"' walk.out && grep -q '"sequenced"' walk.out && grep -q '"committed"' walk.out &&
  grep -q '"executed"' walk.out || fail "the statuses of steps 1 to 5 are not all there"
echo "walkthrough: ok"
