"""The curated table of inverse transform pairs, as data.

Each row matches a one-sided amplitude G(kappa) = |F[phi]|(kappa), kappa = |k| > 0,
against a SymPy pattern with wildcards and builds the zero-phase (even) phi with

    phi(z) = (1/pi) * integral_0^inf G(kappa) cos(kappa z) dkappa.

Rows are tried in order; the first whose pattern matches and whose parameter
condition holds wins. Every row is tested against an independent reference
(closed forms in the literature checked with mpmath) in tests/test_design.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..infra._symbols import z

kappa = sp.Symbol("kappa", positive=True)

_c = sp.Wild("c", exclude=[kappa, 0])
_a = sp.Wild("a", exclude=[kappa, 0])
_b = sp.Wild("b", exclude=[kappa, 0])
_q = sp.Wild("q", exclude=[kappa])
_Z = sp.Abs(z)


@dataclass(frozen=True)
class Pair:
    """One transform pair: ``pattern`` in kappa -> ``phi(params)`` in z.

    ``null_space(params)`` is the number n such that phi is defined only up to
    polynomials of degree < n (power-law penalties); ``ok(params)`` guards the
    parameter range in which the pair holds.
    """

    name: str
    pattern: sp.Expr
    phi: Callable[[dict], sp.Expr]
    ok: Callable[[dict], bool] = lambda p: True
    null_space: Callable[[dict], int] = lambda p: 0
    integrals: tuple = ()  # builders of the once and twice integrated phi (vanishing at -inf)


def _pos(*names):
    return lambda p: all(bool(p[n].is_positive) for n in names)


def _matern(p):
    # (1/pi) int (b + a k^2)^q cos(kz) dk with q < 0: the Matern / Bessel-K family
    c, a, b, q = p[_c], p[_a], p[_b], p[_q]
    s = sp.sqrt(a / b)
    nu = -q - sp.Rational(1, 2)
    u = _Z / s
    core = 2 ** (sp.Rational(1, 2) + q) / (sp.sqrt(sp.pi) * sp.gamma(-q)) * u**nu * sp.besselk(nu, u)
    expr = c * b**q / s * core
    if (2 * nu).is_integer and nu.is_nonnegative and (nu - sp.Rational(1, 2)).is_integer:
        expr = sp.expand_func(expr)  # half-integer order: elementary e^{-|z|} * polynomial
    return sp.simplify(expr)


def _power(p):
    # finite-part F^{-1}[|k|^{-alpha}] = |z|^{alpha-1} / (2 Gamma(alpha) cos(pi alpha / 2))
    c, alpha = p[_c], -p[_q]
    if alpha.is_integer and alpha.is_odd:
        n = (alpha - 1) / 2
        return c * (-1) ** (n + 1) * z ** (2 * n) * sp.log(_Z) / (sp.pi * sp.factorial(2 * n))
    return c * _Z ** (alpha - 1) / (2 * sp.gamma(alpha) * sp.cos(sp.pi * alpha / 2))


def _power_null(p):
    alpha = -p[_q]
    return int(sp.ceiling(alpha)) if alpha >= 1 else 0


PAIRS: tuple[Pair, ...] = (
    Pair("delta", _c + 0 * kappa, lambda p: p[_c] * sp.DiracDelta(z),
         integrals=(lambda p: p[_c] * sp.Heaviside(z), lambda p: p[_c] * sp.Max(0, z))),
    Pair(
        "lorentzian",
        _c * sp.exp(-_a * kappa),
        lambda p: p[_c] * p[_a] / (sp.pi * (p[_a] ** 2 + z**2)),
        _pos(_a),
    ),
    Pair(
        "gaussian",
        _c * sp.exp(-_a * kappa**2),
        lambda p: p[_c] * sp.exp(-(z**2) / (4 * p[_a])) / (2 * sp.sqrt(sp.pi * p[_a])),
        _pos(_a),
    ),
    Pair(
        "power-exp (dim > 1 Cauchy)",
        _c * kappa**_q * sp.exp(-_a * kappa),
        lambda p: p[_c] * sp.gamma(p[_q] + 1) * sp.cos((p[_q] + 1) * sp.atan(z / p[_a]))
        / (sp.pi * (p[_a] ** 2 + z**2) ** ((p[_q] + 1) / 2)),
        lambda p: bool(p[_a].is_positive) and bool(p[_q] > -1),
    ),
    Pair(
        "power-gaussian (dim > 1 Gaussian)",
        _c * kappa**_q * sp.exp(-_a * kappa**2),
        lambda p: p[_c] * sp.gamma((p[_q] + 1) / 2) / (2 * sp.pi * p[_a] ** ((p[_q] + 1) / 2))
        * sp.hyper([(p[_q] + 1) / 2], [sp.Rational(1, 2)], -(z**2) / (4 * p[_a])),
        lambda p: bool(p[_a].is_positive) and bool(p[_q] > -1),
    ),
    Pair(
        "matern",
        _c * (_a * kappa**2 + _b) ** _q,
        _matern,
        lambda p: bool(p[_a].is_positive) and bool(p[_b].is_positive) and bool(p[_q] < 0),
    ),
    Pair(
        "sech",
        _c / sp.cosh(_a * kappa),
        lambda p: p[_c] / (2 * p[_a]) * sp.sech(sp.pi * z / (2 * p[_a])),
        _pos(_a),
    ),
    Pair(
        "sech^2",
        _c / sp.cosh(_a * kappa) ** 2,
        lambda p: p[_c] * z / (2 * p[_a] ** 2 * sp.sinh(sp.pi * z / (2 * p[_a]))),
        _pos(_a),
    ),
    Pair(
        "logistic bump",
        _c * kappa / sp.sinh(_a * kappa),
        lambda p: p[_c] * sp.pi / (4 * p[_a] ** 2) * sp.sech(sp.pi * z / (2 * p[_a])) ** 2,
        _pos(_a),
        integrals=(
            lambda p: p[_c] / p[_a] / (1 + sp.exp(-sp.pi * z / p[_a])),  # logistic sigmoid
            lambda p: p[_c] / sp.pi * sp.log(1 + sp.exp(sp.pi * z / p[_a])),  # softplus
        ),
    ),
    Pair("power law", _c * kappa**_q, _power, lambda p: bool(p[_q] < 0), _power_null),
)


def band_pair(G: sp.Expr):
    """Band-limited amplitudes: ``Piecewise((c, A < kappa < B), (0, True))`` -> sinc-type phi.

    Returns ``(phi, name)`` or None when G is not a constant on one band.
    """
    if not isinstance(G, sp.Piecewise) or len(G.args) != 2:
        return None
    (val, cond), (zero, rest) = G.args
    if zero != 0 or rest is not sp.true or val.has(kappa):
        return None
    lo, hi = _band_edges(cond)
    if hi is None:
        return None
    phi = val * (sp.sin(hi * z) - sp.sin(lo * z)) / (sp.pi * z)
    return sp.simplify(phi), "band-limited (sinc)"


def _band_edges(cond):
    parts = cond.args if isinstance(cond, sp.And) else (cond,)
    lo, hi = sp.Integer(0), None
    for rel in parts:
        if not isinstance(rel, sp.core.relational.Relational):
            return lo, None
        lhs, rhs = rel.lhs, rel.rhs
        if lhs == kappa and rhs.is_number:
            bound, upper = rhs, isinstance(rel, (sp.StrictLessThan, sp.LessThan))
        elif rhs == kappa and lhs.is_number:
            bound, upper = lhs, isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan))
        else:
            return lo, None
        if upper:
            hi = bound
        else:
            lo = bound
    return lo, hi


def lookup(G: sp.Expr):
    """Find a table pair for the amplitude ``G(kappa)``.

    Returns
    -------
    (phis, name, null_space) or None
        ``phis`` lists the bump and the integrals the table knows in closed form.
    """
    band = band_pair(G)
    if band is not None:
        return [band[0]], band[1], 0
    for pair in PAIRS:
        params = G.match(pair.pattern)
        if not params or any(v.has(kappa) for v in params.values()):
            continue
        params = {w: params.get(w, sp.Integer(0) if w is _q else sp.Integer(1)) for w in (_c, _a, _b, _q)}
        if not params[_c].is_positive or not pair.ok(params):
            continue
        phis = [pair.phi(params)] + [build(params) for build in pair.integrals]
        return phis, pair.name, pair.null_space(params)
    return None
