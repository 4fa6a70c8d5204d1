#!/usr/bin/env bash
# Builds an overlay workspace by hand, for kit developers: labs/ with reference/ copied over
# it, the hidden tests and the configs, node_modules linked. The grader does the same in code
# (grader/src/workspace.ts); this script is for looking inside one with an editor or jest.
# Usage: scripts/overlay-workspace.sh DIR   (then: cd DIR && npx tsc -p . && npx jest PATH)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/overlay-workspace.sh DIR}
rm -rf "$dir"
mkdir -p "$dir/grader"
cp -r "$root/labs" "$dir/labs"
cp -r "$root/reference/." "$dir/labs/"
[ -d "$root/grader/hidden" ] && cp -r "$root/grader/hidden" "$dir/grader/hidden"
cp "$root/tsconfig.json" "$root/tsconfig.jest.json" "$root/jest.config.js" "$dir/"
ln -s "$root/node_modules" "$dir/node_modules"
echo "$dir"
