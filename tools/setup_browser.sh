#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the gallery's headless-browser test.
# Idempotent: does nothing when both are already on PATH. Needs root or sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "setup_browser.sh: need root or sudo to apt-get install chromium chromium-driver" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core
command -v chromium >/dev/null && command -v chromedriver >/dev/null
