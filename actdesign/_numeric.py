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
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._amplitude import Amplitude
from ._evaluate import evaluate
from ._symbols import z as Z
from ._table import _c, _power, _q
from ._tabulation import Tabulation
from ._tail import TailLaw

INNER = 64.0  # the verification range [-50, 50] sits inside the uniform part of the table
OUTER = 4096.0  # beyond this the identified tail law is used


def _power_terms(amp: Amplitude, nu: int):
    """Closed forms of the nu-th derivative of the singular power-law part."""
    exprs = [_power({_c: sp.nsimplify(g), _q: -sp.nsimplify(alpha)}) for g, alpha in amp.singular]
    return [sp.diff(e, Z, nu) if nu else e for e in exprs]


def values(amp: Amplitude, s: int, z, nu: int = 0):
    """The nu-th derivative of the shape-s activation at ``z``, with an error estimate."""
    z = np.asarray(z, dtype=float)
    order = s - nu  # >= 0: a shape formula; < 0: derivative of the bump
    G, g0 = amp, amp.g0
    if order == 2:
        v, e = _fourier().inverse_cosine(lambda k: (g0 - G(k)) / k**2, z)
        return g0 * np.maximum(z, 0.0) + v, e
    if order == 1:
        v, e = _fourier().inverse_sine(lambda k: (G(k) - g0) / k, z)
        return g0 * (z > 0) + v, e
    m = -order  # derivative order of the bump
    sign = (-1) ** ((m + 1) // 2)
    transform = _fourier().inverse_sine if m % 2 else _fourier().inverse_cosine
    v, e = transform(lambda k: k**m * amp.regular(k), z)
    v = sign * v
    for expr in _power_terms(amp, m):
        v = v + evaluate(expr, Z, z)
    return v, e


def knots(amp: Amplitude, scale: float) -> np.ndarray:
    """Graded knots: geometric near 0 when phi has a cusp, uniform inside, geometric outside."""
    h = 0.02 * scale
    inner = np.arange(0.0, INNER + h / 2, h)
    outer = np.geomspace(INNER, OUTER, int(np.log(OUTER / INNER) / np.log1p(0.01)))[1:]
    pos = np.concatenate([inner, outer])
    if amp.decay < 2.5:  # slowly decaying G: cusp or kink at 0, refine geometrically
        pos = np.union1d(pos, np.geomspace(1e-7, h, 40))
    return np.concatenate([-pos[:0:-1], pos])


def scale_of(amp: Amplitude) -> float:
    """A length scale of phi: 1/kappa_c where G_s has fallen to 1e-3 of its peak."""
    k = np.geomspace(1e-3, 1e3, 241)
    g = np.abs(amp.regular(k))
    if not np.any(g > 0):
        return 1.0
    above = np.nonzero(g > 1e-3 * g.max())[0]
    kc = k[above[-1]]
    return float(np.clip(1.0 / kc, 0.02, 1.0))


def tabulate(amp: Amplitude, s: int, tol: float = 1e-9):
    """Tabulate the shape-s activation: cubic Hermite pieces, tail laws, error estimate.

    Returns
    -------
    (Tabulation, max_abs_error, notes)
    """
    scale = scale_of(amp)
    x = knots(amp, scale)
    f, ef = values(amp, s, x, 0)
    df = _derivative(amp, s, x, f)
    left, right, notes = _tails(amp, s)
    tab = Tabulation.from_hermite(x, [f, df], left, right)
    check = _midpoints(x[np.abs(x) <= INNER])
    direct, ed = values(amp, s, check, 0)
    interp_err = float(np.max(np.abs(tab(check) - direct)))
    quad_err = float(max(np.max(ef), np.max(ed)))
    return tab, interp_err + quad_err, notes


def _midpoints(x):
    return 0.5 * (x[1:] + x[:-1])


def _derivative(amp, s, x, f):
    # A derivative by transform needs kappa * G_s to decay; otherwise (cusps) use
    # second-order differences on the graded grid.
    if s >= 1 or amp.decay > 1.05:
        d, _ = values(amp, s, x, 1)
        if np.all(np.isfinite(d)):
            return d
    return np.gradient(f, x)


def _tails(amp: Amplitude, s: int):
    """Tail laws on both sides: the polynomial part of the shape plus a fitted decay."""
    g0 = amp.g0 if s else 0.0
    poly_right = {0: (), 1: (g0,), 2: (0.0, g0)}[s]
    notes = []
    laws = []
    for side in (-1.0, 1.0):
        zs = side * np.geomspace(OUTER / 4, OUTER, 16)
        v, _ = values(amp, s, zs, 0)
        poly = poly_right if side > 0 else ()
        rest = v - TailLaw(poly=poly)(zs)
        law, note = _fit_decay(np.abs(zs), rest, poly)
        laws.append(law)
        if note:
            notes.append(f"{'left' if side < 0 else 'right'} tail: {note}")
    return laws[0], laws[1], notes


def _fit_decay(az, v, poly):
    """Fit c |z|^p exp(-a|z| - b z^2) to ``v``; the simplest model that fits wins."""
    if np.all(np.abs(v) < 1e-290):
        return TailLaw(poly=poly), ""
    sign = np.sign(v[np.argmax(np.abs(v))])
    if np.any(np.sign(v) != sign):
        return TailLaw(poly=poly), "oscillating tail not identified; set to 0 beyond |z| = %g" % OUTER
    y = np.log(np.abs(v))
    best = None
    for cols in (("1", "log"), ("1", "log", "z"), ("1", "log", "z2")):
        basis = {"1": np.ones_like(az), "log": np.log(az), "z": -az, "z2": -(az**2)}
        A = np.stack([basis[c] for c in cols], axis=1)
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        resid = float(np.max(np.abs(A @ coef - y)))
        if best is None or resid < best[0] - 1e-9:
            best = (resid, cols, coef)
        if resid < 1e-7:
            break
    resid, cols, coef = best
    params = dict(zip(cols, coef))
    law = TailLaw(poly=poly, c=float(sign * np.exp(params["1"])), p=float(params["log"]),
                  a=float(max(params.get("z", 0.0), 0.0)), b=float(max(params.get("z2", 0.0), 0.0)))
    note = "" if resid < 1e-5 else f"tail law fitted with relative residual {resid:.1e}"
    return law, note


def _fourier():
    # imported on first use: the quadrature module is only needed when computing
    from . import _fourier as module

    return module
