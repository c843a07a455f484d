#!/usr/bin/env bash
# Set up .venv (tools/setup.sh) and run the actdesign command-line tool with the given arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/setup.sh"
exec "$root/.venv/bin/actdesign" "$@"
