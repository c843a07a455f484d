"""Nystrom (FALKON) fits at M = 1e4, 1e5, 1e6 points in 2-D, m = 1e4 centres.

    .venv/bin/python bench/million.py                     # all sizes, sklearn at 1e5
    .venv/bin/python bench/million.py --sizes 1e4 1e5     # quicker
    .venv/bin/python bench/million.py --choose            # choose_penalty subset vs exact

Every fit runs in its own subprocess, which reports its wall time and peak resident
memory (``ru_maxrss``; the interpreter with numpy, scipy and numba loaded is about
0.2 GiB of it). The kernel is the width = inf, R = inf kernel of the Gaussian bump
``exp(-z^2)`` under the uniform law: a closed-form autocorrelation, tabulated once and
evaluated by the fused numba pass. Targets (issue 20): log-log slope of time in M at
most 1.2; M = 1e6 within 15 minutes and 4 GiB; at M = 1e5, time no worse than
scikit-learn's ``Nystroem`` + ``Ridge`` with the same kernel (precomputed: K_nm and K_mm
from the same table), m and ridge, at most a fifth of its peak memory, equal test RMSE.
The scikit-learn side holds M x m features (twice, while transforming): at m = 1e4 and
M = 1e5 that is 16 GB, so it runs at the largest m (<= --centres) whose estimate fits
in half the memory available, and the line says which m was used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

ACT = "exp(-z^2)"
HERE = os.path.dirname(os.path.abspath(__file__))


def data(M, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (M, 2))
    f = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1])
    return X, f + 0.05 * rng.standard_normal(M), f


def child_nystrom(M, m, ridge):
    from actdesign.fit import RadonSplineRegressor

    X, y, _ = data(M, 0)
    Xt, _, ft = data(10_000, 1)
    t0 = time.perf_counter()
    model = RadonSplineRegressor(
        ACT, width=math.inf, radius=math.inf, ridge=ridge, solver="nystrom", centres=m, seed=0
    ).fit(X, y)
    t1 = time.perf_counter()
    pred = model.predict(Xt)
    t2 = time.perf_counter()
    ny = model.nystrom_
    return dict(
        fit_s=t1 - t0, predict_s=t2 - t1, rmse=float(np.sqrt(np.mean((pred - ft) ** 2))),
        iterations=ny["iterations"], residual=ny["residual"], per_pass_s=ny["seconds"]["per_pass"],
        preconditioner_s=ny["seconds"]["preconditioner"], moments_s=ny["seconds"]["moments"],
    )


def child_sklearn(M, m, ridge):
    """scikit-learn Nystroem(kernel="precomputed") + Ridge on the same kernel table."""
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import Ridge

    from actdesign.fit import RadonSplineRegressor
    from actdesign.fit._laws import UniformLaw
    from actdesign.fit._options import as_activation
    from actdesign.fit.nystrom._blocks import RadialBlocks

    X, y, _ = data(M, 0)
    Xt, _, ft = data(10_000, 1)
    t0 = time.perf_counter()
    est = RadonSplineRegressor(ACT, width=math.inf, radius=math.inf)  # the kernel table only
    est.notes_, est.degree_, est.train = [], 0.0, "mu"
    est._radial_setup(as_activation(ACT), UniformLaw(math.inf), X)
    C = X[np.sort(np.random.default_rng(0).choice(M, m, replace=False))]
    blocks = RadialBlocks(est._radial, C)
    Knm = blocks.block(X)  # the kernel evaluation sklearn's callable route would do
    ny = Nystroem(kernel="precomputed", n_components=m, random_state=0).fit(blocks.gram())
    feats = ny.transform(Knm)
    del Knm
    reg = Ridge(alpha=ridge, fit_intercept=False).fit(feats, y)
    t1 = time.perf_counter()
    pred = reg.predict(ny.transform(blocks.block(Xt)))
    return dict(fit_s=t1 - t0, predict_s=time.perf_counter() - t1,
                rmse=float(np.sqrt(np.mean((pred - ft) ** 2))))


def run_child(kind, M, m, ridge):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", kind, str(M), str(m), str(ridge)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{kind} M={M} failed:\n{out.stderr[-3000:]}")
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    rec["wall_s"] = wall
    return rec


def sklearn_m(M, m):
    """The largest m' <= m whose sklearn peak (3 M x m' float64 arrays) fits in half the
    available memory."""
    from actdesign.fit.compute._memory import available_bytes

    budget = available_bytes() / 2
    while m > 100 and 3 * 8 * M * m > budget:
        m //= 2
    return m


def choose_report(M=5000, sub=1000):
    """choose_penalty's marginal likelihood: the documented subset estimate vs exact."""
    from actdesign.choose import FAMILIES, choose_penalty
    from actdesign.choose import _objective as O

    X, y, _ = data(M, 2)
    t0 = time.perf_counter()
    ch = choose_penalty(X, y, family="matern", fixed={"p": 2.0}, max_points=sub, design=False)
    t1 = time.perf_counter()
    fit = ch.fits["matern"]
    C = O.correlation(FAMILIES["matern"], fit.params, O.Distances(X), 2)
    exact, _ = O.log_marginal(C, y, fit.eta)
    t2 = time.perf_counter()
    est = fit.value * M / sub
    print(f"choose_penalty at M={M}: subset of {sub} points (documented estimator: the "
          f"exact marginal likelihood of a random subset, scaled by M/{sub})")
    print(f"  log marginal likelihood at the fitted parameters: exact (all {M} points) "
          f"{exact:.1f} nats, subset estimate {est:.1f} nats, relative difference "
          f"{abs(est - exact) / abs(exact):.2%}; per point {exact / M:.4f} vs "
          f"{fit.value / sub:.4f}")
    print(f"  time: subset fit {t1 - t0:.1f} s, one exact evaluation {t2 - t1:.1f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6])
    ap.add_argument("--centres", type=int, default=10_000)
    ap.add_argument("--ridge", type=float, default=1e-3)
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--choose", action="store_true")
    ap.add_argument("--child", nargs=4)
    a = ap.parse_args()
    if a.child:
        kind, M, m, ridge = a.child
        fn = child_nystrom if kind == "nystrom" else child_sklearn
        rec = fn(int(M), int(m), float(ridge))
        rec["maxrss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(json.dumps(rec))
        return
    if a.choose:
        choose_report()
        return
    print(f"kernel: width=inf, R=inf, {ACT} (uniform law), 2-D, ridge {a.ridge:g}, "
          f"cores {os.cpu_count()}", flush=True)
    times, sizes = [], []
    for Mf in a.sizes:
        M = int(Mf)
        m = min(a.centres, M)
        r = run_child("nystrom", M, m, a.ridge)
        times.append(r["fit_s"])
        sizes.append(M)
        print(f"M={M:>8} m={m} fit {r['fit_s']:8.1f} s (CG {r['iterations']} it, "
              f"{r['per_pass_s']:.2f} s/pass, preconditioner {r['preconditioner_s']:.1f} s)  "
              f"predict 1e4 pts {r['predict_s']:.2f} s  peak RSS {r['maxrss_gib']:.2f} GiB  "
              f"test RMSE {r['rmse']:.4f}", flush=True)
        if M == 100_000 and not a.no_sklearn:
            ms = sklearn_m(M, m)
            r1 = r if ms == m else run_child("nystrom", M, ms, a.ridge)
            s = run_child("sklearn", M, ms, a.ridge)
            print(f"  side by side at M={M}, m={ms}: actdesign {r1['fit_s']:.1f} s, "
                  f"{r1['maxrss_gib']:.2f} GiB, RMSE {r1['rmse']:.4f} | sklearn Nystroem+Ridge "
                  f"{s['fit_s']:.1f} s, {s['maxrss_gib']:.2f} GiB, RMSE {s['rmse']:.4f} | time "
                  f"ratio {r1['fit_s'] / s['fit_s']:.2f} (target <= 1), memory ratio "
                  f"{r1['maxrss_gib'] / s['maxrss_gib']:.2f} (target <= 0.2)", flush=True)
    if len(sizes) >= 2:
        slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
        big = [s for s in sizes if s > a.centres]
        tail = ""
        if len(big) >= 2:
            sel = [i for i, s in enumerate(sizes) if s > a.centres]
            tail_slope = np.polyfit(np.log(big), np.log([times[i] for i in sel]), 1)[0]
            tail = f"; over M > m only: {tail_slope:.2f}"
        print(f"log-log slope of fit time in M: {slope:.2f} (target <= 1.2){tail}")


if __name__ == "__main__":
    main()
