"""Exports at infinity and NaN (issue 18): every export is finite-or-limit.

At z = 0, +-1e-300 and +-1e30 value and gradient are numbers (finite, or +-inf where the
activation overflows the dtype), never NaN; at z = +-inf they equal the mathematical
limits of phi and phi'; NaN passes through. Checked in float32 and float64, for the
PyTorch module and the JAX function.

The expected limits come from the design, not from the export: for a closed form, phi
and phi' evaluated by SymPy at |z| = 1e100 with 50 digits (classified as 0, +-inf or the
constant it has reached); for a numeric design, its tail laws (leading coefficient of the
polynomial part; the decaying part tends to 0 with its slope).

The default run covers the designs named in issue 18 and a sample of the gallery's pairs
(closed forms with inf/inf and 0*inf at infinity, numeric tables with polynomial and
decaying tails); the slow run covers every pair of the gallery catalogue.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
import sympy as sp

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import actdesign  # noqa: E402
from actdesign import catalog  # noqa: E402
from actdesign.infra._symbols import z as Z  # noqa: E402

# the reproductions of issue 18: (penalty, design options)
ISSUE = {
    "exp(k)": ("exp(k)", {}),
    "exp(k^2)": ("exp(k^2)", {}),
    "exp(2*k) dim 3": ("exp(2*k)", {"dim": 3}),
    "exp(k^2) relu": ("exp(k^2)", {"shape": "relu"}),
    "exp(k) sigmoid": ("exp(k)", {"shape": "sigmoid"}),
    "1+k^4 relu": ("1+k^4", {"shape": "relu"}),
    "k^2 sigmoid": ("k^2", {"shape": "sigmoid"}),
}
GALLERY_SAMPLE = ("gelu", "relu_gauss", "matern_nu5_2", "design_cauchy_2d", "sigmoid_cauchy",
                  "laplace", "sinc", "relu_laplace")
POINTS = (0.0, 1e-300, -1e-300, 1e30, -1e30)
FAR_EXPONENTS = (100, 60, 40, 20)  # where the reference reads the limits: |z| = 10**e


@functools.cache
def _design(penalty, shape="bump", dim=1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return actdesign.design(penalty, shape=shape, dim=dim)


def _gallery(name):
    e = catalog.get(name)
    return e.penalty, e.shape, e.dim


def _classify(v: float) -> float:
    """A value read far out, as the limit it shows: 0, +-inf or the constant."""
    if abs(v) < 1e-30:
        return 0.0
    if abs(v) > 1e30:
        return math.copysign(math.inf, v)
    return v


def _far_value(f, s):
    """f at s * 10**e, 50 digits, for the largest e in FAR_EXPONENTS mpmath can reach
    (exp(-z^2) at 1e100 overflows its exponent arithmetic)."""
    for e in FAR_EXPONENTS:
        try:
            return _classify(float(sp.re(f.xreplace({Z: s * sp.Integer(10) ** e}).evalf(50))))
        except (OverflowError, ValueError):
            continue
    raise AssertionError(f"no far value of {f}")


def _closed_limits(phi):
    d = sp.diff(phi, Z).replace(sp.DiracDelta, lambda *_: sp.S.Zero)
    return tuple(tuple(_far_value(f, s) for f in (phi, d)) for s in (1, -1))


def _law_limits(law, s):
    """(value, slope) limits of a TailLaw at s * inf (the decaying term tends to 0)."""
    poly = [float(c) for c in law.poly]
    while poly and poly[-1] == 0.0:
        poly.pop()

    def lim(coefs):
        if not coefs:
            return 0.0
        n = len(coefs) - 1
        return coefs[0] if n == 0 else math.copysign(math.inf, coefs[-1] * s**n)

    return lim(poly), lim([j * c for j, c in enumerate(poly)][1:])


def expected_limits(act):
    """((value, slope) at +inf, (value, slope) at -inf) from the design itself."""
    if act.phi is not None:
        return _closed_limits(act.phi)
    tab = act.tabulation
    return _law_limits(tab.right, 1), _law_limits(tab.left, -1)


def _torch_eval(act, dtype):
    mod = act.to_torch()
    z = torch.tensor([*POINTS, math.inf, -math.inf, math.nan], dtype=dtype, requires_grad=True)
    v = mod(z)
    v.sum().backward()
    return v.detach().double().numpy(), z.grad.double().numpy()


def _jax_eval(act, dtype):
    f = act.to_jax()
    z = jnp.asarray([*POINTS, math.inf, -math.inf, math.nan], dtype=dtype)
    v = jax.vmap(f)(z)
    g = jax.vmap(jax.grad(f))(z)
    return np.asarray(v, dtype=float), np.asarray(g, dtype=float)


BACKENDS = {"torch": _torch_eval, "jax": _jax_eval}
DTYPES = {"float32": (torch.float32, jnp.float32), "float64": (torch.float64, jnp.float64)}


def _limit_equal(got, want, eps):
    if math.isinf(want) or want == 0.0:
        return got == want
    # a constant limit (sigmoid levels, linear slopes) printed from float64 and rounded
    # to the dtype: a few units of its last place
    return math.isclose(got, want, rel_tol=4 * eps)


def check(act, backend, dtype_name):
    dt = DTYPES[dtype_name][0 if backend == "torch" else 1]
    v, g = BACKENDS[backend](act, dt)
    n = len(POINTS)
    # finite-or-limit: never NaN at the finite probe points
    assert not np.isnan(v[:n]).any(), f"value NaN at {np.array(POINTS)[np.isnan(v[:n])]}"
    assert not np.isnan(g[:n]).any(), f"gradient NaN at {np.array(POINTS)[np.isnan(g[:n])]}"
    eps = np.finfo(np.float32 if dtype_name == "float32" else np.float64).eps
    (vp, sp_), (vm, sm) = expected_limits(act)
    for got, want, what in ((v[n], vp, "value at +inf"), (v[n + 1], vm, "value at -inf"),
                            (g[n], sp_, "gradient at +inf"), (g[n + 1], sm, "gradient at -inf")):
        assert _limit_equal(got, want, eps), f"{what}: {got} != limit {want}"
    assert np.isnan(v[n + 2]), f"NaN maps to {v[n + 2]}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", ISSUE)
def test_issue_reproductions_are_finite_or_limit(case, backend, dtype):
    penalty, opts = ISSUE[case]
    check(_design(penalty, **opts), backend, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", GALLERY_SAMPLE)
def test_gallery_sample_is_finite_or_limit(name, backend, dtype):
    penalty, shape, dim = _gallery(name)
    check(_design(penalty, shape, dim), backend, dtype)


def _all_designable():
    return [e.name for e in catalog.entries()]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", _all_designable())
def test_every_gallery_pair_is_finite_or_limit(name, backend, dtype):
    penalty, shape, dim = _gallery(name)
    try:
        act = _design(penalty, shape, dim)
    except actdesign.ActdesignError as why:  # refused designs (e.g. relu^p) export nothing
        pytest.skip(f"design refused: {why}")
    check(act, backend, dtype)


def test_reference_limits_are_the_known_ones():
    # the reference itself, on pairs whose limits are known by hand
    relu_gauss = actdesign.from_expression("z*erfc(-z/sqrt(2))/2 + exp(-z^2/2)/sqrt(2*pi)")
    assert expected_limits(relu_gauss) == ((math.inf, 1.0), (0.0, 0.0))
    logistic = actdesign.from_expression("1/(1 + exp(-z))")
    assert expected_limits(logistic) == ((1.0, 0.0), (0.0, 0.0))
    assert _law_limits(actdesign.TailLaw(poly=(0.5, -2.0, 0.0)), -1) == (math.inf, -2.0)
