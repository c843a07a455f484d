"""The catalog of activation–penalty pairs: schema, coverage, and every closed-form pair
checked against an independent numeric Fourier transform.

Reference: |F[phi](k)| is computed by scipy quadrature of the classical m-th derivative of
phi on each half-line (m: the first order whose derivative decays), plus the jumps of the
lower derivatives at 0 (the delta terms of the distributional derivative), divided by k^m.
Expressions are evaluated by sympy.lambdify on the catalog's own (trusted, shipped) data, a
path independent of actdesign's evaluator; the penalty is evaluated by sympy at 25 digits.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as sc
import sympy as sp

import actdesign
from actdesign import catalog
from actdesign.infra._symbols import k as K
from actdesign.infra._symbols import z as Z

ENTRIES = catalog.entries()
T = sp.Symbol("t", positive=True)
KS = (0.3, 1.1, 2.5)
# the rows of the theory notes' Table I (every activation there must be in the catalog)
TABLE_I = ("relu", "leaky_relu", "abs", "step", "relu2", "relu3", "relu3_5", "elu", "softplus",
           "softplus_b4", "logistic", "tanh", "erf", "gelu", "silu", "gaussian", "cauchy",
           "laplace", "bessel_k0", "sinc", "wavepacket")


# --- schema and coverage ---------------------------------------------------------------------
def test_at_least_30_unique_entries():
    names = [e.name for e in ENTRIES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)


def test_every_table_i_activation_is_present():
    missing = set(TABLE_I) - set(catalog.names())
    assert not missing


def test_designed_families_are_covered():
    by = {e.name: e for e in ENTRIES}
    matern_orders = {e.penalty for e in ENTRIES if e.family == "matern"}
    assert len(matern_orders) >= 5
    assert sum(e.family == "bandpass" for e in ENTRIES) >= 4
    assert any(e.shape == "sigmoid" and e.source == "designed" for e in ENTRIES)
    assert any(e.shape == "relu" and e.source == "designed" for e in ENTRIES)
    assert {2, 3} <= {e.dim for e in ENTRIES}
    for name in ("design_cauchy", "design_gaussian", "matern_nu1_2", "design_sech"):
        assert by[name].source == "designed"
    assert any(e.designed for e in ENTRIES)  # some entries need the numeric design


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_record_fields_parse(entry):
    assert entry.family in catalog.FAMILIES
    assert entry.shape in catalog.SHAPES and entry.source in catalog.SOURCES
    assert isinstance(entry.dim, int) and entry.dim >= 1
    assert entry.references and all(isinstance(r, str) and r for r in entry.references)
    assert entry.notes and entry.title
    rho = actdesign.parse_penalty(entry.penalty)
    assert rho.free_symbols <= {K}
    if entry.designed:
        assert entry.phi_exact is None or actdesign.parse_activation(entry.phi_exact).has(Z)
    else:
        assert entry.phi_exact is None
        assert actdesign.parse_activation(entry.phi).free_symbols == {Z}


def test_get_and_unknown_name():
    assert catalog.get("relu").penalty == "k^4"
    with pytest.raises(catalog.CatalogError, match="no gallery entry named 'nope'.*gallery list"):
        catalog.get("nope")


def test_make_command_quotes_the_penalty():
    e = catalog.get("design_cauchy_2d")
    assert e.make_command() == ("actdesign make --penalty 'exp(2*k)' --dim 2 --shape bump "
                                "--name design_cauchy_2d --export torch,jax")


def test_loader_is_light():
    # the loader itself needs json + stdlib only: it must not pull in the heavy libraries
    code = ("import sys, actdesign.catalog as c; c.entries(); "
            "print(json.dumps(sorted(m for m in ('matplotlib', 'torch', 'jax', 'numba') "
            "if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == []


# --- the independent Fourier reference -------------------------------------------------------
_NUMPY = [{"hyper": lambda a, b, x: sc.hyp1f1(a[0], b[0], x)}, "scipy", "numpy"]


def _fn(expr):
    f = sp.lambdify(T, expr, modules=_NUMPY)
    return lambda s: float(np.real(f(s)))


@functools.cache
def _envelope(expr, t0):
    f = sp.lambdify(T, expr, modules="mpmath")  # arbitrary range: no overflow in the check
    return max(abs(f(mp.mpf(t0) + 0.37 * j)) for j in range(12))


def _decay(expr):
    """'zero', 'exp' (negligible by t = 200), 'alg' (decays), or None (does not decay)."""
    if expr == 0:
        return "zero"
    a, b = _envelope(expr, 200), _envelope(expr, 2000)
    if a < 1e-30:
        return "exp"
    return "alg" if b < 0.5 * a else None


def _quad(f, a, b, **kw):
    return si.quad(f, a, b, limit=2000, epsabs=1e-13, epsrel=1e-12, full_output=1, **kw)[0]


def _half_line(expr, kind, k):
    """∫_0^∞ f(t) e^{-ikt} dt."""
    f = _fn(expr)
    # plain adaptive quadrature near 0 (copes with endpoint singularities such as K0's log),
    # then Fourier-weighted quadrature: up to where f is negligible, or QAWF to infinity
    c = _quad(lambda t: f(t) * np.cos(k * t), 0, 1)
    s = _quad(lambda t: f(t) * np.sin(k * t), 0, 1)
    end = np.inf
    if kind == "exp":
        end = 2.0
        while _envelope(expr, end) > 1e-30:
            end *= 2
    c += _quad(f, 1, end, weight="cos", wvar=k)
    s += _quad(f, 1, end, weight="sin", wvar=k)
    return c - 1j * s


def fourier_abs(phi: sp.Expr, ks) -> list[float]:
    """|F[phi](k)| for k in ks (k > 0), independently of actdesign's transforms."""
    right, left = phi.subs(Z, T), phi.subs(Z, -T)
    for m in range(7):
        d_right, d_left = sp.diff(right, T, m), (-1) ** m * sp.diff(left, T, m)
        kinds = (_decay(d_right), _decay(d_left))
        if None not in kinds:
            break
    else:
        raise AssertionError(f"no derivative of {phi} up to order 6 decays")
    jumps = [float(sp.limit(sp.diff(right, T, j), T, 0, "+")
                   - sp.limit((-1) ** j * sp.diff(left, T, j), T, 0, "+")) for j in range(m)]
    out = []
    for k in ks:
        total = sum((J * (1j * k) ** (m - 1 - j) for j, J in enumerate(jumps)), 0j)
        if kinds[0] != "zero":
            total += _half_line(d_right, kinds[0], k)
        if kinds[1] != "zero":
            total += np.conj(_half_line(d_left, kinds[1], k))  # ∫_0^∞ f(-t) e^{+ikt} dt
        out.append(abs(total) / k**m)
    return out


