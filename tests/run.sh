#!/usr/bin/env bash
# Run every test tier with bun test and finish with one plain summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
node_modules/.bin/bun test --timeout 180000 tests/ 2> >(tee "$log" >&2)
rc=$?
wait
pass=$(grep -Eo '^ *[0-9]+ pass$' "$log" | grep -Eo '[0-9]+' | tail -1)
fail=$(grep -Eo '^ *[0-9]+ fail$' "$log" | grep -Eo '[0-9]+' | tail -1)
skip=$(grep -Eo '^ *[0-9]+ skip$' "$log" | grep -Eo '[0-9]+' | tail -1)
rm -f "$log"
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit $rc
