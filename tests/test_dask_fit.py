"""RadonSplineRegressor(client=...) on a 2-worker dask LocalCluster against the local fit.

The reference is the fit in this process (the tile loop of FeatureOperator, tested
against dense pseudo-inverses and splines in test_fit_regressor.py): the cluster runs
the same tiles with the same kernels and only adds the workers' partial sums in another
order. Another summation order changes the sums by rounding, which the solve amplifies by
the conditioning of the fit; how much depends on the BLAS and its thread count (a bare
1e-10 failed at 1.3e-10 with a multithreaded BLAS on 2 cores). So the tolerance is
derived from the problem, as docs/howto/scale-out.md does: the local fit's own change
when only its summation order changes (other tile sizes), times a safety factor.
"""

import math
import warnings

import numpy as np
import pytest

from actdesign import fit as F
from actdesign.fit.compute._dask import portable_map, split_columns
from actdesign.fit.compute._features import NUMPY, ActivationKernel

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


def _data(M, D, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (M, D))
    y = np.sin(3 * X[:, 0]) + X[:, -1] ** 2
    return X, y, rng.uniform(-1, 1, (300, D))


def _pair(client, X, y, act="relu(z)", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        here = F.RadonSplineRegressor(act, **kw).fit(X, y)
        there = F.RadonSplineRegressor(act, client=client, **kw).fit(X, y)
    return here, there


# The cluster's order of partial sums is one more summation order, like another tile
# size: its rounding is of the same size, up to the spread between orders (measured up
# to 5x between tile sizes), which this factor covers.
SAFETY = 10
EPS = np.finfo(float).eps


def _gaps(a, b, Xt):
    """Prediction gap and relative dual / output-coefficient gaps of two fits."""
    def rel(u, v):
        return np.max(np.abs(u - v)) / max(1.0, np.max(np.abs(v)))

    return np.array([np.max(np.abs(a.predict(Xt) - b.predict(Xt))),
                     rel(a.dual_coef_, b.dual_coef_), rel(a.coef_, b.coef_)])


def _other_tiles(act, X, y, kw, **fit_kw):
    """The local fit with the tile size halved and doubled: only the summation order moves."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        return [F.RadonSplineRegressor(act, **{**kw, "tile": t}).fit(X, y, **fit_kw)
                for t in (max(1, kw["tile"] // 2), 2 * kw["tile"])]


def _tolerance(here, others, Xt):
    # floor: a few ulps of the compared quantities, in case two orders happen to agree exactly
    scale = max(1.0, np.max(np.abs(here.predict(Xt))))
    change = np.max([_gaps(o, here, Xt) for o in others], axis=0)
    return SAFETY * np.maximum(change, 64 * EPS * np.array([scale, 1.0, 1.0]))


def _assert_same(here, there, Xt, others):
    assert there.solver_ == here.solver_ and there.rank_ == here.rank_
    gaps, tol = _gaps(there, here, Xt), _tolerance(here, others, Xt)
    assert np.all(gaps <= tol), f"cluster vs local (predict, dual, coef) {gaps} > {tol}"


@pytest.mark.parametrize("solver", ["eigh", "direct"])
def test_gram_path_equals_local_fit(client, solver):
    X, y, Xt = _data(300, 2)
    # tile=64 with N=1000: 16 tiles, the last one short, split 8 + 8 over the workers
    kw = dict(width=1000, seed=4, solver=solver, ridge=1e-4, tile=64)
    here, there = _pair(client, X, y, **kw)
    assert here.solver_ == solver
    _assert_same(here, there, Xt, _other_tiles("relu(z)", X, y, kw))


def test_sketch_path_equals_local_fit(client):
    # smooth features in 1-D are numerically low rank: the sketch, subspace iteration and
    # TSQR passes run on the workers and the spectrum is complete
    X, y, Xt = _data(300, 1)
    kw = dict(width=1500, seed=2, solver="lowrank", ridge=1e-6, tile=128)
    here, there = _pair(client, X, y, "tanh(z)", **kw)
    assert here.solver_ == "lowrank" and here.rank_ < 100
    _assert_same(here, there, Xt, _other_tiles("tanh(z)", X, y, kw))


def test_refit_and_coef_init_on_the_cluster(client):
    X, y, Xt = _data(250, 2, seed=1)
    theta0 = np.random.default_rng(7).normal(size=800)
    kw = dict(width=800, seed=5, solver="eigh", ridge=1e-3, tile=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        here = F.RadonSplineRegressor("relu(z)", **kw).fit(X, y, coef_init=theta0)
        there = F.RadonSplineRegressor("relu(z)", client=client, **kw).fit(X, y, theta0)
        others = _other_tiles("relu(z)", X, y, kw, coef_init=theta0)
        _assert_same(here, there, Xt, others)
        _assert_same(here.refit(ridge=1e-2), there.refit(ridge=1e-2), Xt,
                     [o.refit(ridge=1e-2) for o in others])


def test_quadrature_nodes_at_infinite_width(client):
    X, y, Xt = _data(120, 1, seed=2)
    kw = dict(width=math.inf, radius=2.0, quadrature=dict(panels=400), ridge=1e-3, tile=50)
    here, there = _pair(client, X, y, **kw)
    _assert_same(here, there, Xt, _other_tiles("relu(z)", X, y, kw))


def test_repeated_cluster_fits_are_bitwise_identical(client):
    X, y, _ = _data(200, 2, seed=3)
    kw = dict(width=700, seed=1, solver="eigh", tile=64, client=client)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        a = F.RadonSplineRegressor("relu(z)", **kw).fit(X, y)
        b = F.RadonSplineRegressor("relu(z)", **kw).fit(X, y)
    assert np.array_equal(a.dual_coef_, b.dual_coef_) and np.array_equal(a.coef_, b.coef_)


def test_radius_inf_kernel_stays_local_and_says_so(client):
    X, y, Xt = _data(60, 1, seed=4)
    here, there = _pair(client, X, y, width=math.inf, radius=math.inf)
    assert any("client= is not used" in n for n in there.notes_)
    assert np.array_equal(here.predict(Xt), there.predict(Xt))


def test_bad_client_and_numpy_route_are_refused():
    X, y, _ = _data(50, 1)
    with pytest.raises(F.FitError, match="dask.distributed.Client"):
        F.RadonSplineRegressor("relu(z)", width=10, client=object()).fit(X, y)
    # an activation no fused kernel reproduces runs on the numpy route: nothing to ship
    numpy_route = ActivationKernel(None, NUMPY, -1, np.zeros(1))
    fmap = F.FeatureMap(numpy_route, np.ones((3, 1)), np.zeros(3), np.ones(3), "numba")
    assert fmap.backend == "numpy"
    with pytest.raises(F.FitError, match="numba feature kernels"):
        portable_map(fmap)


@pytest.mark.parametrize("N,nb,parts", [(1000, 64, 2), (10, 64, 2), (4096, 512, 3), (7, 1, 7)])
def test_split_columns_covers_the_tiles_in_order(N, nb, parts):
    chunks = split_columns(N, nb, parts)
    assert chunks[0][0] == 0 and chunks[-1][1] == N
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    assert all(j0 % nb == 0 and j1 > j0 for j0, j1 in chunks)  # tile-aligned, non-empty
    tiles = [-(-(j1 - j0) // nb) for j0, j1 in chunks]
    assert max(tiles) - min(tiles) <= 1 and len(chunks) == min(parts, -(-N // nb))
