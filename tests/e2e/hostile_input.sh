# Input built to break the readers rather than the rules (Hardening items 4, 8, 9): numbers no
# double holds, NUL bytes, duplicate keys, over-long lines and deep nesting are bad input like
# any other, exit 3 with FILE:LINE, and --keep-going goes on after them.
source "$(dirname "$0")/lib.bash"

note='{"kind":"note","v":1}'
# check_hostile 'line' REGEX : every stream tool refuses the line alone (exit 3, FILE:LINE), and
# with --keep-going passes the good line after it through and still exits 3.
check_hostile() {
  local line=$1 regex=$2 tool
  printf '%s\n' "$line" > hostile.ndjson
  printf '%s\n%s\n' "$line" "$note" > hostile-then-good.ndjson
  for tool in rollup-submit rollup-exec "rollup-prove" "rollup-verify"; do
    expect_status 3 $tool hostile.ndjson
    expect_err "^${tool}: hostile.ndjson:1: .*$regex"
    [ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "$tool printed more than one diagnostic line"
    expect_status 3 $tool --keep-going hostile-then-good.ndjson
    expect_eq "$(cat "$WORK/out")" "$note" "$tool --keep-going did not go on after the bad line"
  done
}

# A key of our own, not a dev key: a dev contract would add its warning to every diagnostic.
rollup-keygen -o seq.key >/dev/null
rollup-l1 init --sequencer-key seq.key --chain-id 1 --namespace 1 -q

# Item 4: numbers that JSON can write but no double holds (the parser's out_of_range, once exit 5).
check_hostile '{"kind":"note","v":1,"x":1e400}' "number out of range"
check_hostile "{\"kind\":\"note\",\"v\":1,\"x\":$(head -c 5000 /dev/zero | tr '\0' 7)}" "number out of range"
check_hostile '{"kind":"note","v":1,"x":-1e400}' "number out of range"
# The issue's own command.
expect_status 3 bash -c "printf '{\"kind\":\"note\",\"v\":1,\"x\":1e400}\n{\"kind\":\"note\",\"v\":1}\n' | rollup-submit --keep-going"
expect_eq "$(cat "$WORK/out")" "$note"

# Item 9: a NUL byte ended nlohmann's input, so the text after it went unseen (and was passed on).
printf '%s\0garbage\n' "$note" > nul.ndjson
printf '%s\0garbage\n%s\n' "$note" "$note" > nul-then-good.ndjson
for tool in rollup-submit rollup-exec rollup-prove rollup-verify "rollup-seq --key seq.key"; do
  expect_status 3 $tool nul.ndjson
  expect_err "^${tool%% *}: nul.ndjson:1: invalid json: NUL byte"
  expect_status 3 $tool --keep-going nul-then-good.ndjson
  [ "$(tr -cd '\0' < "$WORK/out" | wc -c)" -eq 0 ] || fail "$tool passed a NUL byte on"
done
# Duplicate keys: which copy wins is the parser's choice, so neither is taken.
check_hostile '{"kind":"note","v":1,"x":1,"x":2}' 'duplicate key "x"'
check_hostile '{"kind":"note","kind":"block","v":1}' 'duplicate key "kind"'

# Item 8: nesting is bounded (25 million brackets once cost 1.9 GB) ...
check_hostile "{\"kind\":\"note\",\"v\":1,\"x\":$(printf '[%.0s' {1..65})$(printf ']%.0s' {1..65})}" "nesting deeper than 64"
expect_status 0 rollup-submit <<<"{\"kind\":\"note\",\"v\":1,\"x\":$(printf '[%.0s' {1..62})$(printf ']%.0s' {1..62})}"
{ head -c 25000000 /dev/zero | tr '\0' '['; head -c 25000000 /dev/zero | tr '\0' ']'; echo; } > deep.ndjson
expect_status 3 bash -c "ulimit -v 1000000; rollup-submit deep.ndjson"
expect_err "^rollup-submit: deep.ndjson:1: invalid json: nesting deeper than 64"
# ... and so is the line: 64 MiB, checked while reading, not after buffering the whole line.
{ printf '{"kind":"note","v":1,"pad":"'; head -c 100000000 /dev/zero | tr '\0' a; printf '"}\n%s\n' "$note"; } > long.ndjson
expect_status 3 bash -c "ulimit -v 1000000; rollup-submit long.ndjson"
expect_err "^rollup-submit: long.ndjson:1: line longer than 64 MiB"
[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "more than one diagnostic for a long line"
expect_status 3 rollup-exec --keep-going long.ndjson
expect_eq "$(cat "$WORK/out")" "$note" "--keep-going did not go on after the long line"
echo ok
