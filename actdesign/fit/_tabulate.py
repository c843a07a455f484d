"""Tabulations for the fused kernels: graded knots, accuracy check, flat packing.

Any activation can be evaluated inside the numba/cupy kernels through a
:class:`~actdesign.Tabulation`. Closed forms without a hand-fused kernel are
tabulated here by quintic Hermite interpolation (values and two derivatives) on
graded knots: uniform spacing ``h`` on ``[-zc, zc]`` and geometric spacing (ratio
``q``) out to ``zmax``. That layout lets a kernel find the piece of ``z`` by
arithmetic instead of a search. Every table is checked against ``act(z)`` between
its knots before use.
"""

from __future__ import annotations

import math

import numpy as np

from .._tabulation import Tabulation
from .._tail import TailLaw

TAIL_POLY = 4  # tail polynomials of degree < 4 can be packed
HEADER = 8
TAIL_LEN = TAIL_POLY + 6
MODE_SEARCH, MODE_GRADED = 0.0, 1.0


def graded_knots(zc: float, h: float, q: float, zmax: float) -> np.ndarray:
    """Uniform knots on [-zc, zc] with spacing h, geometric (ratio q) out to >= zmax."""
    core = np.linspace(-zc, zc, int(round(2 * zc / h)) + 1)
    n_out = max(1, int(math.ceil(math.log(max(zmax, zc * q) / zc) / math.log(q))))
    outer = zc * q ** np.arange(1, n_out + 1)
    return np.concatenate([-outer[::-1], core, outer])


def tabulate(
    act, zmax: float, *, tol: float = 1e-10, h: float = 1 / 16, zc: float = 8.0, kinks=()
) -> tuple[Tabulation | None, float]:
    """Tabulate ``act`` on graded knots covering [-zmax, zmax]; returns (table, max error).

    The table is refined (h halved) up to three times until the largest error at the
    quarter points of the pieces is at most ``tol * max(1, |phi|)``. Returns
    ``(None, err)`` if that never happens (for example an unrecognised kink).
    """
    err = math.inf
    for _ in range(4):
        q = 1.0 + 2.0 * h / zc
        x = graded_knots(zc, h, q, zmax)
        x = np.union1d(x, [k for k in kinks if abs(k) < zmax])
        derivs = _derivatives(act, x)
        if derivs is None:
            return None, math.inf
        left, right = _tails(act, x)
        tab = Tabulation.from_hermite(x, derivs, left, right)
        err = _table_error(act, tab)
        if err <= tol:
            return tab, err
        h /= 2
    return None, err


def _derivatives(act, x):
    """[f, f', f''] at the knots (one-sided across kinks is not attempted)."""
    out = []
    for nu in range(3):
        try:
            with np.errstate(all="ignore"):
                v = np.asarray(act.derivative(x, nu), dtype=float)
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError):
            return out if len(out) >= 2 else None
        if not np.all(np.isfinite(v)):
            return out if len(out) >= 2 else None
        out.append(v)
    return out


def _tails(act, x):
    """Tail laws: the activation's own laws if it has a table ending inside ours,
    otherwise the linear continuation (only reached beyond the fitted range)."""
    tab = getattr(act, "tabulation", None)
    if tab is not None and tab.knots[0] >= x[0] and tab.knots[-1] <= x[-1]:
        return tab.left, tab.right
    laws = []
    for end, inner in ((x[0], x[1]), (x[-1], x[-2])):
        f, g = (float(np.asarray(act(np.array([v])))[0]) for v in (end, inner))
        d = (f - g) / (end - inner)
        laws.append(TailLaw(poly=(f - d * end, d)))
    return laws[0], laws[1]


def _table_error(act, tab) -> float:
    x = tab.knots
    t = np.concatenate([x[:-1] + f * np.diff(x) for f in (0.125, 0.375, 0.5, 0.625, 0.875)])
    with np.errstate(all="ignore"):
        exact = np.asarray(act(t), dtype=float)
    got = tab(t)
    if not np.all(np.isfinite(exact)):
        return math.inf
    return float(np.max(np.abs(got - exact) / np.maximum(1.0, np.abs(exact))))


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
