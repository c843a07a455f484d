"""A fit on a dask LocalCluster against the same fit in this process, side by side.

Prints, in one run, for M points and N ReLU neurons (default M = 8000, N = 80000, D = 2):

1. the local fit time and the fit time with a 2-worker LocalCluster (client=), their
   ratio (target <= 1.2), and the largest difference of the predictions at the training
   points and at fresh points (target <= 1e-10), with the local fit's own sensitivity
   to the order of sums (``--reference``: a local refit with another tile size) as the
   reference scale;
2. the measured per-tile costs used by docs/howto/scale-out.md: evaluating one tile of
   M x nb features, its syrk Gram update, its sketch product with k columns, and moving
   one M x M partial Gram between processes.

The cluster is started, and numba compiled on its workers, before anything is timed.
The workers are processes with one task thread each whose BLAS and numba pools get
``cores // workers`` threads, so the cluster and the local fit use the same cores.
The default solver is ``direct`` (Gram + Cholesky): at this size the ReLU features are
not low rank at rcond = 1e-6, and ``auto`` would try the sketch first and then fall
back to the same Gram. ``--solver lowrank`` times the sketch passes instead.

Run: ``python bench/dask_fit.py [--points 8000] [--width 80000] [--solver direct]
[--ridge 1e-6] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import time
import warnings

import numpy as np

from actdesign.fit import FeatureMap, RadonSplineRegressor, compile_activation
from actdesign.fit.compute._backend import syrk_update
from actdesign.fit.compute._memory import tile_columns

print = functools.partial(print, flush=True)  # noqa: A001 - progress shows as it comes


def data(M, D, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (M, D))
    y = np.sin(3.0 * X[:, 0]) * np.cos(2.0 * X[:, 1]) + 0.1 * X.sum(1)
    return X, y, rng.uniform(-1.0, 1.0, (2000, D))


def timed_fit(X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a low-rank note is not the point here
        t = time.perf_counter()
        model = RadonSplineRegressor("relu(z)", **kw).fit(X, y)
        return model, time.perf_counter() - t


def costs_here(X, k=256, repeat=3):
    """Seconds per tile in this process: evaluation, syrk Gram update, sketch product."""
    M, D = X.shape
    nb = tile_columns(M)
    rng = np.random.default_rng(1)
    W = rng.standard_normal((nb, D))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    fmap = FeatureMap(compile_activation(_relu()), W, rng.uniform(-1, 1, nb), np.ones(nb),
                      "numba")
    T = fmap.tile(X, 0, nb)
    G = np.zeros((M, M), order="F")
    Om = rng.standard_normal((nb, k))

    def best(fn):
        fn()
        out = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return min(out)

    return dict(M=M, nb=nb, k=k, eval=best(lambda: fmap.tile(X, 0, nb, T)),
                gram=best(lambda: syrk_update(G, T, np)), sketch=best(lambda: T @ Om))


def tile_costs(X, client):
    """Per-tile costs measured on a worker (its thread settings), and the M x M transfer."""
    worker = sorted(client.scheduler_info()["workers"])[0]
    c = client.submit(costs_here, X, workers=[worker], pure=False).result()
    M = X.shape[0]
    G = np.random.default_rng(2).standard_normal((M, M))  # incompressible, like a Gram
    t = time.perf_counter()
    fut = client.scatter(G, workers=[worker], hash=False)
    back = client.submit(np.copy, fut, pure=False).result()
    c["move"] = (time.perf_counter() - t) / 2  # one trip each way
    del back
    return c


def project(c, M, N, P, k, passes=6):
    """Seconds and bytes per worker at (M, N) on P workers like the measured one.

    Per-unit costs from the tile measurements: e per feature value, g per multiply-add
    of the Gram update (syrk: M^2 nb / 2 of them per tile), s per multiply-add of the
    sketch product, bw bytes/s between processes. Gram path: N/P columns per worker,
    a log2(P)-deep tree of M x M partials, a Cholesky (M^3 / 3) on one such core.
    Sketch path: ``passes`` passes of width k (sketch rounds, power step, TSQR,
    adjoint), a tree of M x k partials per pass, a QR of M x k on one core.
    """
    m0, nb, k0 = c["M"], c["nb"], c["k"]
    e = c["eval"] / (m0 * nb)
    g = c["gram"] / (m0 * m0 * nb / 2)
    s = c["sketch"] / (m0 * nb * k0)
    bw = 8 * m0 * m0 / c["move"]
    depth = max(1, math.ceil(math.log2(P)))
    gram = dict(tiles=N / P * (M * e + M * M / 2 * g), reduce=depth * 8 * M * M / bw,
                solve=M**3 / 3 * g, memory=8 * M * M)
    sketch = dict(tiles=passes * N / P * (M * e + M * k * s),
                  reduce=passes * depth * 8 * M * k / bw, solve=2 * M * k * k * s, memory=8 * M * k * 2)
    return gram, sketch


def print_costs(c, N):
    M = c["M"]
    print(f"per tile on one worker (M={M} x nb={c['nb']}, {-(-N // c['nb'])} tiles): "
          f"evaluation {c['eval'] * 1e3:.1f} ms, syrk Gram update {c['gram'] * 1e3:.1f} ms, "
          f"sketch product (k={c['k']}) {c['sketch'] * 1e3:.1f} ms")
    print(f"moving one M x M array ({8 * M * M / 2**20:.0f} MiB) between processes: "
          f"{c['move']:.2f} s")
    for M1, N1, P, k in ((10**6, 10**7, 64, 2000), (10**5, 10**6, 64, 2000)):
        gram, sk = project(c, M1, N1, P, k)
        for name, p in (("Gram", gram), ("sketch", sk)):
            total = p["tiles"] + p["reduce"] + p["solve"]
            print(f"projection M={M1:.0e} N={N1:.0e} P={P} {name:6s}: "
                  f"tiles {p['tiles'] / 3600:9.1f} h, reduction {p['reduce'] / 3600:7.2f} h, one-node solve "
                  f"{p['solve'] / 3600:9.1f} h (total {total / 3600:9.1f} h), "
                  f"{p['memory'] / 2**30:9.1f} GiB per worker")


def _relu():
    from actdesign.fit._options import as_activation

    return as_activation("relu(z)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=8000)
    ap.add_argument("--width", type=int, default=80000)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--solver", default="direct")
    ap.add_argument("--ridge", type=float, default=1e-6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reference", action="store_true",
                    help="also refit locally with another tile size (the order-of-sums scale)")
    ap.add_argument("--costs-only", action="store_true",
                    help="only the per-tile costs and the projections (no fits)")
    args = ap.parse_args()
    import dask
    from distributed import Client, LocalCluster

    per = str(max(1, (os.cpu_count() or 1) // args.workers))
    pools = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    dask.config.set({"distributed.nanny.pre-spawn-environ": environ | dict.fromkeys(pools, per)})

    M, N = args.points, args.width
    X, y, Xt = data(M, args.dim)
    kw = dict(width=N, seed=3, solver=args.solver, ridge=args.ridge)
    print(f"M={M} N={N} D={args.dim} relu solver={args.solver} ridge={args.ridge:g} "
          f"cores={os.cpu_count()} workers={args.workers} "
          f"(processes, {per} BLAS/numba threads each)")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        if args.costs_only:
            print_costs(tile_costs(X, client), N)
            return
        Xw, yw, _ = data(200, args.dim, seed=5)  # compile numba here and on the workers
        timed_fit(Xw, yw, width=500, seed=0)
        timed_fit(Xw, yw, width=500, seed=0, client=client)

        loc, t_loc = timed_fit(X, y, **kw)
        print(f"local fit      {t_loc:8.2f} s")
        dis, t_dis = timed_fit(X, y, client=client, **kw)
        d_train = np.abs(loc.predict(X) - dis.predict(X)).max()
        d_test = np.abs(loc.predict(Xt) - dis.predict(Xt)).max()
        d_alpha = np.abs(loc.dual_coef_ - dis.dual_coef_).max() / np.abs(loc.dual_coef_).max()
        print(f"solver used: local {loc.solver_} (rank {loc.rank_}), "
              f"cluster {dis.solver_} (rank {dis.rank_})")
        print(f"cluster fit    {t_dis:8.2f} s   ratio {t_dis / t_loc:.3f} (target <= 1.2)")
        print(f"max |pred diff| training points {d_train:.2e}, fresh points {d_test:.2e} "
              f"(target <= 1e-10); rel. dual-coefficient diff {d_alpha:.2e}")
        if args.reference:
            ref, _ = timed_fit(X, y, tile=tile_columns(M) - 7, **kw)
            d_ref = np.abs(loc.predict(Xt) - ref.predict(Xt)).max()
            a_ref = np.abs(loc.dual_coef_ - ref.dual_coef_).max() / np.abs(loc.dual_coef_).max()
            print(f"reference: a local fit with another tile size differs by {d_ref:.2e} at "
                  f"fresh points, {a_ref:.2e} in the dual coefficients (relative)")
        print_costs(tile_costs(X, client), N)


if __name__ == "__main__":
    main()
