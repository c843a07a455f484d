"""The numeric route: phi from its amplitude by inverse transforms, tabulated with tails.

For a shape of order s (bump 0, sigmoid 1, relu 2) and amplitude G_s(kappa) (the bump
amplitude of rho/k^(2s)), the shaped activation and its derivatives are

    bump     phi   = sum_j g_j P_{alpha_j}(z) + (1/pi) int R(kappa) cos(kappa z) dkappa
    sigmoid  phi   = G(0) H(z)      + (1/pi) int (G - G(0))/kappa sin(kappa z) dkappa
    relu     phi   = G(0) relu(z)   + (1/pi) int (G(0) - G)/kappa^2 cos(kappa z) dkappa

where R = G minus its singular power-law terms g_j kappa^(-alpha_j) (whose finite-part
inverses P_alpha are closed forms), H is Heaviside, and the constants make phi and its
derivatives vanish at -infinity. The j-th derivative of the shape-s function is the
shape-(s-j) function of the same G_s, and beyond that a derivative of the bump.

A bump that is infinite at z = 0 (G decaying like kappa^(-e), e <= 1) or grows like
log|z| (G ~ g/kappa at 0, decaying faster) also has explicit terms (`_singular`): R
loses their kappa-functions too, their closed forms are added to phi, and the table
holds only the bounded rest (``values(..., explicit=False)``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..infra._progress import progress
from ..infra._symbols import z as Z
from ..tabulate._tabulation import Tabulation
from ..tabulate._tail import TailLaw
from ..tabulate._tailfit import MODELS, fit_decay
from ._activation import classical
from ._amplitude import Amplitude
from ._singular import closed_form
from ._table import _c, _power, _q

INNER = 64.0  # the verification range [-50, 50] sits inside the finely checked part
OUTER = 4096.0  # beyond this the identified tail law is used
MAX_KNOTS = 20000  # bounds time and memory; the error estimate reports what was reached


def _power_terms(amp: Amplitude, nu: int, explicit: bool = True):
    """Closed forms of the nu-th derivative of the singular power-law part, and (with
    ``explicit``) of the explicit terms; a "log0" explicit term replaces the 1/kappa one."""
    log0 = any(kind == "log0" for kind, _, _ in amp.explicit)
    exprs = [_power({_c: sp.nsimplify(g), _q: -sp.nsimplify(alpha)}) for g, alpha in amp.singular
             if not (log0 and alpha == 1)]
    if explicit and amp.explicit:
        exprs.append(explicit_form(amp))
    return [classical(sp.diff(e, Z, nu)) if nu else e for e in exprs]  # |z|'' has a delta


def explicit_form(amp: Amplitude):
    """The closed-form part of phi that the table leaves out (None when there is none)."""
    return closed_form(amp.explicit) if amp.explicit else None


def values(amp: Amplitude, s: int, z, nu: int = 0, explicit: bool = True):
    """The nu-th derivative of the shape-s activation at ``z``, with an error estimate;
    ``explicit=False`` leaves out the explicit terms of ``amp`` (the tabulated part)."""
    z = np.asarray(z, dtype=float)
    order = s - nu  # >= 0: a shape formula; < 0: derivative of the bump
    g0 = amp.g0
    if order == 2:
        v, e = _fourier().inverse_cosine(amp.integrand(2), z)
        return g0 * np.maximum(z, 0.0) + v, e
    if order == 1:
        v, e = _fourier().inverse_sine(amp.integrand(1), z)
        return g0 * 0.5 * (1.0 + np.sign(z)) + v, e  # Heaviside with H(0) = 1/2
    m = -order  # derivative order of the bump
    sign = (-1) ** ((m + 1) // 2)
    transform = _fourier().inverse_sine if m % 2 else _fourier().inverse_cosine
    v, e = transform(lambda k: k**m * amp.regular(k), z)
    v = sign * v
    for expr in _power_terms(amp, m, explicit):
        v = v + evaluate(expr, Z, z)
    return v, e


def _orders(amp: Amplitude, s: int) -> int:
    """How many derivatives (0..2) can be computed by transform: the j-th beyond the
    shape order needs kappa^(j-s) G_s to decay (beta > j - s)."""
    n = 0
    # the table has a knot at 0 (`_initial_knots` drops it only when decay <= 1, where no
    # derivative is taken), and there an even derivative needs kappa^j G to be integrable,
    # not only to decay: the cos transform of kappa^2 G at z = 0 is its plain integral
    # (Matern (1 + a k^2)^3 in D = 2 decays like kappa^-2.5: phi'' is infinite at 0).
    # Odd derivatives vanish there by symmetry.
    for j in (1, 2):
        margin = 1.05 if j % 2 == 0 else 0.05
        if j <= s or amp.table_decay > j - s + margin:
            n = j
        else:
            break
    return n


def _initial_knots(amp: Amplitude) -> np.ndarray:
    """Coarse graded knots on z >= 0: uniform inside, geometric outside, and geometric
    towards 0 when phi may have a cusp or kink there (slowly decaying G)."""
    inner = np.arange(0.0, INNER + 0.125, 0.25)
    outer = np.geomspace(INNER, OUTER, 1 + int(np.log(OUTER / INNER) / np.log1p(0.02)))[1:]
    pos = np.concatenate([inner, outer])
    if amp.table_decay < 3.0:
        pos = np.union1d(pos, np.geomspace(1e-8, 0.25, 50))
    if amp.table_decay <= 1.0:
        pos = pos[1:]  # phi may be infinite at 0 (log or power singularity): no knot there
    return pos


class _Sampler:
    """phi and its derivatives at knots, computed once per point and cached."""

    def __init__(self, amp, s, nder):
        self.amp, self.s, self.nder = amp, s, nder
        self.cache = {}

    def __call__(self, x):
        new = np.array([v for v in x if v not in self.cache])
        if new.size:
            cols = [values(self.amp, self.s, new, nu, False) for nu in range(self.nder + 1)]
            for i, v in enumerate(new):
                self.cache[v] = ([c[0][i] for c in cols], max(c[1][i] for c in cols))
        rows = [self.cache[v] for v in x]
        derivs = [np.array([r[0][nu] for r in rows]) for nu in range(self.nder + 1)]
        return derivs, np.array([r[1] for r in rows])


def tabulate(amp: Amplitude, s: int, tol: float = 2e-10, rounds: int = 8):
    """Tabulate the shape-s activation adaptively: Hermite pieces (quintic when phi'' is
    available), bisected where the midpoint error exceeds ``tol``; tails identified.
    The explicit terms of ``amp`` (`explicit_form`) are left out of the table.

    Returns
    -------
    (Tabulation, max_abs_error, notes)
        ``max_abs_error`` is the largest midpoint error of the final table on
        [-INNER, INNER] plus the quadrature error estimate.
    """
    nder = _orders(amp, s)
    sample = _Sampler(amp, s, nder)
    pos = _initial_knots(amp)
    x = np.concatenate([-pos[::-1], pos]) if pos[0] > 0 else np.concatenate([-pos[:0:-1], pos])
    left, right, notes = _tails(amp, s)
    with progress("make: numeric transform", total=rounds, unit="round") as bar:
        for _ in range(rounds):
            derivs, qerr = sample(x)
            if nder == 0:
                derivs = [derivs[0], np.gradient(derivs[0], x)]
            tab = Tabulation.from_hermite(x, derivs, left, right)
            mid = _midpoints(x)
            direct, derr = sample(mid)
            err = np.abs(tab(mid) - direct[0])
            # phi is infinite at a singular point (and quadrature cannot converge there)
            err[~(np.isfinite(direct[0]) & np.isfinite(derr))] = 0.0
            bad = err > tol * max(1.0, float(np.max(np.abs(derivs[0][np.abs(x) <= 8]))))
            bar.update(1, info=f"{x.size} knots, {np.count_nonzero(bad)} to refine")
            if not bad.any() or np.min(np.diff(x)) < 1e-9 \
                    or x.size + np.count_nonzero(bad) > MAX_KNOTS:
                break
            x = np.sort(np.concatenate([x, mid[bad]]))
    inner = np.abs(mid) <= INNER
    total = float(np.max(err[inner]) + np.max(qerr))
    if nder < 2:
        notes.append("phi'' has no transform (slowly decaying spectrum): lower-order table near z = 0")
    return tab, total, notes


def _midpoints(x):
    return 0.5 * (x[1:] + x[:-1])


def _tails(amp: Amplitude, s: int):
    """Tail laws on both sides: the polynomial part of the shape plus a fitted decay."""
    g0 = amp.g0 if s else 0.0
    poly_right = {0: (), 1: (g0,), 2: (0.0, g0)}[s]
    notes = []
    laws = []
    for side in (-1.0, 1.0):
        zs = side * np.geomspace(OUTER / 4, OUTER, 16)
        v, err = values(amp, s, zs, 0, False)
        poly = poly_right if side > 0 else ()
        rest = v - TailLaw(poly=poly)(zs)
        if np.max(np.abs(rest)) <= 100 * np.max(err) + 1e-300:
            laws.append(TailLaw(poly=poly))  # decayed below the quadrature noise: 0 is exact to it
            continue
        law, note = _fit_decay(np.abs(zs), rest, poly)
        laws.append(law)
        if note:
            notes.append(f"{'left' if side < 0 else 'right'} tail: {note}")
    return laws[0], laws[1], notes


def _fit_decay(az, v, poly):
    """c |z|^p exp(-a|z| - b z^2) fitted to ``v``.

    This is the one tail fit, `actdesign.tabulate._tailfit`.
    """
    if np.all(np.abs(v) < 1e-290):
        return TailLaw(poly=poly), ""
    law, resid = fit_decay(az, v, poly, 1e-7, MODELS[:3])
    if resid is None:
        return law, "tail not identified (oscillating or underflowing); set to 0 beyond |z| = %g" % OUTER
    return law, "" if resid < 1e-5 else f"tail law fitted with relative residual {resid:.1e}"


def _fourier():
    # imported on first use: the quadrature module is only needed when computing
    from ..fourier import _transform as module

    return module
