"""The numeric representation of a closed form that a backend cannot print.

phi is tabulated by the shared tabulator (`actdesign.tabulate._hermite`: quintic Hermite
pieces from phi, phi' and phi'' in float64, one-sided at kinks, checked between the
knots) on knots that the exporter's bucket layout can find without a search: the
octave [2^e, 2^(e+1)) is cut into 2^b equal pieces, b chosen per octave until the
pieces are accurate to ``TOL`` (relative). This grades the knots geometrically towards
0, where designed activations have their kinks and cusps, and keeps them uniform inside
each octave, as exponentially small tails need. Kinks away from 0 become extra knots.
The table ends where a fitted `TailLaw` (`actdesign.tabulate._tailfit`)
takes over within ``TOL`` (or where phi underflows float64).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..formula._kinks import breakpoints
from ..infra._symbols import z as Z
from ..tabulate._hermite import Accuracy, Layout, TabulationError
from ..tabulate._hermite import tabulate as hermite_table
from ..tabulate._tabulation import Tabulation
from ..tabulate._tailfit import first_accurate

TOL = 1e-8  # relative error aimed at, per piece and on the tails
E_MIN = -40  # |z| < 2^E_MIN is one linear (or constant, if phi is singular at 0) piece
E_TOP = range(4, 21)  # the table ends at 2^E, the first E whose tail law is within TOL
MAX_BITS = 14
# relative to |phi| itself, so exponentially small tails are resolved too, but with a
# floor of 1e-6 times phi at the piece's ends, so that a zero of phi inside a piece is
# judged against the local size of phi (and 1e-280: float64 loses relative precision
# near underflow)
ACCURACY = Accuracy(TOL, floor=1e-280, end_floor=1e-6)

FallbackError = TabulationError  # phi or phi' is not finite at a knot away from 0


@functools.lru_cache(maxsize=32)
def tabulate(phi: sp.Expr):
    """Tabulate ``phi``: returns (Tabulation, max relative error estimate)."""
    # DiracDelta (from differentiating |z| twice) vanishes off the kinks, where it is evaluated
    derivs = [sp.diff(phi, Z, nu).replace(sp.DiracDelta, lambda *a: sp.S.Zero) for nu in range(3)]

    def f(x, nu=0):
        return evaluate(derivs[nu], Z, x)

    start, (left, right), tail_err = first_accurate(f, [2.0**e for e in E_TOP], TOL, TOL / 10)
    top = int(np.log2(start))
    knots, coeffs, piece_err = hermite_table(f, octaves(f, top), _kinks(phi, start), ACCURACY)
    return Tabulation(knots, coeffs, left, right), max(piece_err, tail_err)


def octaves(f, top: int) -> Layout:
    """The bucket layout: octaves 2^e <= |z| < 2^(e+1) (both sides, E_MIN <= e < top),
    each cut into 2^bits equal pieces, and the linear pieces at 0 from ``f``."""
    return Layout(tuple(functools.partial(_octave, e) for e in range(E_MIN, top)),
                  max_level=MAX_BITS, carry=True, fixed=(_core(f, -1.0), _core(f, 1.0)))


def _octave(e, bits):
    a, b = 2.0**e, 2.0 ** (e + 1)
    pos = a + (b - a) * np.arange(2**bits + 1) / 2**bits
    return np.concatenate([-pos[:0:-1], pos[:-1]]), np.concatenate([-pos[-2::-1], pos[1:]])


def _kinks(phi, limit):
    """Real points other than 0 where phi may be non-smooth or singular.

    The break points come from `actdesign.formula._kinks`.
    """
    pts = breakpoints(phi, limit, singular=True)
    return pts[pts != 0]


def _core(f, side):
    """The piece between 0 and side * 2^E_MIN: linear to phi(0), constant if phi(0) is infinite."""
    edge = side * 2.0**E_MIN
    f_edge = float(f(np.array([edge]))[0])
    near = f(side * np.array([1e-300, 1e-200]))
    converged = (np.all(np.isfinite(near))
                 and abs(near[0] - near[1]) <= 1e-9 * max(abs(near[0]), 1e-300))
    f0 = float(f(np.array([0.0]))[0])
    if not np.isfinite(f0):
        f0 = float(near[0]) if converged else f_edge
    lo, hi, f_lo, f_hi = (edge, 0.0, f_edge, f0) if side < 0 else (0.0, edge, f0, f_edge)
    slope = (f_hi - f_lo) / (hi - lo)
    return lo, hi, np.array([f_lo, slope, 0.0, 0.0, 0.0, 0.0])
