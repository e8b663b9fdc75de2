# rollup-serve's explorer page (GET /) in a real headless browser: a rollup with blocks at every
# stage (verified, executed, committed), the page's heights, latest blocks with their hashes and
# statuses, a block's txs with their receipts, an account with the root and height it is under
# (verified or not), an unknown account, a server that does not answer, and strings that hold
# markup shown as text. Never skipped: without chromium (Debian's chromium, which scripts/setup
# installs) the test fails. Every browser run is bounded and its processes killed.
source "$(dirname "$0")/lib.bash"
command -v chromium >/dev/null || fail "chromium is missing: scripts/setup installs it"
command -v python3 >/dev/null || fail "python3 is missing: scripts/setup installs it"

BROWSER_PIDS= ONE_BY_ONE_PID= STATIC_PID=
stop_all() {
  # Each chromium runs in a session of its own (setsid): its group is it and what it started.
  local pid
  for pid in $BROWSER_PIDS; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  stop_server
  for pid in $ONE_BY_ONE_PID $STATIC_PID; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap 'stop_all; rm -rf "$WORK"' EXIT

setup_rollup
CAROL=$(rollup-keygen -o carol.key --dev 3)  # never funded: no account on the rollup

# Height 1 (alice's deposit) and 2 (alice pays bob 25; bob's 5000 fails): proven and verified.
# Height 3 (alice pays bob 7): executed, not proven. Height 4 (a deposit): committed only.
rollup-seq --key seq.key </dev/null | rollup-submit | tee blocks.ndjson | rollup-exec | tee exec.ndjson | rollup-prove | rollup-submit >/dev/null
{
  rollup-tx transfer --key alice.key --to "$BOB" --amount 25 --fee 1 --nonce 0
  rollup-tx transfer --key bob.key --to "$CAROL" --amount 5000 --fee 1 --nonce 0
} > txs.ndjson
rollup-seq --key seq.key <txs.ndjson | rollup-submit | tee -a blocks.ndjson | rollup-exec | tee -a exec.ndjson | rollup-prove | rollup-submit >/dev/null
rollup-tx transfer --key alice.key --to "$BOB" --amount 7 --fee 1 --nonce 1 |
  rollup-seq --key seq.key | rollup-submit | tee -a blocks.ndjson | rollup-exec | tee -a exec.ndjson >/dev/null
rollup-l1 deposit --key alice.key --amount 100 >/dev/null
rollup-seq --key seq.key </dev/null | rollup-submit | tee -a blocks.ndjson >/dev/null
block_hash() { jq -r "select(.height == $1) | .hash" blocks.ndjson; }
post_root() { jq -r "select(.height == $1) | .post_root" exec.ndjson; }
VERIFIED_ROOT=$(rollup-l1 status | jq -r .latest_root.root)
expect_eq "$(rollup-l1 status | jq -c '[.height,.latest_root.height]')" '[4,2]' "the contract"
expect_eq "$VERIFIED_ROOT" "$(post_root 2)" "the verified root"

# One server that takes no batch of more than one request (the page then asks one request at a
# time), and one as rollup-serve starts by default (start_server: lib.bash).
start_server --max-batch 1
ONE_BY_ONE_URL=$URL ONE_BY_ONE_PID=$SERVER_PID
start_server

# The page's files as they are in the repository, with a policy that allows only this origin.
curl -sf -m 5 -D index.headers -o index.html "$URL/"
cmp -s index.html "$ROLLUP_SRC/libcore/rpc/explorer/index.html" || fail "GET / is not libcore/rpc/explorer/index.html"
grep -qi '^content-type: text/html; charset=utf-8' index.headers || fail "GET /: $(cat index.headers)"
grep -qi "^content-security-policy: default-src 'none';.*connect-src 'self'" index.headers || fail "GET /: no policy: $(cat index.headers)"
! grep -qi "unsafe-inline\|unsafe-eval" index.headers || fail "GET /: the policy allows inline code"
for file in explorer.js explorer.css; do
  curl -sf -m 5 -o "$file" "$URL/$file"
  cmp -s "$file" "$ROLLUP_SRC/libcore/rpc/explorer/$file" || fail "GET /$file is not the repository's"
done
expect_eq "$(curl -s -m 5 -o /dev/null -w '%{content_type}' "$URL/explorer.js")" "text/javascript; charset=utf-8"
expect_eq "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/explorerXjs")" 404 "a route that is not the page's"

