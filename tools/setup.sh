#!/usr/bin/env bash
# Create or refresh .venv in the repository root and install actdesign with its test extras.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=.venv/.actdesign-installed
want=$(cat pyproject.toml tools/constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c tools/constraints.txt -e ".[test]"
  echo "$want" > "$stamp"
fi
