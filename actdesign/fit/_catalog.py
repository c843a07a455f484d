"""Closed forms the fit kernels know by heart (math as data).

An activation whose formula is ``A * b(s*z + c) + p0 + p1*z`` for a base ``b`` in
`FORMS` is evaluated by a hand-fused kernel, and its infinite-width kernel uses
the base's autocorrelation ``G`` in closed form. Everything else goes through a
`Tabulation` (see `._tabulate`).

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

from ..infra._symbols import z as Z
from ..registry import FAMILIES, Family

# the bases with a fused kernel, by name and by kernel code (the registry's records)
FORMS = {f.name: f for f in FAMILIES if f.code is not None}
BY_CODE = {f.code: f for f in FORMS.values()}
TABULATION_CODE = 0


@dataclass(frozen=True)
class Recognized:
    """phi(z) = amplitude * b(slope*z + shift; extra) + poly[0] + poly[1]*z."""

    form: Family
    amplitude: float
    slope: float
    shift: float
    poly: tuple = (0.0, 0.0)
    extra: tuple = (0.0, 0.0)

    @property
    def order(self) -> int | None:
        """Null-space order m of phi (polynomial growth raises it)."""
        m = self.form.order_of(self.extra)
        if m is None:  # a line spectrum (sin, cos): no null space to speak of
            return None
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
        d = self.form.degree_of(self.extra)
        if d is None or self.shift != 0.0 or self.poly[0] != 0.0:
            return None
        if self.poly[1] != 0.0 and d != 1.0:
            return None
        return d


# ---------------------------------------------------------------------------------
# recognition: find a node S of the formula with S = factor * b(u) + extra(z)
# ---------------------------------------------------------------------------------
def _coefficients(e, degree: int):
    """Float coefficients (highest first, ``degree + 1`` of them) of e as a polynomial in
    z of at most that degree (exactly that degree when it is 2), or None."""
    if not e.free_symbols <= {Z}:
        return None
    try:
        p = sp.Poly(sp.expand(e), Z)
        coeffs = [float(v) for v in p.all_coeffs()]
    except (sp.PolynomialError, TypeError):
        return None
    if p.degree() > degree or (degree == 2 and p.degree() != 2):
        return None
    return tuple([0.0] * (degree + 1 - len(coeffs)) + coeffs)


def _linear(e):
    """(slope, intercept) if e is a polynomial of degree <= 1 in z with real float coefficients."""
    return _coefficients(e, 1)


def _quadratic(e):
    """(a, b, c) of a*z^2 + b*z + c, or None."""
    return _coefficients(e, 2)


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


def _x_gelu(S):
    # S = factor * u (1 + erf(u/sqrt(2))) / 2 with u linear in z; found from the erf inside
    if not S.is_Mul:
        return None
    erfs = list(S.atoms(sp.erf))
    lin = _lin_arg(erfs[0].args[0]) if len(erfs) == 1 else None
    if not lin:
        return None
    s, c = math.sqrt(2) * lin[0], math.sqrt(2) * lin[1]
    u = sp.Float(s) * Z + sp.Float(c)
    factor = sp.cancel(sp.expand(S) / sp.expand(u * (1 + erfs[0]) / 2))
    if not factor.is_number:
        return None
    return float(factor), (s, c), (0.0, 0.0), ()


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
    ("gelu", _x_gelu),
    ("sin", _x_func(sp.sin)),
    ("cos", _x_func(sp.cos)),
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
    from ..formula._evaluate import evaluate

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