# dump_dom URL OUT [URL OUT ...]: the DOM headless chromium holds once each page settled
# (--virtual-time-budget runs its timers and waits for its requests), one browser per page, all
# at once; each in a session of its own (setsid), with its own profile, home and temporary dir.
dump_dom() {
  local pids=() outs=() urls=()
  while [ $# -gt 0 ]; do
    local profile; profile=$(mktemp -d "$WORK/chromium.XXXXXX")
    HOME=$profile TMPDIR=$profile XDG_CONFIG_HOME=$profile XDG_CACHE_HOME=$profile setsid chromium \
      --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
      --disable-extensions --disable-background-networking --disable-component-update \
      --disable-sync --disable-default-apps --mute-audio \
      --virtual-time-budget=3000 --dump-dom "$1" >"$2" 2>"$2.err" &
    pids+=($!) urls+=("$1") outs+=("$2")
    BROWSER_PIDS+=" $!"
    shift 2
  done
  local tenths=0
  while [ $tenths -lt 200 ] && kill -0 "${pids[@]}" 2>/dev/null; do sleep 0.1; tenths=$((tenths + 1)); done
  local i status
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      kill -KILL -- "-${pids[$i]}" 2>/dev/null || true
      wait "${pids[$i]}" 2>/dev/null || true
      fail "chromium did not finish ${urls[$i]} in 20 s"
    fi
    status=0; wait "${pids[$i]}" || status=$?
    kill -KILL -- "-${pids[$i]}" 2>/dev/null || true  # a helper it left behind, if any
    [ "$status" = 0 ] && [ -s "${outs[$i]}" ] || { tail -20 "${outs[$i]}.err" >&2; fail "chromium exited $status on ${urls[$i]}"; }
  done
  BROWSER_PIDS=
}
# shows FILE TEXT [WHAT]: the dumped DOM holds TEXT (as serialized: markup in text is escaped).
shows() { grep -qF -- "$2" "$1" || { head -c 4000 "$1" >&2; echo >&2; fail "${3:-$1} does not show: $2"; }; }
# row FILE ID: the table row with that id, alone.
row() { grep -oP "<tr id=\"$2\">.*?</tr>" "$1" || { head -c 4000 "$1" >&2; fail "$1: no row $2"; }; }
ready() {
  shows "$1" '<body data-state="ready">' "$1 (loaded)"
  ! grep -q 'data-csp-violation' "$1" || fail "$1: the page broke its policy: $(grep -o 'data-csp-violation="[^"]*"' "$1")"
}

# Chromium's start is most of a run's cost (about a second of CPU): every page that shows the
# chain also shows the heights and the latest blocks, so two pages cover the views that work and
# three more the errors and the escaping.
# A block by fragment (with the heights and the latest blocks), an account by query.
dump_dom "$URL/#block=2" block2.html "$URL/?account=$BOB" bob.html

# Every stage's height, the verified root, the latest blocks with their hashes and statuses.
ready block2.html
for stage in sequenced:4 committed:4 executed:3 proven:2 verified:2; do
  shows block2.html "<dd id=\"status-${stage%:*}\">${stage#*:}</dd>"
done
shows block2.html "<dd id=\"status-verified_root\" class=\"hex\">$VERIFIED_ROOT</dd>"
for expected in 1:verified 2:verified 3:executed 4:committed; do
  height=${expected%:*}
  line=$(row block2.html "block-row-$height")
  grep -qF "$(block_hash "$height")" <<<"$line" || fail "block $height's row lacks its hash: $line"
  grep -qF ">${expected#*:}</span>" <<<"$line" || fail "block $height's row is not ${expected#*:}: $line"
  grep -qF "href=\"#block=$height\"" <<<"$line" || fail "block $height's row links nowhere: $line"
done

# Block 2: its hash and roots, its txs (ids from the exec line's receipts) with their receipts.
shows block2.html "<dd id=\"block-hash\"><span class=\"hex\" title=\"$(block_hash 2)\">"
shows block2.html "<dd id=\"block-post-root\"><span class=\"hex\" title=\"$(post_root 2)\">"
ok_tx=$(jq -r 'select(.height == 2) | .receipts[0].tx' exec.ndjson)
failed_tx=$(jq -r 'select(.height == 2) | .receipts[1].tx' exec.ndjson)
tx_row() { grep -oP "<tr class=\"tx\" data-tx=\"$2\">.*?</tr>" "$1" || fail "$1: no row for tx $2"; }
line=$(tx_row block2.html "$ok_tx")
for cell in "#account=$ALICE" "#account=$BOB" '<td class="num">25</td>' '<td class="ok">ok</td>'; do
  grep -qF "$cell" <<<"$line" || fail "alice's transfer lacks $cell: $line"
done
line=$(tx_row block2.html "$failed_tx")
grep -qF '<td class="error">failed: insufficient_balance</td>' <<<"$line" || fail "bob's failed transfer: $line"

# Bob: his latest balance is at height 3, not under the verified root; his verified one is at
# height 2, under it; the Merkle proof of the latest.
ready bob.html
line=$(grep -oP '<tr class="account" data-at="latest">.*?</tr>' bob.html) || fail "bob.html: no latest answer"
for cell in '<td class="num balance">32</td>' 'href="#block=3"' "$(post_root 3)" 'no: the verified root is at height 2'; do
  grep -qF "$cell" <<<"$line" || fail "bob's latest answer lacks $cell: $line"
done
line=$(grep -oP '<tr class="account" data-at="verified">.*?</tr>' bob.html) || fail "bob.html: no verified answer"
for cell in '<td class="num balance">25</td>' 'href="#block=2"' "$VERIFIED_ROOT" "yes: the contract's verified root"; do
  grep -qF "$cell" <<<"$line" || fail "bob's verified answer lacks $cell: $line"
done
expect_eq "$(grep -o '<li><span class="hex"' bob.html | wc -l)" 32 "the Merkle proof's siblings"

# The errors, said on the page: an account the rollup does not have (from the server that takes
# one request at a time); a server that serves the page but does not answer its requests (as one
# stopped since). And markup stays text, whether
# the server sends it (a frozen reason written into the file) or the address holds it (a link
# someone was sent).
sqlite3 "$ROLLUP_DB" "UPDATE l1_config SET frozen = 1, frozen_reason = '<img id=\"injected\" src=x>'"
mkdir static && cp index.html explorer.js explorer.css static/
python3 - static > static.port 2>static.err <<'EOF' &
import functools, http.server, sys
class PageOnly(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        self.close_connection = True  # no answer at all: the connection just ends
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(PageOnly, directory=sys.argv[1]))
print(server.server_port, flush=True)
server.serve_forever()
EOF
STATIC_PID=$!
for _ in $(seq 50); do [ -s static.port ] && break; sleep 0.1; done
[ -s static.port ] || { cat static.err >&2; fail "the page-only server did not start"; }
dump_dom "$ONE_BY_ONE_URL/#account=$CAROL" carol.html "http://127.0.0.1:$(cat static.port)/" down.html \
  "$URL/#account=%3Cb%20id%3D%22injected%22%3Ex%3C%2Fb%3E" badkey.html

ready carol.html
shows carol.html "no account for $CAROL at height 3"
row carol.html block-row-4 >/dev/null
shows carol.html '<dd id="status-frozen" class="error">FROZEN: &lt;img id="injected" src=x&gt;</dd>'
! grep -q '<img id="injected"' carol.html || fail "the server's text became markup"
shows down.html '<body data-state="error">'
shows down.html 'the server does not answer'
shows down.html 'is rollup-serve running?'
shows badkey.html '"&lt;b id="injected"&gt;x&lt;/b&gt;" is not a public key'
! grep -q '<b id="injected">' badkey.html || fail "the address's text became markup"
echo "explorer: ok"
