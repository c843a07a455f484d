"""Tabulations for the fused kernels: the graded knot layout and flat packing.

Any activation can be evaluated inside the numba/cupy kernels through a
`Tabulation`. Closed forms without a hand-fused kernel are
tabulated by the shared tabulator (`actdesign.tabulate._hermite`: quintic Hermite pieces,
one-sided at kinks, checked between the knots) on graded knots: uniform spacing ``h``
on ``[-zc, zc]`` and geometric spacing (ratio ``q``) out to ``zmax``. That layout lets
a kernel find the piece of ``z`` by arithmetic instead of a search.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ...formula._kinks import breakpoints
from ...tabulate._hermite import Accuracy, Layout, TabulationError
from ...tabulate._hermite import tabulate as hermite_table
from ...tabulate._tabulation import Tabulation
from ...tabulate._tail import TailLaw
from ...tabulate._tailfit import fit_tails

TAIL_POLY = 4  # tail polynomials of degree < 4 can be packed
HEADER = 8
TAIL_LEN = TAIL_POLY + 6
MODE_SEARCH, MODE_GRADED = 0.0, 1.0
REFINE = 3  # h is halved at most this many times


def graded_knots(zc: float, h: float, q: float, zmax: float) -> np.ndarray:
    """Uniform knots on [-zc, zc] with spacing h, geometric (ratio q) out to >= zmax."""
    core = np.linspace(-zc, zc, int(round(2 * zc / h)) + 1)
    n_out = max(1, int(math.ceil(math.log(max(zmax, zc * q) / zc) / math.log(q))))
    outer = zc * q ** np.arange(1, n_out + 1)
    return np.concatenate([-outer[::-1], core, outer])


def graded(zmax: float, h: float = 1 / 16, zc: float = 8.0) -> Layout:
    """The fit layout: one block of graded knots, spacing h / 2^level in the core and
    ratio q = 1 + 2 h / (2^level zc) outside (the kernels find a piece by arithmetic)."""
    return Layout((functools.partial(_graded_pieces, zmax, h, zc),), max_level=REFINE)


def _graded_pieces(zmax, h, zc, level):
    step = h / 2**level
    x = graded_knots(zc, step, 1.0 + 2.0 * step / zc, zmax)
    return x[:-1], x[1:]


def tabulate(
    act, zmax: float, *, tol: float = 1e-10, h: float = 1 / 16, zc: float = 8.0, kinks=None
) -> tuple[Tabulation | None, float]:
    """Tabulate ``act`` on graded knots covering [-zmax, zmax]; returns (table, max error).

    The shared tabulator (`actdesign.tabulate._hermite`) on the `graded` layout: kinks
    (default: the break points of the closed form, `actdesign.formula._kinks`) become knots
    with one-sided values and derivatives on each side; h is halved up to three times
    until the largest error between the knots is at most ``tol * max(1, |phi|)``.
    Returns ``(None, err)`` if that never happens (for example a singular point).
    """
    if kinks is None:
        phi = getattr(act, "phi", None)
        kinks = () if phi is None else tuple(breakpoints(phi, zmax))
    kinks = [k for k in kinks if abs(k) < zmax]
    f = functools.partial(_derivative, act)
    try:
        knots, coeffs, err = hermite_table(f, graded(zmax, h, zc), kinks, Accuracy(tol))
    except TabulationError:
        return None, math.inf
    if not err <= tol:
        return None, err
    left, right = _tails(act, f, knots, tol)
    return Tabulation(knots, coeffs, left, right), err


def _derivative(act, x, nu):
    return act(x) if nu == 0 else act.derivative(x, nu)


def _tails(act, f, x, tol):
    """Tail laws: the activation's own laws if it has a table ending inside ours,
    otherwise the one tail fit (`actdesign.tabulate._tailfit`) from the table's ends. The
    fit kernels re-tabulate before a pre-activation leaves the table, so the tails only
    keep phi defined (and packable) beyond it."""
    tab = getattr(act, "tabulation", None)
    if tab is not None and tab.knots[0] >= x[0] and tab.knots[-1] <= x[-1]:
        return tab.left, tab.right
    start = min(-x[0], x[-1])
    laws, _err = fit_tails(lambda z: f(z, 0), start, tol)
    return laws  # polynomial parts of degree <= 3: packable (TAIL_POLY)


# ---------------------------------------------------------------------------------
# packing for the kernels
# ---------------------------------------------------------------------------------
def pack(tab: Tabulation) -> np.ndarray | None:
    """Flatten a Tabulation for the fused kernels (None if a tail cannot be packed).

    Layout: header [mode, n, d+1, zc, 1/h, n_core, 1/log q, n_outer], left tail,
    right tail (each ``poly[4], c, p, a, b, w, theta``), knots (n+1), coeffs (n*(d+1)).
    """
    tails = [_pack_tail(t) for t in (tab.left, tab.right)]
    if any(t is None for t in tails):
        return None
    x, c = tab.knots, tab.coeffs
    header = np.zeros(HEADER)
    header[:3] = MODE_SEARCH, x.size - 1, c.shape[1]
    layout = _graded_layout(x)
    if layout is not None:
        header[0] = MODE_GRADED
        header[3:8] = layout
    return np.concatenate([header, tails[0], tails[1], x, c.ravel()])


def _pack_tail(law: TailLaw):
    if len(law.poly) > TAIL_POLY:
        return None
    poly = list(law.poly) + [0.0] * (TAIL_POLY - len(law.poly))
    return np.array(poly + [law.c, law.p, law.a, law.b, law.w, law.theta], dtype=float)


def _graded_layout(x):
    """(zc, 1/h, n_core, 1/log q, n_outer) if x is symmetric uniform-core + geometric."""
    n = x.size
    if n < 5 or not np.allclose(x, -x[::-1], rtol=0, atol=1e-12 * np.max(np.abs(x))):
        return None
    d = np.diff(x)
    h = d[n // 2 - 1] if n % 2 == 0 else d[(n - 1) // 2]
    core = np.abs(d - h) <= 1e-9 * h
    # the core is the central run of equal spacings
    mid = (n - 1) // 2
    lo = hi = min(mid, d.size - 1)
    while lo > 0 and core[lo - 1]:
        lo -= 1
    while hi < d.size - 1 and core[hi + 1]:
        hi += 1
    zc = x[hi + 1]
    n_core = hi - lo + 1
    n_out = lo
    if n_out != d.size - 1 - hi or not np.isclose(x[lo], -zc, rtol=1e-12):
        return None
    if n_out == 0:
        return zc, 1.0 / h, n_core, 0.0, 0
    outer = x[hi + 1 :]
    ratios = outer[1:] / outer[:-1]
    q = ratios[0]
    if not np.allclose(ratios, q, rtol=1e-9, atol=0):
        return None
    return zc, 1.0 / h, n_core, 1.0 / math.log(q), n_out
