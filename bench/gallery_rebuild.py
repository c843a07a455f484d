"""Gallery build cache: the first build of a set of entries against a rebuild with nothing changed.

Both builds run in this process, one after the other, into a fresh temporary folder; the
ratio rebuild / first is the number to watch (target: < 0.10, issue 6).

Usage: python bench/gallery_rebuild.py [--all] [--jobs J] [NAME ...]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from actdesign import catalog
from actdesign.gallery import build

DEFAULT = ["relu", "tanh", "gaussian", "wavepacket", "matern_nu3_2", "sigmoid_gauss"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"entries (default: {', '.join(DEFAULT)})")
    ap.add_argument("--all", action="store_true", help="every catalog entry")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    names = catalog.names() if args.all else (args.names or DEFAULT)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        t0 = time.perf_counter()
        first = build(out, names=names, jobs=args.jobs, progress=False)
        t1 = time.perf_counter()
        again = build(out, names=names, jobs=args.jobs, progress=False)
        t2 = time.perf_counter()
    print(f"entries            {len(names)} (jobs={args.jobs})")
    print(f"first build        {t1 - t0:8.2f} s  "
          f"({len(first.built)} computed, {len(first.failed)} failed)")
    print(f"rebuild, no change {t2 - t1:8.3f} s  "
          f"({len(again.built)} computed, {len(again.cached)} cached)")
    print(f"ratio              {(t2 - t1) / (t1 - t0):8.4f}  (target < 0.10)")
    return 0 if not again.built else 1


if __name__ == "__main__":
    sys.exit(main())
