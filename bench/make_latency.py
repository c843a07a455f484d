"""Wall time of `actdesign make --penalty "exp(k)"` and of `python -c "import actdesign"`,
each as a ratio to `python -c "import sympy"`.

All are measured in the same run, each in a fresh process, alternating, so machine noise
hits them alike; medians of --repeat runs. Targets: make <= 2.5x, import <= 1.5x.
Run: .venv/bin/python bench/make_latency.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd, cwd):
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("actdesign"))
    make, base, imp = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        timed([exe, "make", "--penalty", "exp(k)", "--force"], tmp)  # warm the file cache
        for _ in range(args.repeat):
            base.append(timed([sys.executable, "-c", "import sympy"], tmp))
            imp.append(timed([sys.executable, "-c", "import actdesign"], tmp))
            make.append(timed([exe, "make", "--penalty", "exp(k)", "--force"], tmp))
    m, b, i = statistics.median(make), statistics.median(base), statistics.median(imp)
    print(f"import sympy          median {b * 1e3:8.1f} ms  (n={args.repeat})")
    print(f"import actdesign      median {i * 1e3:8.1f} ms  (n={args.repeat})")
    print(f"actdesign make exp(k) median {m * 1e3:8.1f} ms  (n={args.repeat})")
    print(f"ratio import actdesign / import sympy = {i / b:.2f}  (target <= 1.5)")
    print(f"ratio make / import sympy = {m / b:.2f}  (target <= 2.5)")


if __name__ == "__main__":
    main()
