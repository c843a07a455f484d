"""Closed forms the fit kernels know by heart (math as data).

An activation whose formula is ``A * b(s*z + c) + p0 + p1*z`` for a base ``b`` in
:data:`FORMS` is evaluated by a hand-fused kernel, and its infinite-width kernel uses
the base's autocorrelation ``G`` in closed form. Everything else goes through a
:class:`~actdesign.Tabulation` (see :mod:`._tabulate`).

``G`` is the generalised autocorrelation of the base: for a bump (``order`` 0) it is
``∫ b(u) b(u+t) du``; for ``order`` m >= 1 its transform is ``|F[b](k)|^2`` away from
k = 0 and it is fixed only up to even polynomials of degree < 2m, which the
polynomial null space of the R → ∞ problem annihilates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .._symbols import z as Z

SQ2PI = math.sqrt(2 * math.pi)


def _tcoth(t):
    """t * coth(t), even, equal to 1 at t = 0."""
    t = np.abs(np.asarray(t, dtype=float))
    small = t < 1e-4
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        big = np.where(small, 1.0, t / np.tanh(np.where(small, 1.0, t)))
    return np.where(small, 1.0 + t * t / 3.0, big)


def _erf(x):
    from scipy.special import erf

    return erf(x)


def _kv(nu, x):
    from scipy.special import kv

    return kv(nu, x)


def _softplus(u):
    return np.logaddexp(0.0, u)


def _logistic(u):
    from scipy.special import expit

    return expit(u)


def _relupow_G(t, p):
    p = int(p)
    return (
        math.factorial(p) ** 2
        * (-1) ** (p + 1)
        * np.abs(t) ** (2 * p + 1)
        / (2.0 * math.factorial(2 * p + 1))
    )


@dataclass(frozen=True)
class Form:
    """One base function b(u) of the catalog.

    Attributes
    ----------
    name : str
    code : int
        Selector of the fused kernels (numba and cupy); 0 is reserved for tabulations.
    numpy : callable (u, extra) -> array
        Reference numpy evaluation of b.
    order : int or None
        Null-space order m of b (None: depends on ``extra``, see :meth:`order_of`).
    G : callable (t, extra) -> array, or None
        Generalised autocorrelation of b (None: computed numerically).
    kinks : tuple of float
        Points u where b is not smooth.
    degree : float or None
        Positive homogeneity degree of b (None if not homogeneous).
    """

    name: str
    code: int
    numpy: object
    order: int | None
    G: object = None
    kinks: tuple = ()
    degree: float | None = None

    def order_of(self, extra) -> int:
        return int(extra[0]) + 1 if self.order is None else self.order


FORMS = {
    f.name: f
    for f in (
        Form(
            "relu",
            1,
            lambda u, e: np.maximum(u, 0.0),
            2,
            lambda t, e: np.abs(t) ** 3 / 12,
            (0.0,),
            1.0,
        ),
        Form(
            "relupow",
            2,
            lambda u, e: np.maximum(u, 0.0) ** e[0],
            None,
            lambda t, e: _relupow_G(t, e[0]),
            (0.0,),
            None,
        ),
        Form("abs", 3, lambda u, e: np.abs(u), 2, lambda t, e: np.abs(t) ** 3 / 3, (0.0,), 1.0),
        Form(
            "step",
            4,
            lambda u, e: np.where(u > 0, 1.0, np.where(u < 0, 0.0, e[0])),
            1,
            lambda t, e: -np.abs(t) / 2,
            (0.0,),
            0.0,
        ),
        Form(
            "cauchy",
            5,
            lambda u, e: 1.0 / (1.0 + u * u),
            0,
            lambda t, e: 2 * np.pi / (4.0 + np.asarray(t) ** 2),
        ),
        Form(
            "gauss",
            6,
            lambda u, e: np.exp(-u * u),
            0,
            lambda t, e: math.sqrt(np.pi / 2) * np.exp(-(np.asarray(t) ** 2) / 2),
        ),
        Form(
            "laplace",
            7,
            lambda u, e: np.exp(-np.abs(u)),
            0,
            lambda t, e: (1 + np.abs(t)) * np.exp(-np.abs(t)),
            (0.0,),
        ),
        Form("tanh", 8, lambda u, e: np.tanh(u), 1, lambda t, e: 2.0 - 2.0 * _tcoth(t)),
        Form(
            "logistic",
            9,
            lambda u, e: _logistic(u),
            1,
            lambda t, e: 1.0 - _tcoth(np.asarray(t) / 2),
        ),
        Form("softplus", 10, lambda u, e: _softplus(u), 2, None),
        Form(
            "erf",
            11,
            lambda u, e: _erf(u),
            1,
            lambda t, e: (
                -2 * np.abs(t) * _erf(np.abs(t) / math.sqrt(2))
                - 4 / SQ2PI * np.expm1(-(np.asarray(t) ** 2) / 2)
            ),
        ),
        Form(
            "besselk",
            12,
            lambda u, e: _kv(e[0], np.abs(u)),
            0,
            lambda t, e: (np.pi**2 / 2 * np.exp(-np.abs(t))) if e[0] == 0 else None,
            (0.0,),
        ),
    )
}
BY_CODE = {f.code: f for f in FORMS.values()}
TABULATION_CODE = 0


@dataclass(frozen=True)
class Recognized:
    """phi(z) = amplitude * b(slope*z + shift; extra) + poly[0] + poly[1]*z."""

    form: Form
    amplitude: float
    slope: float
    shift: float
    poly: tuple = (0.0, 0.0)
    extra: tuple = (0.0, 0.0)

    @property
    def order(self) -> int:
        """Null-space order m of phi (polynomial growth raises it)."""
        m = self.form.order_of(self.extra)
        if self.poly[1] != 0.0:
            return max(m, 2)
        if self.poly[0] != 0.0:
            return max(m, 1)
        return m

    def params(self) -> np.ndarray:
        """The flat parameter vector the fused kernels read."""
        return np.array(
            [self.amplitude, self.slope, self.shift, *self.poly, *self.extra], dtype=float
        )

    def __call__(self, z):
        z = np.asarray(z, dtype=float)
        u = self.slope * z + self.shift
        return self.amplitude * self.form.numpy(u, self.extra) + self.poly[0] + self.poly[1] * z

    def autocorrelation(self, t):
        """G of phi: amplitude^2/|slope| * G_b(slope*t), or None if not in closed form."""
        if self.form.G is None:
            return None
        g = self.form.G(self.slope * np.asarray(t, dtype=float), self.extra)
        if g is None:
            return None
        return self.amplitude**2 / abs(self.slope) * g

    @property
    def kinks(self) -> tuple:
        """Points z where phi is not smooth."""
        return tuple((k - self.shift) / self.slope for k in self.form.kinks)

    @property
    def degree(self) -> float | None:
        """Homogeneity degree of phi if exactly homogeneous (no shift, no polynomial)."""
        d = self.form.degree
        if self.form.name == "relupow":
            d = float(self.extra[0])
        if d is None or self.shift != 0.0 or self.poly[0] != 0.0:
            return None
        if self.poly[1] != 0.0 and d != 1.0:
            return None
        return d


# ---------------------------------------------------------------------------------
# recognition: find a node S of the formula with S = factor * b(u) + extra(z)
# ---------------------------------------------------------------------------------
def _linear(e):
    """(slope, intercept) if e is a polynomial of degree <= 1 in z with real float coefficients."""
    if not e.free_symbols <= {Z}:
        return None
    try:
        p = sp.Poly(sp.expand(e), Z)
    except sp.PolynomialError:
        return None
    if p.degree() > 1:
        return None
    c = p.all_coeffs()
    slope, icpt = (0, c[0]) if p.degree() <= 0 else (c[0], c[1])
    try:
        return float(slope), float(icpt)
    except TypeError:
        return None


def _quadratic(e):
    """(a, b, c) of a*z^2 + b*z + c, or None."""
    if not e.free_symbols <= {Z}:
        return None
    try:
        p = sp.Poly(sp.expand(e), Z)
    except sp.PolynomialError:
        return None
    if p.degree() != 2:
        return None
    try:
        return tuple(float(v) for v in p.all_coeffs())
    except TypeError:
        return None


def _lin_arg(e):
    lin = _linear(e)
    return None if lin is None or lin[0] == 0.0 else lin


def _x_relu(S):
    if isinstance(S, sp.Max) and len(S.args) == 2:
        a1, a2 = (_linear(a) for a in S.args)
        if a1 and a2 and a1[0] != a2[0]:
            if a1[0] < a2[0]:  # max(L1, L2) = L2 + relu(L1 - L2); keep the slope of u positive
                a1, a2 = a2, a1
            return 1.0, (a1[0] - a2[0], a1[1] - a2[1]), a2, ()
    return None


def _x_relupow(S):
    if S.is_Pow and S.exp.is_Integer and int(S.exp) >= 2 and isinstance(S.base, sp.Max):
        r = _x_relu(S.base)
        if r and r[2] == (0.0, 0.0):
            return 1.0, r[1], (0.0, 0.0), (float(S.exp),)
    return None


def _x_func(cls):
    def extract(S):
        if isinstance(S, cls):
            lin = _lin_arg(S.args[0])
            if lin:
                return 1.0, lin, (0.0, 0.0), ()
        return None

    return extract


def _x_step(S):
    if isinstance(S, sp.Heaviside):
        lin = _lin_arg(S.args[0])
        h0 = float(S.args[1]) if len(S.args) > 1 else 0.5
        if lin:
            return 1.0, lin, (0.0, 0.0), (h0,)
    return None


def _x_cauchy(S):
    if S.is_Pow and S.exp == -1:
        q = _quadratic(S.base)
        if q and q[0] > 0:
            a, b, c = q
            z0 = -b / (2 * a)
            d = c - a * z0 * z0
            if d > 0:
                s = math.sqrt(a / d)
                return 1.0 / d, (s, -s * z0), (0.0, 0.0), ()
    return None


def _x_gauss(S):
    if isinstance(S, sp.exp):
        q = _quadratic(S.args[0])
        if q and q[0] < 0:
            a, b, c = -q[0], q[1], q[2]
            z0 = b / (2 * a)
            e = c + a * z0 * z0
            s = math.sqrt(a)
            return math.exp(e), (s, -s * z0), (0.0, 0.0), ()
    return None


def _x_laplace(S):
    if isinstance(S, sp.exp):
        q = sp.expand(S.args[0])
        absn = [a for a in q.atoms(sp.Abs)]
        if len(absn) == 1:
            alpha = q.coeff(absn[0])
            rest = sp.expand(q - alpha * absn[0])
            lin = _lin_arg(absn[0].args[0])
            if lin and alpha.is_number and float(alpha) < 0 and rest.is_number:
                al = -float(alpha)
                return math.exp(float(rest)), (al * lin[0], al * lin[1]), (0.0, 0.0), ()
    return None


def _one_plus_exp(e):
    """(c0, c1, (slope, icpt)) for e = c0 + c1*exp(linear), c0, c1 > 0."""
    e = sp.expand(e)
    if not e.is_Add:
        return None
    exps = [a for a in e.args if a.has(sp.exp)]
    if len(exps) != 1:
        return None
    c0 = e - exps[0]
    c1, ex = exps[0].as_independent(Z, as_Add=False)
    if not isinstance(ex, sp.exp) or not c0.is_number or not c1.is_number:
        return None
    lin = _lin_arg(ex.args[0])
    if not lin or float(c0) <= 0 or float(c1) <= 0:
        return None
    return float(c0), float(c1), lin


def _x_logistic(S):
    if S.is_Pow and S.exp == -1:
        r = _one_plus_exp(S.base)
        if r:
            c0, c1, (s, c) = r
            sh = math.log(c1 / c0)
            return 1.0 / c0, (-s, -c - sh), (0.0, 0.0), ()
    return None


def _x_softplus(S):
    if isinstance(S, sp.log):
        r = _one_plus_exp(S.args[0])
        if r:
            c0, c1, (s, c) = r
            return 1.0, (s, c + math.log(c1 / c0)), (0.0, math.log(c0)), ()
    return None


def _x_besselk(S):
    if isinstance(S, sp.besselk) and S.args[0].is_number and isinstance(S.args[1], sp.Abs):
        lin = _lin_arg(S.args[1].args[0])
        if lin:
            return 1.0, lin, (0.0, 0.0), (float(S.args[0]),)
    return None


EXTRACTORS = (
    ("relupow", _x_relupow),
    ("relu", _x_relu),
    ("abs", _x_func(sp.Abs)),
    ("step", _x_step),
    ("cauchy", _x_cauchy),
    ("gauss", _x_gauss),
    ("laplace", _x_laplace),
    ("tanh", _x_func(sp.tanh)),
    ("logistic", _x_logistic),
    ("softplus", _x_softplus),
    ("erf", _x_func(sp.erf)),
    ("besselk", _x_besselk),
)


def recognize(phi: sp.Expr | None, reference=None) -> Recognized | None:
    """Recognise ``phi`` as ``A*b(s*z+c) + p0 + p1*z`` for a catalog base ``b``.

    ``reference`` (a callable on numpy arrays, normally the Activation) is compared
    with the recognised form on a grid; a mismatch above 1e-12 (relative) rejects it.
    """
    if phi is None:
        return None
    for node in sp.preorder_traversal(phi):
        for name, extract in EXTRACTORS:
            hit = _try(phi, node, name, extract)
            if hit is not None and _agrees(hit, reference or _numpy_of(phi)):
                return hit
    return None


def _try(phi, node, name, extract):
    try:
        got = extract(node)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if got is None:
        return None
    factor, (s, c), extra_poly, extra = got
    F = sp.Dummy("F")
    rest = phi.xreplace({node: F})
    A = sp.diff(rest, F)
    if A.free_symbols or not A.is_number:
        return None
    poly = _linear(sp.expand(rest.subs(F, 0)))
    if poly is None or not A.is_real:
        return None
    amp = float(A) * factor
    if amp == 0.0:
        return None
    p1, p0 = poly
    p0 += float(A) * extra_poly[1]
    p1 += float(A) * extra_poly[0]
    extra = tuple(extra) + (0.0,) * (2 - len(extra))
    return Recognized(FORMS[name], amp, s, c, (p0, p1), extra)


def _numpy_of(phi):
    from .._evaluate import evaluate

    return lambda x: evaluate(phi, Z, x)


def _agrees(rec: Recognized, reference) -> bool:
    zz = np.concatenate(
        [np.linspace(-12, 12, 481), np.geomspace(12, 400, 60), -np.geomspace(12, 400, 60)]
    )
    zz = (
        zz[np.all(np.abs(zz[:, None] - np.array(rec.kinks)[None, :]) > 1e-9, axis=1)]
        if rec.kinks
        else zz
    )
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(reference(zz), dtype=float)
            b = rec(zz)
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return False
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 0.9 * zz.size:
        return False
    scale = 1.0 + np.max(np.abs(a[ok]))
    return bool(np.max(np.abs(a[ok] - b[ok])) <= 1e-12 * scale)
