#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the gallery's headless-browser test.
# Idempotent: does nothing when both are already on PATH. Installing needs root or
# passwordless sudo; without either it installs nothing, says why on stderr and exits 0,
# so the test command still runs as an ordinary user (the browser tests then skip with
# this reason). A failed install where installing was possible exits non-zero.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "setup_browser.sh: cannot install chromium and chromium-driver: not root and no" \
    "passwordless sudo; the browser tests will skip (install both, or run as root)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core
command -v chromium >/dev/null && command -v chromedriver >/dev/null
