"""Gallery build cache: the first build against a rebuild with nothing changed.

Both builds run as the user runs them, ``actdesign gallery build --out DIR`` in a fresh
interpreter each (imports and start-up included), one after the other into a fresh
temporary folder; the ratio rebuild / first is the number to watch (target: < 0.10,
issue 6). Exit status 1 when the rebuild computed anything or missed the target.

Usage: python bench/gallery_rebuild.py [--all] [--jobs J] [NAME ...]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from actdesign import catalog

DEFAULT = ["relu", "tanh", "gaussian", "wavepacket", "matern_nu3_2", "sigmoid_gauss"]
EXE = str(Path(sys.executable).with_name("actdesign"))


def timed_build(out, names, jobs):
    cmd = [EXE, "gallery", "build", "--out", str(out), "--jobs", str(jobs)]
    if names is not None:
        cmd += ["--only", ",".join(names)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    sec = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"gallery build failed:\n{proc.stderr[-3000:]}")
    return sec, proc.stdout.strip().splitlines()[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"entries (default: {', '.join(DEFAULT)})")
    ap.add_argument("--all", action="store_true", help="every catalog entry")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    names = None if args.all else (args.names or DEFAULT)
    count = len(catalog.names()) if names is None else len(names)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        first, first_line = timed_build(out, names, args.jobs)
        again, again_line = timed_build(out, names, args.jobs)
    ratio = again / first
    print(f"entries            {count} (jobs={args.jobs})")
    print(f"first build        {first:8.2f} s  ({first_line})")
    print(f"rebuild, no change {again:8.3f} s  ({again_line})")
    print(f"ratio              {ratio:8.4f}  (target < 0.10)")
    return 0 if " 0 built" in again_line and ratio < 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
