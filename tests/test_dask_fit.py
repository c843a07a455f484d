"""RadonSplineRegressor(client=...) on a 2-worker dask LocalCluster against the local fit.

The reference is the fit in this process (the tile loop of FeatureOperator, tested
against dense pseudo-inverses and splines in test_fit_regressor.py): the cluster runs
the same tiles with the same kernels and only adds the workers' partial sums in another
order, so predictions, dual and output coefficients must agree to 1e-10. The sums differ
by rounding (~1e-16 relative), which the solve amplifies by cond(K + ridge I), so the
fits here have a ridge that keeps that product below 1e-10 (at ridge = 0 the local fit
is itself only reproducible to about eps * cond, e.g. across tile sizes).
"""

import math
import warnings

import numpy as np
import pytest

from actdesign import fit as F
from actdesign.fit._dask import portable_map, split_columns
from actdesign.fit._features import NUMPY, ActivationKernel

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


def _assert_same(here, there, Xt, tol=1e-10):
    assert there.solver_ == here.solver_ and there.rank_ == here.rank_
    assert np.max(np.abs(there.predict(Xt) - here.predict(Xt))) < tol
    scale = np.max(np.abs(here.dual_coef_))
    assert np.max(np.abs(there.dual_coef_ - here.dual_coef_)) < tol * max(1.0, scale)
    assert np.max(np.abs(there.coef_ - here.coef_)) < tol * max(1.0, np.max(np.abs(here.coef_)))


@pytest.mark.parametrize("solver", ["eigh", "direct"])
def test_gram_path_equals_local_fit(client, solver):
    X, y, Xt = _data(300, 2)
    # tile=64 with N=1000: 16 tiles, the last one short, split 8 + 8 over the workers
    here, there = _pair(client, X, y, width=1000, seed=4, solver=solver, ridge=1e-4, tile=64)
    assert here.solver_ == solver
    _assert_same(here, there, Xt)


def test_sketch_path_equals_local_fit(client):
    # smooth features in 1-D are numerically low rank: the sketch, subspace iteration and
    # TSQR passes run on the workers and the spectrum is complete
    X, y, Xt = _data(300, 1)
    kw = dict(width=1500, seed=2, solver="lowrank", ridge=1e-6, tile=128)
    here, there = _pair(client, X, y, "tanh(z)", **kw)
    assert here.solver_ == "lowrank" and here.rank_ < 100
    _assert_same(here, there, Xt)


def test_refit_and_coef_init_on_the_cluster(client):
    X, y, Xt = _data(250, 2, seed=1)
    theta0 = np.random.default_rng(7).normal(size=800)
    kw = dict(width=800, seed=5, solver="eigh", ridge=1e-3, tile=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        here = F.RadonSplineRegressor("relu(z)", **kw).fit(X, y, coef_init=theta0)
        there = F.RadonSplineRegressor("relu(z)", client=client, **kw).fit(X, y, theta0)
        _assert_same(here, there, Xt)
        _assert_same(here.refit(ridge=1e-2), there.refit(ridge=1e-2), Xt)


def test_quadrature_nodes_at_infinite_width(client):
    X, y, Xt = _data(120, 1, seed=2)
    kw = dict(width=math.inf, radius=2.0, quadrature=dict(panels=400), ridge=1e-3, tile=50)
    here, there = _pair(client, X, y, **kw)
    _assert_same(here, there, Xt)


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
