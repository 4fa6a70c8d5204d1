#!/usr/bin/env bash
# Draws the picture of a balancing run for handout part 3C (labs/3-multiraft/balance-run.svg and
# balance-run.txt), from one seeded run of the 3C end-to-end scenario. In the instructor edition
# it runs on the reference (an overlay workspace, as the grader builds); in the student edition,
# on your own code. Deterministic: rerunning it with the same seed redraws the same picture.
# Usage: scripts/balance-picture.sh [--seed N] [--trace FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/labs/3-multiraft"
if [ -d "$root/reference" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tinykv-balance-picture.XXXXXX")
  trap 'rm -rf "$dir"' EXIT
  "$root/scripts/overlay-workspace.sh" "$dir/ws" >/dev/null
  mkdir -p "$dir/ws/scripts"
  cp "$root/scripts/balance-picture.ts" "$dir/ws/scripts/"
  node "$root/bin/run-ts.js" "$dir/ws/scripts/balance-picture.ts" --out-dir "$out" "$@"
else
  node "$root/bin/run-ts.js" "$root/scripts/balance-picture.ts" --out-dir "$out" "$@"
fi
