#!/usr/bin/env bash
# Issue #9's speed figure: this tree's prover against the prover of the day the issue was filed,
# on the same realistic block (1,024 transfers among 1,000,000 accounts, 10% to new keys), back to
# back in the same run, ROUNDS times alternating (this machine is shared and noisy: compare within
# a round). Prints each run's phase breakdown and, per round, the ratio of the baseline's prove
# total to this tree's.
# The baseline is built once from BASE_REV (default d189d2b, main just before the first change
# for the issue) in a temporary worktree, with its benchmark's one bug mended the way this tree's
# is: its "new" keys were dev keys 900000.., inside the genesis range at a million accounts, so
# they were not new.
# Usage: bench/prover_vs_baseline.sh [ROUNDS] [bench_rollup_air options...]   (run by hand; a
# Release build in build/ or $ROLLUP_BUILD_DIR; BASELINE_BENCH=path skips the baseline build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ROLLUP_BUILD_DIR:-$root/build}
rounds=${1:-1}
shift || true
base_rev=${BASE_REV:-d189d2b}
work=$(mktemp -d)
cleanup() {
  git -C "$root" worktree remove --force "$work/base" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

baseline=${BASELINE_BENCH:-}
if [ -z "$baseline" ]; then
  echo "building the baseline prover at $base_rev ..."
  git -C "$root" worktree add -q --detach "$work/base" "$base_rev"
  sed -i 's/crypto::dev_key(900000 + i)/crypto::dev_key(1000 + accounts + i)/' "$work/base/bench/bench_rollup_air.cpp"
  grep -q 'dev_key(1000 + accounts + i)' "$work/base/bench/bench_rollup_air.cpp" ||
    { echo "the baseline's benchmark did not take the fix: see this script" >&2; exit 1; }
  cmake -S "$work/base" -B "$work/base/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/base/build" -j"$(nproc)" --target bench_rollup_air >/dev/null
  baseline=$work/base/build/bench_rollup_air
fi
# The baseline's default was a smaller block: name the realistic one.
base_args=(--txs 1024 --accounts 1000000 --new 102 "$@")
new_args=("$@")

total_of() { awk '/^prove total/ { print $3 }' "$1"; }
for round in $(seq 1 "$rounds"); do
  echo "== round $round: baseline ($base_rev)"
  "$baseline" "${base_args[@]}" | tee "$work/base.txt"
  echo "== round $round: this tree"
  "$bin/bench_rollup_air" "${new_args[@]}" | tee "$work/new.txt"
  awk -v b="$(total_of "$work/base.txt")" -v n="$(total_of "$work/new.txt")" \
    'BEGIN { printf "== round %d: prove total %.1f s -> %.1f s: %.2fx faster\n", '"$round"', b, n, b / n }'
done
