# Every numeric option is range-checked (a usage error, exit 2, naming the option) instead of
# wrapping "-1" to 2^64-1 or reaching an internal error; a state file name is always a path.
# (Hardening items 5, 6, 7.)
source "$(dirname "$0")/lib.bash"

rollup-keygen -o seq.key --dev 1000 >/dev/null
rollup-keygen -o alice.key --dev 1 >/dev/null
BOB=$(rollup-keygen -o bob.key --dev 2)

# usage_error 'REGEX' CMD... : exit 2, one diagnostic line, nothing on stdout.
usage_error() {
  local regex=$1; shift
  expect_status 2 "$@"
  expect_err "$regex"
  expect_eq "$(wc -c < "$WORK/out")" 0 "'$*' wrote to stdout"
}

# Item 5: rollup-l1 init took 2^53 (then refused every tx), and -1 gave exit 5.
usage_error "--chain-id: .*at most 9007199254740991" rollup-l1 init --sequencer-key seq.key --chain-id 9007199254740992
usage_error "--chain-id: .*unsigned" rollup-l1 init --sequencer-key seq.key --chain-id -1
usage_error "--deposit-deadline: a duration is" rollup-l1 init --sequencer-key seq.key --deposit-deadline -1
usage_error "--dev-accounts: .*unsigned" rollup-l1 init --sequencer-key seq.key --dev-accounts -1
usage_error "--dev-accounts: .*at most 1048576" rollup-l1 init --sequencer-key seq.key --dev-accounts 1048577
usage_error "--namespace: .*at most 4294967295" rollup-l1 init --sequencer-key seq.key --namespace 4294967296
[ ! -e rollup.db ] || fail "a refused init created the state file"
rollup-l1 init --dev --sequencer-key seq.key --chain-id 9007199254740991 --namespace 1 -q
rollup-l1 fund --to "$(rollup-keygen --show alice.key)" --amount 100
usage_error "--amount: .*at least 1" rollup-l1 fund --to "$BOB" --amount 0
usage_error "--amount: .*unsigned" rollup-l1 deposit --key alice.key --amount -5
usage_error "--from: .*unsigned" rollup-l1 blocks --from -1

# Item 6: rollup-tx --nonce -1 wrote nonce 18446744073709551615 with exit 0.
for opt in --nonce --fee --chain-id --amount; do
  usage_error "$opt: .*unsigned" rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 $opt -1
  usage_error "$opt: .*at most 9007199254740991" rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 $opt 9007199254740992
  usage_error "$opt: .*at most" rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0 $opt 99999999999999999999999
done
for bad in 0x10 1e3 +5 " 5" 5.0 ""; do
  usage_error "--nonce: .*unsigned" rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce "$bad"
done
expect_status 0 rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0007
expect_eq "$(jq .nonce "$WORK/out")" 7
usage_error "--dev: .*unsigned" rollup-keygen -o neg.key --dev -1
[ ! -e neg.key ] || fail "a refused rollup-keygen wrote a key file"
usage_error "--count: .*unsigned" rollup-tx batch --dev-accounts 2 -n -1
usage_error "--max-amount: .*at most 1099511627776" rollup-tx batch --dev-accounts 2 --max-amount 1099511627777
usage_error "--seed: .*unsigned" rollup-tx batch --dev-accounts 2 --seed -1
usage_error "--max-txs: .*at least 1" rollup-seq --key seq.key --max-txs 0
usage_error "--max-wait-ms: .*unsigned" rollup-seq --key seq.key --max-wait-ms -1
usage_error "--timestamp: .*unsigned" rollup-seq --key seq.key --timestamp -1
usage_error "--max-deposits: .*unsigned" rollup-seq --key seq.key --max-deposits -1
usage_error "--threads: .*at most 256" rollup-exec --threads 257
usage_error "--until: .*unsigned" rollup-exec --follow --until -1
usage_error "--poll-ms: .*unsigned" rollup-exec --follow --poll-ms -1
usage_error "--range: .*at least 1" rollup-prove --range 0
usage_error "--threads: .*unsigned" rollup-prove --threads -1
usage_error "--min-security: .*at most 128" rollup-verify --min-security 129
usage_error "--index: .*unsigned" rollup-query --index -1
usage_error "--height: .*unsigned" rollup-query --index 0 --height -1

# Item 7: a state file is a path. "file:u.db" once opened u.db as an SQLite URI, and ":memory:"
# "succeeded" and kept nothing.
mkdir uri && cd uri
rollup-l1 init --dev --sequencer-key ../seq.key --db file:u.db -q
[ -e file:u.db ] || fail "--db file:u.db did not create the file named file:u.db"
[ ! -e u.db ] || fail "--db file:u.db was read as a URI"
expect_status 0 rollup-l1 status --db file:u.db
expect_eq "$(jq -r .kind "$WORK/out")" l1.status
ROLLUP_DB=file:u.db expect_status 0 rollup-l1 status
cd ..
usage_error "memory" rollup-l1 init --sequencer-key seq.key --db :memory:
usage_error "memory" rollup-l1 status --db :memory:
ROLLUP_DB=:memory: usage_error "memory" rollup-exec </dev/null
usage_error "empty" rollup-l1 status --db ""

# Item 15: a key file others can read is refused (exit 4) by every tool that reads one.
chmod 644 alice.key
expect_status 4 rollup-keygen --show alice.key
expect_err "^rollup-keygen: permissions 0644 for 'alice.key' are too open"
expect_status 4 rollup-tx transfer --key alice.key --to "$BOB" --amount 5 --nonce 0
expect_err "permissions 0644 for 'alice.key' are too open"
chmod 600 alice.key
# -f replaces a symlink, never its target; a failed write (full disk) leaves nothing behind.
echo precious > target
ln -s target sym.key
expect_status 2 rollup-keygen -o sym.key
expect_status 0 rollup-keygen -f -o sym.key
expect_eq "$(cat target)" precious "rollup-keygen -f wrote through a symlink"
[ -f sym.key ] && [ ! -L sym.key ] || fail "sym.key is not a regular file now"
expect_status 4 bash -c 'trap "" XFSZ; ulimit -f 0; rollup-keygen -o full.key'
[ ! -e full.key ] && [ -z "$(ls -A | grep '^\.full')" ] || fail "a failed rollup-keygen left a file"
expect_status 0 rollup-keygen -o full.key
echo ok
