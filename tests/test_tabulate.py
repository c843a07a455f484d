"""The one tabulator (actdesign.tabulate._hermite) on both knot layouts, against mpmath.

Three phi: kinked (a Laplace bump with its kink at 1/3), smooth (erf) and slowly
decaying (Cauchy, 1/z^2 tails). Derivatives are handed to the tabulator as numpy
closed forms; every table is compared with phi evaluated by mpmath at 30 digits,
at points that are not the tabulator's own check points.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import actdesign
from actdesign import Tabulation, TailLaw
from actdesign._export import _fallback
from actdesign.fit.compute import _tabulate as fit_tabulate
from actdesign.infra._symbols import z as Z
from actdesign.tabulate._hermite import Accuracy, Layout, TabulationError, assemble, hermite, pieces
from actdesign.tabulate._hermite import tabulate as hermite_table

KINK = 1 / 3


def _laplace(x, nu=0):
    u = np.asarray(x, dtype=float) - KINK
    f = np.exp(-np.abs(u))
    return (f, -np.sign(u) * f, f)[nu]


def _erf(x, nu=0):
    from scipy.special import erf

    x = np.asarray(x, dtype=float)
    g = 2 / math.sqrt(math.pi) * np.exp(-x * x)
    return (erf(x), g, -2 * x * g)[nu]


def _cauchy(x, nu=0):
    x = np.asarray(x, dtype=float)
    d = 1 + x * x
    return (1 / d, -2 * x / d**2, (6 * x * x - 2) / d**3)[nu]


CASES = {  # name: (derivatives, mpmath reference, kinks, sympy closed form)
    "kinked": (_laplace, lambda x: mp.exp(-abs(x - mp.mpf(1) / 3)), [KINK], "exp(-abs(z - 1/3))"),
    "smooth": (_erf, mp.erf, [], "erf(z)"),
    "slow": (_cauchy, lambda x: 1 / (1 + x * x), [], "1/(1 + z^2)"),
}


def _reference(ref, z):
    with mp.workdps(30):
        return np.array([float(ref(mp.mpf(float(v)))) for v in z])


def _probe(limit):
    """Points off the check grid: irrational offsets, both sides of the kink, near 0."""
    z = np.linspace(-limit, limit, 1601) + math.pi * 1e-4
    near = KINK + np.array([-1e-9, -1e-6, 1e-6, 1e-9])
    tiny = np.geomspace(1e-12, 1, 40)
    return np.concatenate([z[np.abs(z) < limit], near, tiny, -tiny])


@pytest.mark.parametrize("name", sorted(CASES))
def test_graded_layout_matches_mpmath(name):
    f, ref, kinks, _ = CASES[name]
    tol = 1e-10
    knots, coeffs, err = hermite_table(f, fit_tabulate.graded(20.0), kinks, Accuracy(tol))
    assert err <= tol
    assert knots[0] <= -20 and knots[-1] >= 20 and np.all(np.isin(kinks, knots))
    tab = Tabulation(knots, coeffs, TailLaw(), TailLaw())
    z = _probe(20.0)
    want = _reference(ref, z)
    worst = np.max(np.abs(tab(z) - want) / np.maximum(1.0, np.abs(want)))
    assert worst < 10 * tol, f"{name}: graded table off by {worst:.2e}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_octave_layout_matches_mpmath_relatively(name):
    f, ref, kinks, _ = CASES[name]
    layout = _fallback.octaves(f, 6)  # |z| < 64
    knots, coeffs, err = hermite_table(f, layout, kinks, _fallback.ACCURACY)
    assert err <= _fallback.TOL
    assert knots[0] == -64 and knots[-1] == 64 and np.all(np.isin(kinks, knots))
    tab = Tabulation(knots, coeffs, TailLaw(), TailLaw())
    z = _probe(64.0)
    want = _reference(ref, z)
    # relative to |phi| itself: the decaying tails are resolved too (erf is no test of
    # that; its relative error near the zero at 0 is against the local size of phi)
    floor = 1e-6 * np.abs(want) if name != "smooth" else 1e-300
    worst = np.max(np.abs(tab(z) - want) / np.maximum(np.abs(want), floor))
    assert worst < 10 * _fallback.TOL, f"{name}: octave table off by {worst:.2e}"


def test_kink_takes_one_sided_derivatives():
    tab = Tabulation(*hermite_table(_laplace, fit_tabulate.graded(8.0), [KINK], Accuracy(1e-10))[:2],
                     TailLaw(), TailLaw())
    eps = 1e-9
    # phi' jumps from +1 to -1 at the kink (exp(-|u|), one-sided limits e^0 = 1)
    np.testing.assert_allclose(tab(np.array([KINK - eps, KINK + eps]), 1), [1.0, -1.0], atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_both_consumers_reproduce_phi(name):
    _, ref, _, text = CASES[name]
    act = actdesign.from_expression(text, name=name)
    fit_tab, _ = fit_tabulate.tabulate(act, 30.0)
    export_tab, est = _fallback.tabulate(sp.sympify(text.replace("^", "**"), locals={"z": Z}))
    z = _probe(30.0)
    want = _reference(ref, z)
    assert np.max(np.abs(fit_tab(z) - want) / np.maximum(1.0, np.abs(want))) < 1e-9
    assert est <= _fallback.TOL
    assert np.max(np.abs(export_tab(z) - want) / np.maximum(1e-6, np.abs(want))) < 1e-7


def test_hermite_pieces_reproduce_polynomials():
    # Hermite interpolation of degree 2m-1 is exact on polynomials of that degree
    rng = np.random.default_rng(3)
    p = np.polynomial.Polynomial(rng.normal(size=6))
    lo, hi = np.array([-3.0, 1e-7, 2.5]), np.array([-1.0, 2e-7, 2.75])
    c = hermite(lo, hi, [p(lo), p.deriv(1)(lo), p.deriv(2)(lo)],
                [p(hi), p.deriv(1)(hi), p.deriv(2)(hi)])
    for i in range(lo.size):
        t = np.linspace(0, hi[i] - lo[i], 7)
        got = np.polynomial.polynomial.polyval(t, c[i])
        np.testing.assert_allclose(got, p(lo[i] + t), rtol=1e-12, atol=1e-12)


def test_piece_without_second_derivative_is_cubic():
    cubic = np.polynomial.Polynomial([0.5, -1.0, 2.0, 0.25])

    def f(x, nu):
        return cubic.deriv(nu)(x) if nu < 2 else np.full_like(x, np.nan)

    lo, hi = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    c = pieces(f, lo, hi)
    assert np.all(c[:, 4:] == 0)
    t = np.array([0.3, 0.9])
    np.testing.assert_allclose(np.polynomial.polynomial.polyval(t, c.T, tensor=False),
                               cubic(lo + t), rtol=1e-13)


def test_non_finite_phi_is_a_clear_error():
    def pole(x, nu):
        with np.errstate(divide="ignore"):
            return (1 / (np.asarray(x) - 0.5), -1 / (np.asarray(x) - 0.5) ** 2, 0 * x)[nu]

    layout = Layout((lambda level: (np.array([0.0, 0.5]), np.array([0.5, 1.0])),), max_level=0)
    with pytest.raises(TabulationError, match="not finite at z = 0.5"):
        hermite_table(pole, layout, [], Accuracy(1e-8))
    act = actdesign.from_expression("1/(z - 1/2)", name="pole")
    assert fit_tabulate.tabulate(act, 8.0)[0] is None


def test_layout_with_a_gap_is_refused():
    with pytest.raises(TabulationError, match="gap or overlap at z = 1"):
        assemble([(np.array([0.0]), np.array([1.0]), np.zeros((1, 6))),
                  (np.array([2.0]), np.array([3.0]), np.zeros((1, 6)))])
