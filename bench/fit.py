"""Benchmark of actdesign.fit against the plain numpy route (issue 8).

Measured side by side in one run; every part runs in its own subprocess so that its
peak memory (ru_maxrss) is its own:

* total fit, M = 4000 points in D = 2, N = 40000 Cauchy neurons (uniform law, R = max|x|):
  ``RadonSplineRegressor`` against a dense feature matrix + ``numpy.linalg.lstsq``
  (time, peak memory, test RMSE on 2000 held-out points);
* the Gram build (fused features + syrk accumulation) against M^2 N / (dgemm rate
  measured in the same process);
* the fused feature kernel against the same phi as a numpy expression on the same
  tiles, for 1/(1+z^2) and for an activation known only as a Tabulation;
* width = inf (R = inf) at M = 4000 against the finite-width numpy baseline;
* where cupy sees a CUDA device: the fit at M = 20000, N = 10^6, D = 3 with
  ``device="gpu"``, and M^2 N / (cuBLAS dsyrk rate measured in the same process) as a
  fraction of the whole fit's time (a lower bound on the Gram build's attained fraction).

Usage: ``.venv/bin/python bench/fit.py`` (about two minutes; the baseline needs ~4 GB).
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

M, N, D, M_TEST, SEED = 4000, 40000, 2, 2000, 1
ACT = "1/(1+z^2)"


def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (M, D))
    Xt = rng.uniform(-1, 1, (M_TEST, D))

    def f(X):
        bump = np.exp(-4 * ((X[:, 0] - 0.3) ** 2 + (X[:, 1] + 0.2) ** 2))
        return np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + 0.5 * bump

    return X, f(X) + 0.01 * rng.standard_normal(M), Xt, f(Xt)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def part_baseline():
    from actdesign.fit import UniformLaw

    X, y, Xt, yt = data()
    nr = UniformLaw().sample(N, X, y, np.random.default_rng(SEED))  # the regressor's neurons
    t = time.perf_counter()
    Phi = 1.0 / (1.0 + (X @ nr.w.T + nr.b) ** 2)
    mu, _, rank, _ = np.linalg.lstsq(Phi, y, rcond=None)
    sec = time.perf_counter() - t
    del Phi
    pred = (1.0 / (1.0 + (Xt @ nr.w.T + nr.b) ** 2)) @ mu
    return dict(
        seconds=sec,
        rmse=float(np.sqrt(np.mean((pred - yt) ** 2))),
        rank=int(rank),
        norm=float(np.linalg.norm(mu)),
        peak_mb=peak_mb(),
    )


def _warm():
    from actdesign.fit import RadonSplineRegressor

    X, y, _, _ = data()
    RadonSplineRegressor(ACT, width=64, seed=0).fit(
        X[:64], y[:64]
    )  # loads the cached numba kernels


def part_ours():
    from actdesign.fit import LowRankWarning, RadonSplineRegressor

    X, y, Xt, yt = data()
    _warm()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowRankWarning)
        t = time.perf_counter()
        m = RadonSplineRegressor(ACT, width=N, seed=SEED).fit(X, y)
        sec = time.perf_counter() - t
    rmse = float(np.sqrt(np.mean((m.predict(Xt) - yt) ** 2)))
    return dict(
        seconds=sec,
        rmse=rmse,
        rank=m.rank_,
        norm=m.coef_norm_,
        solver=m.solver_,
        rcond=m.rcond_,
        peak_mb=peak_mb(),
    )


def _dgemm_rate():
    a = np.random.default_rng(0).standard_normal((M, M))
    a @ a
    best = math.inf
    for _ in range(3):
        t = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t)
    return 2.0 * M**3 / best


def part_gram():
    import actdesign
    from actdesign.fit import FeatureMap, UniformLaw, compile_activation
    from actdesign.fit.compute._linalg import FeatureOperator
    from actdesign.fit.compute._memory import tile_columns

    X, y, _, _ = data()
    _warm()
    nr = UniformLaw().sample(N, X, y, np.random.default_rng(SEED))
    fmap = FeatureMap(compile_activation(actdesign.from_expression(ACT)), nr.w, nr.b, np.ones(N))
    op = FeatureOperator(fmap, X, nr.weights, np, tile_columns(M))
    rate = _dgemm_rate()
    t = time.perf_counter()
    op.gram()
    sec = time.perf_counter() - t
    rate2 = _dgemm_rate()
    ideal = M * M * N / max(rate, rate2)
    return dict(seconds=sec, ideal=ideal, gflops=max(rate, rate2) / 1e9, peak_mb=peak_mb())


def _tabulated():
    import actdesign
    from actdesign.fit.compute._tabulate import tabulate

    wave = actdesign.from_expression("exp(-z^2/2)*cos(3*z)")
    tab, _ = tabulate(wave, 64.0)
    return actdesign.Activation(
        "wavepacket_table", None, None, phi=None, tabulation=tab, method="numeric"
    )


def _time(fn, reps=5):
    fn()
    best = math.inf
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def part_kernel():
    import actdesign
    from actdesign.fit import FeatureMap, UniformLaw, compile_activation

    X, y, _, _ = data()
    _warm()
    nb = 2048
    nr = UniformLaw().sample(nb, X, y, np.random.default_rng(SEED))
    Wt = np.ascontiguousarray(nr.w.T)
    out = {}
    for name, act, expr in (
        ("cauchy", actdesign.from_expression(ACT), lambda Z: 1.0 / (1.0 + Z * Z)),
        ("tabulation", _tabulated(), None),
    ):
        k = compile_activation(act)
        fmap = FeatureMap(k, nr.w, nr.b, np.ones(nb))
        buf = np.empty((M, nb))
        fused = _time(lambda: fmap.tile(X, 0, nb, buf))  # noqa: B023
        f = expr if expr is not None else act.tabulation
        numpy = _time(lambda: f(X @ Wt + nr.b))  # noqa: B023
        ok = np.allclose(fmap.tile(X, 0, nb, buf), f(X @ Wt + nr.b), rtol=1e-9, atol=1e-12)
        out[name] = dict(
            fused=fused,
            numpy=numpy,
            route=k.route,
            agree=bool(ok),
            ns_per_element=fused / (M * nb) * 1e9,
        )
    return out


def part_infinite():
    from actdesign.fit import LowRankWarning, RadonSplineRegressor

    X, y, Xt, yt = data()
    _warm()
    RadonSplineRegressor(ACT, width=math.inf, radius=math.inf).fit(X[:64], y[:64])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowRankWarning)
        t = time.perf_counter()
        m = RadonSplineRegressor(ACT, width=math.inf, radius=math.inf).fit(X, y)
        sec = time.perf_counter() - t
    rmse = float(np.sqrt(np.mean((m.predict(Xt) - yt) ** 2)))
    return dict(seconds=sec, rmse=rmse, rank=m.rank_, solver=m.solver_, peak_mb=peak_mb())


GPU_M, GPU_N, GPU_D = 20000, 1_000_000, 3


def _gpu():
    try:
        import cupy as cp

        return cp if cp.cuda.runtime.getDeviceCount() > 0 else None
    except Exception:  # noqa: BLE001 - no cupy or no driver: no GPU part
        return None


def _dsyrk_rate(cp, m, k=4096):
    from cupy.cublas import syrk

    T = cp.random.default_rng(0).standard_normal((m, k))
    G = cp.zeros((m, m))
    syrk("N", T, out=G, alpha=1.0, beta=1.0, lower=False)  # warm-up
    cp.cuda.Device().synchronize()
    best = math.inf
    for _ in range(3):
        t = time.perf_counter()
        syrk("N", T, out=G, alpha=1.0, beta=1.0, lower=False)
        cp.cuda.Device().synchronize()
        best = min(best, time.perf_counter() - t)
    return float(m) * m * k / best  # a rank-k update of the upper triangle: m^2 k FLOP


def part_gpu():
    cp = _gpu()
    if cp is None:
        return dict(available=False)
    from actdesign.fit import LowRankWarning, RadonSplineRegressor

    rate = _dsyrk_rate(cp, GPU_M)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (GPU_M, GPU_D))
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + X[:, 2] ** 2
    RadonSplineRegressor(ACT, width=256, seed=0, device="gpu").fit(X[:256], y[:256])  # compile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowRankWarning)
        t = time.perf_counter()
        m = RadonSplineRegressor(ACT, width=GPU_N, seed=SEED, device="gpu").fit(X, y)
        cp.cuda.Device().synchronize()
        sec = time.perf_counter() - t
    ideal = float(GPU_M) ** 2 * GPU_N / rate
    return dict(available=True, seconds=sec, ideal=ideal, tflops=rate / 1e12, rank=m.rank_,
                train_rmse=m.train_rmse_, device=cp.cuda.runtime.getDeviceProperties(0)["name"].decode())


PARTS = {
    "gpu": part_gpu,
    "baseline": part_baseline,
    "ours": part_ours,
    "gram": part_gram,
    "kernel": part_kernel,
    "infinite": part_infinite,
}


def run(name):
    out = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"part {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    res = {name: run(name) for name in ("ours", "baseline", "gram", "kernel", "infinite")}
    b, o, g, k, i = (res[n] for n in ("baseline", "ours", "gram", "kernel", "infinite"))
    print(
        f"setup: M={M} points, D={D}, N={N} Cauchy neurons, uniform law R=max|x|, "
        f"{M_TEST} test points; dgemm {g['gflops']:.1f} GFLOP/s"
    )
    print(
        f"baseline (dense Phi + numpy.linalg.lstsq): {b['seconds']:.2f} s, "
        f"peak {b['peak_mb']:.0f} MB, "
        f"test RMSE {b['rmse']:.3e}, rank {b['rank']}, |mu| {b['norm']:.3g}"
    )
    print(
        f"actdesign.fit ({o['solver']}, rcond {o['rcond']:g}): {o['seconds']:.2f} s, peak "
        f"{o['peak_mb']:.0f} MB, test RMSE {o['rmse']:.3e}, rank {o['rank']}, |mu| {o['norm']:.3g}"
    )
    print(
        f"total fit time: {b['seconds'] / o['seconds']:.1f}x faster (target >= 8x), test RMSE "
        f"{'equal or better' if o['rmse'] <= b['rmse'] * 1.0001 else 'WORSE'} "
        f"({o['rmse'] / b['rmse']:.3f} of baseline)"
    )
    print(f"peak memory: {b['peak_mb'] / o['peak_mb']:.1f}x lower (target >= 8x)")
    print(
        f"Gram build: {g['seconds']:.2f} s = {g['seconds'] / g['ideal']:.2f}x of "
        f"M^2 N / dgemm rate "
        f"({g['ideal']:.2f} s) (target <= 1.4x)"
    )
    for name, target in (("cauchy", 5), ("tabulation", 10)):
        r = k[name]
        print(
            f"fused kernel, {name} [{r['route']}]: {r['numpy'] / r['fused']:.1f}x faster than "
            f"numpy on "
            f"{M}x2048 tiles ({r['ns_per_element']:.2f} ns/element; target >= {target}x; "
            f"agree: {r['agree']})"
        )
    print(
        f"width=inf (R=inf, {i['solver']}, rank {i['rank']}): {i['seconds']:.2f} s, "
        f"{b['seconds'] / i['seconds']:.1f}x faster than the finite-width baseline "
        f"(target >= 20x), "
        f"test RMSE {i['rmse']:.3e}"
    )
    gpu = run("gpu")
    if not gpu["available"]:
        print("GPU: no CUDA device visible to cupy; the M=20000, N=1e6, D=3 part was skipped")
        return
    print(
        f"GPU ({gpu['device']}): M={GPU_M}, N={GPU_N}, D={GPU_D} fit in {gpu['seconds']:.2f} s "
        f"(rank {gpu['rank']}, train RMSE {gpu['train_rmse']:.3e}); dsyrk {gpu['tflops']:.1f} "
        f"TFLOP/s; M^2 N / dsyrk rate = {gpu['ideal']:.2f} s = "
        f"{gpu['ideal'] / gpu['seconds']:.2f} of the whole fit (target >= 0.5 for the Gram build)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(PARTS[sys.argv[1]]()))
    else:
        main()