def test_reference_reproduces_textbook_transforms():
    # the reference itself, on pairs from Erdélyi's tables: 1/(1+z^2) -> π e^{-|k|},
    # e^{-|z|} -> 2/(1+k^2), z_+^{1/2} -> Γ(3/2)/|k|^{3/2}
    ks = (0.5, 2.0)
    cases = [("1/(1+z^2)", lambda k: np.pi * np.exp(-k)),
             ("exp(-abs(z))", lambda k: 2 / (1 + k**2)),
             ("max(0, z)^(1/2)", lambda k: sc.gamma(1.5) / k**1.5)]
    for text, exact in cases:
        got = fourier_abs(actdesign.parse_activation(text), ks)
        np.testing.assert_allclose(got, [exact(k) for k in ks], rtol=1e-9)


CLOSED = [e for e in ENTRIES if not e.designed or e.phi_exact]


@pytest.mark.parametrize("entry", CLOSED, ids=lambda e: e.name)
def test_penalty_matches_phi(entry):
    """rho(k) |F[phi](k)|^2 = |k|^(D-1) at k = 0.3, 1.1, 2.5 (F[phi] = 0 where rho = inf)."""
    phi = actdesign.parse_activation(entry.phi_exact or entry.phi)
    rho = actdesign.parse_penalty(entry.penalty)
    for k, f in zip(KS, fourier_abs(phi, KS), strict=True):
        r = sp.N(rho.subs(K, k), 25)
        if r == sp.oo:
            assert f < 1e-8, (entry.name, k, f)
        else:
            assert abs(float(r) * f**2 / k ** (entry.dim - 1) - 1) < 1e-8, (entry.name, k)
