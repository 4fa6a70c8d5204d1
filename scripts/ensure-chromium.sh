#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is at /usr/bin/chromium, for the trace page's browser
# test. The project's own setup step: it installs Debian's `chromium` package with apt-get when
# the browser is missing. It needs root and apt-get; without them it fails with a message that
# says what to do (the browser test then fails too: it never passes without a browser).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand so that $CHROMIUM exists." >&2
  exit 1
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing and installing it needs root; run 'sudo apt-get install -y chromium' (or run this script as root)." >&2
  exit 1
fi

# Another process may hold the dpkg lock (a parallel test run): wait for it rather than fail.
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing; check the apt output above." >&2
  exit 1
fi
