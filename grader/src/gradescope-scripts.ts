/**
 * The two scripts Gradescope requires at the root of an autograder zip: `setup.sh` (run once,
 * as root, when Gradescope builds the image) and `run_autograder` (run once per submission).
 * Both read `AUTOGRADER_ROOT` (default `/autograder`), so the package's self-test can run them
 * in a simulated layout under a temporary folder.
 *
 * @module
 */

/** Folder of the package (and of `/autograder/source`) that holds the kit. */
export const PACKAGED_KIT_FOLDER = 'kit';

/**
 * `setup.sh`: installs Node.js (the version the package was built with, from nodejs.org,
 * checked against the release's published SHA-256 sums) unless the image already has a Node
 * the kit supports, then the kit's locked dependencies with `npm ci`, and compiles the grader
 * once so that every submission starts fast.
 */
export function setupScript(nodeVersion: string): string {
  if (!/^v\d+\.\d+\.\d+$/.test(nodeVersion)) throw new Error(`Node version ${nodeVersion} is not of the form v20.1.2.`);
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image; \`tinykv
# gradescope-package\` wrote it. It installs Node.js ${nodeVersion} (unless the image already has
# a Node 20 to 22), then the kit's locked dependencies, then compiles the grader once.
set -euo pipefail
AUTOGRADER_ROOT="\${AUTOGRADER_ROOT:-/autograder}"
KIT="$AUTOGRADER_ROOT/source/${PACKAGED_KIT_FOLDER}"
NODE_VERSION="${nodeVersion}"

node_fits() {
  command -v node >/dev/null 2>&1 || return 1
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] && [ "$major" -le 22 ]
}

install_node() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "setup.sh: Node.js publishes no Linux build for $(uname -m)" >&2; exit 1 ;;
  esac
  if ! command -v curl >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends ca-certificates curl
  fi
  local name="node-$NODE_VERSION-linux-$arch"
  local scratch
  scratch="$(mktemp -d)"
  curl -fsSL "https://nodejs.org/dist/$NODE_VERSION/$name.tar.gz" -o "$scratch/$name.tar.gz"
  curl -fsSL "https://nodejs.org/dist/$NODE_VERSION/SHASUMS256.txt" -o "$scratch/SHASUMS256.txt"
  (cd "$scratch" && grep " $name.tar.gz\\$" SHASUMS256.txt | sha256sum -c -)
  tar -xzf "$scratch/$name.tar.gz" -C /usr/local --strip-components=1 --no-same-owner
  rm -rf "$scratch"
}

if ! node_fits; then install_node; fi
echo "setup.sh: node $(node --version), npm $(npm --version)"
cd "$KIT"
npm ci --no-audit --no-fund
node bin/tinykv.js stages >/dev/null
echo "setup.sh: the kit is installed in $KIT"
`;
}

/**
 * `run_autograder`: grades `$AUTOGRADER_ROOT/submission` with `tinykv gradescope-run` and makes
 * sure `results/results.json` exists even if the grader could not start (Gradescope otherwise
 * shows the student only that the autograder failed). Gradescope copies this script to
 * `/autograder/run_autograder`, so it finds the kit from `AUTOGRADER_ROOT`, not from its own path.
 */
export function runAutograderScript(): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in a fresh container; \`tinykv
# gradescope-package\` wrote it. Its output goes to the instructor only (results/stdout).
set -uo pipefail
AUTOGRADER_ROOT="\${AUTOGRADER_ROOT:-/autograder}"
KIT="$AUTOGRADER_ROOT/source/${PACKAGED_KIT_FOLDER}"
RESULTS="$AUTOGRADER_ROOT/results/results.json"
mkdir -p "$AUTOGRADER_ROOT/results"
rm -f "$RESULTS"
cd "$KIT" && node bin/tinykv.js gradescope-run --root "$AUTOGRADER_ROOT"
if [ ! -s "$RESULTS" ]; then
  echo "run_autograder: the grader wrote no results; writing a score of 0 that says so" >&2
  printf '%s\\n' '{"score": 0, "output": "The autograder could not grade this submission because of a problem on the grading side, not in your code. Your instructor can see the details; please tell them.", "stdout_visibility": "hidden", "tests": []}' >"$RESULTS"
fi
exit 0
`;
}
