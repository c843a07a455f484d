#!/usr/bin/env bash
# Set up .venv (tools/setup.sh) and run the whole default test suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/setup.sh
# headless Chromium for the gallery's browser test (Debian packages; no-op when present;
# without root or passwordless sudo it says why and the browser tests skip)
bash tools/setup_browser.sh
# -rfEs: failures, errors and skips with their reasons on the summary line
exec .venv/bin/python -m pytest -n 2 -q -rfEs "$@"
