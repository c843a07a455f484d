"""The table route of the width = inf Gaussian-law kernel (issue 20, item 2).

Reference: the exact numeric route (Mehler series with its truncation bound, adaptive
bivariate quadrature; itself checked against closed forms and mpmath in
test_gaussian_kernels.py / test_gaussian_mehler.py), never the table against itself.
The table targets 1e-8 of sqrt(K(x, x) K(x', x')); these tests keep |x| small enough
(scales 0.5..1 to 0.5..4) that a build takes seconds; bench/gaussian_kernel.py runs |x| <= 10.
"""

import weakref

import numpy as np
import pytest

import actdesign
from actdesign.fit._laws import GaussianLaw
from actdesign.fit._options import as_activation
from actdesign.fit.gaussian import _kernel as _gaussian_kernel
from actdesign.fit.gaussian import _table as _gaussian_table
from actdesign.fit.gaussian._kernel import NUMERIC_ROUTE, TABLE_ROUTE, gaussian_kernel

LAW = GaussianLaw(1.5, 0.5)
TOL = 1e-8


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    """Each test builds its own tables and leaves none behind for other test files."""
    monkeypatch.setattr(_gaussian_table, "_CACHE", {})
    monkeypatch.setattr(_gaussian_table, "_WEAK", weakref.WeakKeyDictionary())


def _ball(rng, m, d, radius):
    x = rng.normal(size=(m, d))
    return radius * rng.uniform(0, 1, (m, 1)) ** (1 / d) * x / np.linalg.norm(x, axis=1)[:, None]


def _points(radius, seed=0):
    """Random points in 1-D and 3-D with near-diagonal (rho -> 1) and antipodal pairs."""
    rng = np.random.default_rng(seed)
    out = []
    for d in (1, 3):
        X = _ball(rng, 12, d, radius)
        out.append(np.r_[X, X[:3] + 1e-6, -X[3:5], X[5:6] * 0.999])
    return out


def _check(act, radius, seed=0):
    """Table vs exact route on every pair: relative error <= TOL and <= its report."""
    for X in _points(radius, seed):
        Y = X[::3] * 0.9  # a rectangular block as well (the Nystrom solver's calls)
        Z = np.r_[X, Y]
        exact = gaussian_kernel(act, Z, None, LAW, fast=False)
        assert exact.route == NUMERIC_ROUTE
        d = np.sqrt(np.diag(exact.matrix))
        n = len(X)
        for B, cols in ((None, slice(0, n)), (Y, slice(n, None))):
            fast = gaussian_kernel(act, X, B, LAW, fast=True)
            assert fast.route == TABLE_ROUTE, fast.note()
            diff = np.abs(fast.matrix - exact.matrix[:n, cols])
            assert np.max(diff / np.outer(d[:n], d[cols])) <= TOL
            assert np.max(diff) <= fast.error + exact.error
            assert "validated error" in fast.note()


def test_tanh_table_matches_the_exact_route():
    _check(as_activation("tanh(z)"), 1.0)


def test_designed_activation_table_matches_the_exact_route():
    # design("exp(k)") is the Cauchy density 1/(pi (z^2 + 1)): no Gaussian closed form
    act = actdesign.design("exp(k)")
    assert _gaussian_kernel.match(act) is None
    _check(act, 0.3, seed=1)


def test_block_calls_share_one_table_and_widen_it_once(monkeypatch):
    act = as_activation("tanh(z)")
    X = _ball(np.random.default_rng(3), 40, 2, 0.6)
    builds = []
    real = _gaussian_table.build
    monkeypatch.setattr(_gaussian_table, "build", lambda *a, **k: builds.append(a) or real(*a, **k))
    for rows in (slice(0, 10), slice(10, 25), slice(25, 40)):
        gaussian_kernel(act, X[rows], X, LAW, fast=True)
    assert len(builds) == 1
    gaussian_kernel(act, X * 3, X, LAW, fast=True)  # scales beyond the range: one rebuild
    assert len(builds) == 2
    table = next(iter(_gaussian_table._CACHE.values()))[(1.5, 0.5)]
    assert table.covers(np.log(0.5), np.log(np.sqrt(1.5**2 * 1.8**2 + 0.25)))


def test_large_calls_choose_the_table_small_ones_the_exact_route(monkeypatch):
    act = as_activation("tanh(z)")
    X = np.linspace(-1.5, 1.5, 20)[:, None]
    Y = np.linspace(-1.0, 1.0, 100)[:, None]  # X x Y: 2000 entries
    assert gaussian_kernel(act, X, None, LAW).route == NUMERIC_ROUTE
    assert gaussian_kernel(act, X, Y, LAW).route == NUMERIC_ROUTE  # no table built yet
    large = _gaussian_kernel.FAST_ENTRIES
    monkeypatch.setattr(_gaussian_kernel, "FAST_ENTRIES", 100)
    assert gaussian_kernel(act, X, None, LAW).route == TABLE_ROUTE
    monkeypatch.setattr(_gaussian_kernel, "FAST_ENTRIES", large)
    # once built, the table also serves mid-sized calls (a blocked evaluation's short
    # last block), not tiny ones
    assert gaussian_kernel(act, X, Y, LAW).route == TABLE_ROUTE
    assert gaussian_kernel(act, X, None, LAW).route == NUMERIC_ROUTE
    # closed forms keep their route whatever the size
    assert "closed form" in gaussian_kernel(as_activation("erf(z)"), X, None, LAW).route


def test_zero_scale_falls_back_to_the_exact_route():
    act = as_activation("tanh(z)")
    law = GaussianLaw(1.5, 0.0)  # x = 0 then has Var u = 0: no log-scale
    X = np.array([[0.0], [0.5], [1.0]])
    K = gaussian_kernel(act, X, None, law, fast=True)
    assert K.route == NUMERIC_ROUTE and "Var u > 0" in K.note()


def test_a_table_that_misses_its_tolerance_is_not_used(monkeypatch):
    # a table too coarse for 1e-8 (4 nodes in the scales, 16 in the angle) fails its own
    # validation against the exact route, and the kernel comes from the exact route
    act = as_activation("tanh(z)")
    monkeypatch.setattr(_gaussian_table, "N_LAM", 4)
    monkeypatch.setattr(_gaussian_table, "N_W", 16)
    X = np.linspace(-1.5, 1.5, 6)[:, None]
    K = gaussian_kernel(act, X, None, LAW, fast=True)
    assert K.route == NUMERIC_ROUTE and "missed" in K.note()
    table = next(iter(_gaussian_table._CACHE.values()))[(1.5, 0.5)]
    assert not table.ok and table.error > TOL


def test_kinked_numeric_activation_takes_the_exact_route():
    # relu shifted has no closed form; its Mehler series fails near rho = +-1 at every
    # scale, so a table would need the adaptive quadrature at most of its nodes: the
    # kernel comes from the exact route, and the note says why
    act = as_activation("max(z - 1/2, 0)")
    assert _gaussian_kernel.match(act) is None
    X = np.linspace(-1.0, 1.0, 5)[:, None]
    K = gaussian_kernel(act, X, None, LAW, fast=True)
    assert K.route == NUMERIC_ROUTE and "kinked" in K.note()
