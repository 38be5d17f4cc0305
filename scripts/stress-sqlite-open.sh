#!/usr/bin/env bash
# Runs the SQLite durability test (12 processes opening one new store at once) N times in a row with
# one core kept busy by a loop beside it, and prints how many runs passed. Not part of `npm test`.
# Usage: scripts/stress-sqlite-open.sh [N=20] [test file]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

runs="${1:-20}"
test_file="${2:-test/adapters/eventstore/sqlite-durability.test.ts}"
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/stress-sqlite-open-XXXXXX")"

( while :; do :; done ) &
busy_pid=$!
trap 'kill "$busy_pid" 2>/dev/null' EXIT

passed=0
failed=0
for run in $(seq 1 "$runs"); do
  if npx vitest run "$test_file" >"$log_dir/run-$run.log" 2>&1; then
    passed=$((passed + 1))
    echo "run $run/$runs: passed"
  else
    failed=$((failed + 1))
    echo "run $run/$runs: FAILED (log: $log_dir/run-$run.log)"
  fi
done

echo "stress-sqlite-open: $passed passed, $failed failed of $runs runs with a busy core ($test_file)"
[ "$failed" -eq 0 ] && rm -rf "$log_dir"
[ "$failed" -eq 0 ]
