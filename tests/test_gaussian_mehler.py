"""The Mehler-series route of the width=inf Gaussian-law kernel (issue 11 follow-up).

References, independent of actdesign.fit.gaussian._mehler:
* the closed forms of actdesign.fit.gaussian._closed (arcsine, arc-cosine, GELU
  orthant kernels), with the numeric route forced;
* the adaptive bivariate-normal quadrature (actdesign.fit.gaussian._quad), another
  algorithm, for tanh and a designed activation.
"""

import numpy as np
import pytest

import actdesign
from actdesign.fit._laws import GaussianLaw
from actdesign.fit._options import as_activation
from actdesign.fit.gaussian import _kernel as _gaussian_kernel
from actdesign.fit.gaussian._kernel import (
    NUMERIC_ROUTE,
    _closed,
    _numeric_setup,
    gaussian_kernel,
    match,
)
from actdesign.fit.gaussian._mehler import mehler
from actdesign.fit.gaussian._quad import bivariate

LAW = GaussianLaw(1.5, 0.5)
TOL = 1e-9
CLOSED_CASES = ["erf(z)", "max(z, 0)", "z*(1+erf(z/sqrt(2)))/2", "Heaviside(z)"]


def _points():
    """|x| up to 10 in 1-D and 3-D, with near-diagonal pairs (rho -> 1) and x' ~ -x
    (rho -> -1)."""
    rng = np.random.default_rng(1)
    x1 = np.r_[np.linspace(-10, 10, 9), 3.0, 3.001, -3.0, 10.0 - 1e-4][:, None]
    x3 = rng.uniform(-10, 10, (8, 3)) / np.sqrt(3)
    x3 = np.r_[x3, x3[:2] + 1e-3, -x3[:2]]
    return x1, x3


def _entries(X):
    i, j = np.triu_indices(len(X))
    return LAW.covariances(X[i], X[j])


def _scale(m, s11, s22):
    return np.sqrt(_closed(m, s11, s11, s11, 0 * s11) * _closed(m, s22, s22, s22, 0 * s22))


@pytest.mark.parametrize("text", CLOSED_CASES)
def test_series_matches_closed_forms_and_bounds_its_error(text):
    act = as_activation(text)
    m = match(act)
    assert m is not None
    phi, kinks, centres, width = _numeric_setup(act)
    for X in _points():
        s11, s22, s12, det = _entries(X)
        val, err, ok = mehler(phi, s11, s22, s12, kinks=kinks, centres=centres, width=width)
        ref = _closed(m, s11, s22, s12, det)
        scale = _scale(m, s11, s22)
        assert ok.mean() > 0.2  # |x| up to 10 in 1-D: rho -> 1 for many pairs
        assert np.all(np.abs(val - ref)[ok] <= TOL * scale[ok])
        # the reported bound is never below the actual error, up to the closed forms' own
        # rounding (GELU's orthant formula loses ~50 eps at s11 ~ 100: checked with mpmath)
        assert np.all(np.abs(val - ref)[ok] <= err[ok] + 1e-13 * scale[ok])


def test_rho_near_plus_and_minus_one_is_left_to_the_fallback_or_accurate():
    act = as_activation("Heaviside(z)")
    phi, kinks, centres, width = _numeric_setup(act)
    s = np.array([4.0, 4.0, 25.0, 25.0, 9.0])
    c = np.array([4.0 * (1 - 1e-9), -4.0 * (1 - 1e-9), -25.0, 25.0 * 0.999999, 0.5])
    val, err, ok = mehler(phi, s, s, c, kinks=kinks, centres=centres, width=width)
    ref = _closed(match(act), s, s, c, s * s - c * c)
    assert np.all(np.abs(val - ref)[ok] <= err[ok] + 1e-15)
    # the step's coefficients decay like n^(-3/4): at |rho| = 1 no truncation is certified
    assert not ok[2] and ok[4]


@pytest.mark.parametrize(
    "text", [CLOSED_CASES[0]] + [pytest.param(t, marks=pytest.mark.slow) for t in CLOSED_CASES[1:]]
)
def test_numeric_route_with_fallback_matches_closed_forms(text, monkeypatch):
    act = as_activation(text)
    ref = [gaussian_kernel(act, X, None, LAW).matrix for X in _points()]
    monkeypatch.setattr(_gaussian_kernel, "match", lambda act: None)
    for X, R in zip(_points(), ref):
        K = gaussian_kernel(act, X, None, LAW)
        assert K.route == NUMERIC_ROUTE
        d = np.sqrt(np.diag(R))
        assert np.max(np.abs(K.matrix - R) / np.outer(d, d)) <= TOL
        assert np.max(np.abs(K.matrix - R)) <= K.error + 1e-13 * R.max()


@pytest.mark.parametrize("text", ["tanh(z)", "tanh(2*z - 1)", "designed"])
def test_series_matches_the_adaptive_quadrature(text):
    act = actdesign.design("exp(k)") if text == "designed" else as_activation(text)
    phi, kinks, centres, width = _numeric_setup(act)
    rng = np.random.default_rng(2)
    for X in (rng.uniform(-3, 3, (10, 1)), rng.uniform(-3, 3, (8, 3))):
        s11, s22, s12, det = _entries(X)
        val, err, ok = mehler(phi, s11, s22, s12, kinks=kinks, centres=centres, width=width)
        assert ok.mean() > 0.5
        ref, rerr = bivariate(phi, s11[ok], s22[ok], s12[ok], det=det[ok], kinks=kinks,
                              centres=centres, width=width)
        e11, e22 = (bivariate(phi, v[ok], v[ok], v[ok], det=0 * v[ok], kinks=kinks,
                              centres=centres, width=width)[0] for v in (s11, s22))
        scale = np.sqrt(e11 * e22)
        assert np.all(np.abs(val[ok] - ref) <= TOL * scale)
        assert np.all(np.abs(val[ok] - ref) <= err[ok] + rerr + 1e-15 * scale)


def test_zero_variance_is_phi0_squared():
    act = as_activation("tanh(z) + 1/2")
    phi, kinks, centres, width = _numeric_setup(act)
    val, err, ok = mehler(phi, [0.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0.0, 0.0, 0.0],
                          kinks=kinks, centres=centres, width=width)
    ref, _ = bivariate(phi, [0.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0.0, 0.0, 0.0],
                       kinks=kinks, centres=centres, width=width)
    assert ok.all()
    assert val[0] == 0.25
    np.testing.assert_allclose(val, ref, rtol=0, atol=1e-12)


def test_divergent_second_moment_is_infinite_not_a_hang():
    act = as_activation("exp(z**2)")  # E[phi(s Z)^2] = inf once s^2 >= 1/4
    phi, kinks, centres, width = _numeric_setup(act)
    with np.errstate(all="ignore"):
        val, err, ok = mehler(phi, [2.5, 0.01], [2.5, 0.01], [1.0, 0.005], kinks=kinks,
                              centres=centres, width=width)
    assert np.isinf(val[0]) and np.isfinite(val[1])
    # s11 = s22 = 0.01, rho = 1/2: E[e^{u^2 + v^2}] = det(I - 2 Sigma)^(-1/2)
    exact = 1 / np.sqrt((1 - 0.02) ** 2 - 4 * 0.005**2)
    assert ok[1] and abs(val[1] - exact) <= 1e-10 * exact
