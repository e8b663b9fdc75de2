# scripts/prove-parallel --sshlogin over real ssh: an sshd of our own on 127.0.0.1 (a free port, a
# throwaway host key and user key in the work dir), every block proven through it, a job that
# fails once retried with its error shown, a height that keeps failing reported and resumed from
# the job log, and the contract holding every proven root. Never skipped: without sshd (Debian's
# openssh-server, which scripts/setup installs) or rsync the test fails.
source "$(dirname "$0")/lib.bash"
sshd=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd" ] || fail "sshd is missing: scripts/setup installs openssh-server"
command -v rsync >/dev/null || fail "rsync is missing: scripts/setup installs it"

# ---- The ssh server: its own config, keys and pid file in the work dir.
mkdir -p "$WORK/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/user_key"
cp "$WORK/ssh/user_key.pub" "$WORK/ssh/authorized_keys"
chmod 700 "$WORK/ssh" "$WORK"
# sshd running as root needs its privilege separation directory.
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
start_sshd() {  # start_sshd PORT: 0 once it listens
  cat > "$WORK/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $1
HostKey $WORK/ssh/host_key
PidFile $WORK/ssh/sshd.pid
AuthorizedKeysFile $WORK/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $(id -un)
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
EOF
  "$sshd" -f "$WORK/ssh/sshd_config" -E "$WORK/ssh/sshd.log" || return 1
  for _ in $(seq 50); do
    [ -s "$WORK/ssh/sshd.pid" ] && return 0
    sleep 0.1
  done
  return 1
}
stop_sshd() { [ ! -s "$WORK/ssh/sshd.pid" ] || kill "$(cat "$WORK/ssh/sshd.pid")" 2>/dev/null || true; }
trap 'stop_sshd; rm -rf "$WORK"' EXIT
port=""
for _ in 1 2 3 4 5; do  # a random high port; another one if it is taken
  candidate=$(( 20000 + RANDOM % 30000 ))
  if start_sshd "$candidate"; then port=$candidate; break; fi
done
[ -n "$port" ] || { cat "$WORK/ssh/sshd.log" >&2; fail "sshd did not start"; }

# ---- The client: a config with one Host, as for real prover hosts.
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$WORK/ssh/host_key.pub")" > "$WORK/ssh/known_hosts"
cat > "$WORK/ssh/config" <<EOF
Host prover-loopback
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $WORK/ssh/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $WORK/ssh/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
EOF
export PARALLEL_SSH="ssh -F $WORK/ssh/config"
ok=""
for _ in $(seq 30); do  # sshd writes its pid file before it accepts connections
  if $PARALLEL_SSH prover-loopback true 2>"$WORK/ssh/client.err"; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || { cat "$WORK/ssh/client.err" "$WORK/ssh/sshd.log" >&2; fail "ssh to the test sshd failed"; }

# ---- A rollup of five blocks.
rollup-keygen -o seq.key --dev 1000 >/dev/null
rollup-l1 init --dev --sequencer-key seq.key --dev-accounts 20 --dev-balance 100000 -q
rollup-tx batch --dev-accounts 20 -n 40 > txs.ndjson
rollup-seq --key seq.key --max-txs 8 txs.ndjson | rollup-submit | rollup-exec > /dev/null

# The remote hosts' rollup-prove: the build's, except that the first try of every height fails
# (a host that fails for no reason of the block: GNU parallel's --retries takes it again).
mkdir -p "$WORK/remote-bin"
cat > "$WORK/remote-bin/rollup-prove" <<EOF
#!/usr/bin/env bash
line=\$(cat)
height=\$(jq -r .height <<< "\$line")
if [ ! -e "$WORK/remote-bin/tried-\$height" ] || [ -e "$WORK/remote-bin/always-fail-\$height" ]; then
  touch "$WORK/remote-bin/tried-\$height"
  echo "rollup-prove: injected failure at height \$height" >&2
  exit 5
fi
exec "$ROLLUP_BIN/rollup-prove" "\$@" <<< "\$line"
EOF
chmod +x "$WORK/remote-bin/rollup-prove"

# Height 4 keeps failing: 1..3 are proven and submitted, 4 and 5 are not; the job log says so.
touch "$WORK/remote-bin/always-fail-4"
expect_status 1 "$ROLLUP_SRC/scripts/prove-parallel" --no-local --sshlogin 2/prover-loopback \
  --remote-path "$WORK/remote-bin" --retries 2 --joblog "$WORK/jobs.log" 1 5
expect_err "height 4 on $(hostname): rollup-prove: injected failure at height 4"
expect_err "height 4 on $(hostname): failed"
expect_err "heights not proven after 2 tries: 4 "
expect_eq "$(rollup-l1 roots | jq -c '[.height, .status]' | paste -sd' ')" '[0,"verified"] [1,"verified"] [2,"verified"] [3,"verified"]'
# Every try ran over ssh on the test host (the job log's second column).
expect_eq "$(awk -F'\t' 'NR > 1 { print $2 }' "$WORK/jobs.log" | sort -u)" "prover-loopback"
# Every height's first try failed: all but 4 were proven by their second.
expect_eq "$(jq -c .height "$WORK/jobs.log.proofs" | sort -n | paste -sd,)" "1,2,3,5"

# The host recovers: --resume-failed proves only height 4 and submits 4 and 5.
rm "$WORK/remote-bin/always-fail-4"
expect_status 0 "$ROLLUP_SRC/scripts/prove-parallel" --no-local --sshlogin 2/prover-loopback \
  --remote-path "$WORK/remote-bin" --retries 2 --joblog "$WORK/jobs.log" --resume-failed 1 5
expect_eq "$(awk -F'\t' 'NR > 1 && $7 == 0 { print $9 }' "$WORK/jobs.log" | grep -c ' 4 ')" "1" "height 4 proven once"
expect_eq "$(awk -F'\t' 'NR > 1' "$WORK/jobs.log" | wc -l)" "6" "only height 4 ran again"
expect_eq "$(rollup-l1 roots | jq -c '[.height, .status]' | paste -sd' ')" '[0,"verified"] [1,"verified"] [2,"verified"] [3,"verified"] [4,"verified"] [5,"verified"]'
expect_eq "$(rollup-l1 roots | tail -n1 | jq -r .root)" "0x$(exec_root | tr A-F a-f)"
# The snapshot copied to the host was removed (--cleanup) and sshd is still ours to stop.
kill -0 "$(cat "$WORK/ssh/sshd.pid")"
echo ok
