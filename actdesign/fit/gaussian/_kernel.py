"""Exact infinite-width kernels under the Gaussian law (train="v").

With w ~ N(0, sw^2 I) and b ~ N(0, sb^2), the pre-activations (u, v) = (w.x + b,
w.x' + b) are zero-mean normal with Var u = sw^2|x|^2 + sb^2, Var v = sw^2|x'|^2 + sb^2
and Cov = sw^2 x.x' + sb^2, so K(x, x') = E[phi(u) phi(v)] depends on the points only
through these three numbers, in any dimension D.

Dispatch: an activation phi = A b(slope z) + p0 + p1 z whose base b has a closed form
in `_closed.CLOSED` (and no shift) is summed in closed form, the
polynomial part through the 1-D expectations of b; everything else (shifted forms,
tanh, designed or tabulated activations) goes through the Mehler series of
`_mehler` (Hermite coefficients per scale, a rigorous truncation bound),
and the entries where that series converges too slowly (rho near ±1 for kinked phi)
through the adaptive bivariate-normal quadrature of `_quad`. For large
calls (``fast``; FAST_ENTRIES entries and up by default) the numeric route is replaced by
the dual activation tabulated from it (`_table`: built once per
activation, law and scale range, validated against the exact route to 1e-8 of
sqrt(K(x, x) K(x', x')), evaluated in numba at over 1e6 entries per second per core).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...formula._kinks import breakpoints
from .._catalog import recognize
from .._errors import FitError
from ._closed import CLOSED
from ._quad import bivariate

NUMERIC_ROUTE = "Mehler series and bivariate-normal quadrature"
TABLE_ROUTE = "the tabulated dual activation"
FAST_ENTRIES = 200_000  # fast=None: the table route from this many entries on, and from
FAST_CACHED = 2_000  # this many where a covering table is already built (the last, short
# block of a blocked evaluation then agrees with the others and costs no exact route)


@dataclass(frozen=True)
class Match:
    """phi(z) = amplitude * b(slope z) + poly[0] + poly[1] z with b = CLOSED[name]."""

    name: str
    amplitude: float
    slope: float
    poly: tuple = (0.0, 0.0)
    extra: tuple = (0.0, 0.0)


@dataclass(frozen=True)
class GaussianKernel:
    """A kernel matrix with its route and an estimate of its largest absolute error."""

    matrix: np.ndarray
    error: float
    route: str
    detail: str = ""  # the table route: its range, build time and validated error

    def note(self) -> str:
        out = f"width=inf Gaussian-law kernel by {self.route}, error <= {self.error:.1g}"
        return f"{out}; {self.detail}" if self.detail else out


def match(act) -> Match | None:
    """The closed-form decomposition of ``act``, or None (then the numeric route applies).

    The registry names each family's Gaussian-law closed form (``Family.gaussian_kernel``);
    a shifted base has none (the bivariate integral then has a nonzero mean).
    """
    rec = recognize(act.phi, act)
    key = rec.form.gaussian_kernel if rec is not None else None
    if key in CLOSED and rec.shift == 0.0:
        return Match(key, rec.amplitude, rec.slope, rec.poly, rec.extra)
    return None


def _closed(m: Match, s11, s22, s12, det):
    """E[phi(u) phi(v)] for a closed-form match (see the module docstring)."""
    f, k = CLOSED[m.name], m.slope
    A, (p0, p1), e = m.amplitude, m.poly, m.extra
    S11, S22, S12, D = k * k * s11, k * k * s22, k * k * s12, k**4 * det
    out = A * A * f.kernel(S11, S22, S12, D, e) + p0 * p0 + p1 * p1 * s12
    if p0:
        out = out + A * p0 * (f.mean(S11, e) + f.mean(S22, e))
    if p1:  # E[b(k u) v] = Cov(k u, v) E[b'(k u)] (Stein)
        out = out + A * p1 * k * s12 * (f.dmean(S11, e) + f.dmean(S22, e))
    return out


def _numeric_setup(act):
    """(phi, kinks, centres, width) for the quadrature route."""
    rec = recognize(act.phi, act)
    if rec is not None:
        kinks = rec.kinks
        return rec, kinks, tuple(sorted({-rec.shift / rec.slope, *kinks})), 1.0 / abs(rec.slope)
    kinks = tuple(float(p) for p in breakpoints(act.phi)) if act.phi is not None else ()
    return act, kinks, tuple(sorted({0.0, *kinks})), 1.0


def numeric_entries(act, s11, s22, s12, det, rtol=1e-10):
    """E[phi(u) phi(v)] for 1-D arrays of (co)variances by the exact numeric route.

    The Mehler series where its truncation bound meets ``rtol`` (relative to
    sqrt(E[phi(u)^2] E[phi(v)^2])), the adaptive bivariate quadrature elsewhere.
    Returns (values, error estimates); a divergent entry is inf.
    """
    from ._mehler import mehler

    phi, kinks, centres, width = _numeric_setup(act)
    opts = dict(kinks=kinks, centres=centres, width=width, rtol=rtol)
    with np.errstate(all="ignore"):  # a divergent one is caught by the caller
        vals, errs, ok = mehler(phi, s11, s22, s12, **opts)
        rest = ~ok  # rho -> 1 with slowly decaying coefficients: adaptive quadrature
        vals[rest], errs[rest] = bivariate(
            phi, s11[rest], s22[rest], s12[rest], det=det[rest], **opts
        )
    return vals, errs


def _scales(X1, X2, law):
    sw2, sb2 = float(law.weight_std) ** 2, float(law.bias_std) ** 2
    return np.sqrt(sw2 * np.einsum("pd,pd->p", np.r_[X1, X2], np.r_[X1, X2]) + sb2)


def _wants_table(act, X1, X2, law, n):
    """fast=None: large calls, or mid-sized ones that a cached table already covers."""
    from ._table import cached

    if n >= FAST_ENTRIES:
        return True
    return n >= FAST_CACHED and cached(act, law, _scales(X1, X2, law)) is not None


def _table_route(act, X1, X2, law, sym):
    """The kernel from the cached table of (act, law), or (None, why) where it cannot serve."""
    from ._table import TOL, table_for, table_kernel

    s = _scales(X1, X2, law)
    if not (np.all(np.isfinite(s)) and s.min() > 0):
        return None, "the table route needs Var u > 0 (bias_std > 0 or x != 0)"
    if _numeric_setup(act)[1]:  # the Mehler series fails near rho = +-1 at every scale
        return None, ("a kinked activation has no table (each node near rho = +-1 would "
                      "need the adaptive quadrature): exact route")
    table = table_for(act, law, s)
    if not table.ok:
        return None, f"the table route missed {TOL:.0e} ({table.error:.1e}): exact route"
    K, scale = table_kernel(table, X1, X2, law, sym)  # scale: max sqrt(K(x,x) K(x',x'))
    return GaussianKernel(K, table.error * scale, TABLE_ROUTE, table.note()), ""


def gaussian_kernel(act, X1, X2=None, law=None, *, rtol=1e-10, fast=None) -> GaussianKernel:
    """K(x, x') = E[phi(u) phi(v)] under ``law`` (a GaussianLaw), exactly.

    Parameters
    ----------
    act : Activation or str
        The activation (a formula such as ``"relu(z)"`` goes through the safe parser,
        as for RadonSplineRegressor).
    X1, X2 : ndarray (M1, D), (M2, D); X2 None means X1 (then only one triangle is
        computed).
    law : GaussianLaw
    rtol : float
        Tolerance of the exact numeric route, relative to sqrt(K(x, x) K(x', x')).
    fast : bool or None
        For activations without a closed form: True, the tabulated dual activation
        (`_table`: built once per activation, law and scale range, then
        cached; error validated against the exact route, at most 1e-8 relative to
        sqrt(K(x, x) K(x', x')), else the exact route is used and the note says why);
        False, the exact route; None (default), the table from FAST_ENTRIES entries on
        (from FAST_CACHED where a table covering these scales is already cached).
    """
    from .._laws import GaussianLaw
    from .._options import as_activation

    act = as_activation(act)  # the regressor's coercion: Activation or formula string
    law = GaussianLaw() if law is None else law
    X1 = np.atleast_2d(np.asarray(X1, dtype=float))
    sym = X2 is None
    X2 = X1 if sym else np.atleast_2d(np.asarray(X2, dtype=float))
    m = match(act)
    n = len(X1) * (len(X1) + 1) // 2 if sym else len(X1) * len(X2)
    why = ""
    if m is None and (fast or (fast is None and _wants_table(act, X1, X2, law, n))):
        K, why = _table_route(act, X1, X2, law, sym)
        if K is not None:
            return K
    i, j = np.triu_indices(len(X1)) if sym else np.indices((len(X1), len(X2))).reshape(2, -1)
    s11, s22, s12, det = law.covariances(X1[i], X2[j])
    degenerate = (s11 <= 0) | (s22 <= 0)
    if m is not None and not degenerate.any():
        with np.errstate(all="ignore"):
            vals = _closed(m, s11, s22, s12, det)
        err = 8 * np.finfo(float).eps * float(np.max(np.abs(vals), initial=0.0))
        route = f"the closed form of {m.name!r}"
    else:
        vals, errs = numeric_entries(act, s11, s22, s12, det, rtol)
        err = float(np.max(errs, initial=0.0))
        route = NUMERIC_ROUTE
    if not np.all(np.isfinite(vals)):
        raise FitError(
            "the width=inf Gaussian-law kernel is not finite here (E[phi(u)^2] diverges or "
            "overflows at these |x|); use a finite width, smaller weight_std or another law"
        )
    K = np.empty((len(X1), len(X2)))
    K[i, j] = vals
    if sym:
        K[j, i] = vals
    return GaussianKernel(K, err, route, why)
