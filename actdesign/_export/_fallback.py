"""The numeric representation of a closed form that a backend cannot print.

phi is tabulated with quintic Hermite pieces (values, first and second derivatives
from the closed form, in float64) on knots that the exporter's bucket layout can find
without a search: the octave [2^e, 2^(e+1)) is cut into 2^b equal pieces, b chosen per
octave until the pieces are accurate to ``TOL`` (relative). This grades the knots
geometrically towards 0, where designed activations have their kinks and cusps, and
keeps them uniform inside each octave, as exponentially small tails need. Kinks away
from 0 become extra knots. The table ends where a fitted :class:`~actdesign.TailLaw`
takes over within ``TOL`` (or where phi underflows float64).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from .._evaluate import evaluate
from .._symbols import z as Z
from .._tabulation import Tabulation
from ._tailfit import fit_tail

TOL = 1e-8  # relative error aimed at, per piece and on the tails
E_MIN = -40  # |z| < 2^E_MIN is one linear (or constant, if phi is singular at 0) piece
E_TOP = range(4, 21)  # the table ends at 2^E, the first E whose tail law is within TOL
MAX_BITS = 14


class FallbackError(ValueError):
    """phi cannot be tabulated (not finite at a knot away from 0)."""


@functools.lru_cache(maxsize=32)
def tabulate(phi: sp.Expr):
    """Tabulate ``phi``: returns (Tabulation, max relative error estimate)."""
    # DiracDelta (from differentiating |z| twice) vanishes off the kinks, where it is evaluated
    derivs = [sp.diff(phi, Z, nu).replace(sp.DiracDelta, lambda *a: sp.S.Zero) for nu in range(3)]

    def f(x, nu=0):
        return evaluate(derivs[nu], Z, x)

    top, (left, right), tail_err = _tails(f)
    kinks = _kinks(phi, 2.0**top)
    pieces = [_core(f, -1.0), _core(f, 1.0)]
    piece_err = 0.0
    bits = 0
    for e in range(E_MIN, top):
        bits, rows, err = _octave(f, e, max(bits - 1, 0), kinks)
        pieces += rows
        piece_err = max(piece_err, err)
    knots, coeffs = _assemble(pieces)
    return Tabulation(knots, coeffs, left, right), max(piece_err, tail_err)


def _tails(f):
    best = None
    for top in E_TOP:
        laws, errs = zip(*(fit_tail(f, side, 2.0**top, TOL / 10) for side in (-1.0, 1.0)))
        err = max(errs)
        if best is None or err < best[2]:
            best = (top, laws, err)
        if err <= TOL:
            break
    return best


def _kinks(phi, limit):
    """Real points other than 0 where phi may be non-smooth (arguments of |.|, max, ...)."""
    zeros = []
    for node in sp.preorder_traversal(phi):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            zeros.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            zeros += [a - b for a in node.args for b in node.args if a != b]
        elif isinstance(node, sp.Rel):
            zeros.append(node.lhs - node.rhs)
        elif isinstance(node, sp.besselk) or (node.is_Pow and not node.exp.is_Integer):
            zeros.append(node.args[-1] if isinstance(node, sp.besselk) else node.base)
    points = set()
    for expr in zeros:
        if not expr.has(Z):
            continue
        try:
            sol = sp.solveset(expr, Z, sp.S.Reals)
        except (NotImplementedError, TypeError, ValueError):
            continue
        if isinstance(sol, sp.FiniteSet):
            points.update(float(p) for p in sol if p.is_real and p != 0 and abs(float(p)) < limit)
    return np.array(sorted(points))


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


def _octave(f, e, bits, kinks):
    """Pieces of the octave 2^e <= |z| < 2^(e+1) on both sides, at the first accurate resolution."""
    a, b = 2.0**e, 2.0 ** (e + 1)
    inside = kinks[(np.abs(kinks) > a) & (np.abs(kinks) < b)]
    while True:
        pos = a + (b - a) * np.arange(2**bits + 1) / 2**bits
        x = np.union1d(np.concatenate([-pos, pos]), inside)
        x = x[(np.abs(x) >= a) & (np.abs(x) <= b)]
        lo, hi = x[:-1], x[1:]
        keep = ~((lo < 0) & (hi > 0))  # the gap between -2^e and 2^e belongs to other octaves
        lo, hi = lo[keep], hi[keep]
        coeffs = _quintic(f, lo, hi, kinks)
        err = _error(f, lo, hi, coeffs)
        if err <= TOL or bits >= MAX_BITS:
            return bits, list(zip(lo, hi, coeffs)), err
        bits += 1


def _quintic(f, lo, hi, kinks):
    """Quintic Hermite coefficients in t = z - lo; derivatives one-sided at kinks."""
    h = hi - lo
    ends = []
    for x, inward in ((lo, 1.0), (hi, -1.0)):
        at_kink = np.isin(x, kinks)
        xd = np.where(at_kink, x + inward * 1e-9 * h, x)
        vals = [f(x, 0), f(xd, 1), f(xd, 2)]
        if not all(np.all(np.isfinite(v)) for v in vals):
            bad = x[~np.isfinite(vals[0] + vals[1] + vals[2])][0]
            raise FallbackError(f"phi or its derivatives are not finite at z = {bad:g}")
        ends.append(vals)
    (f0, d0, s0), (f1, d1, s1) = ends
    # in u = t/h: a0..a2 from the left end, a3..a5 solve the right-end conditions
    a0, a1, a2 = f0, h * d0, h * h * s0 / 2
    A = f1 - (a0 + a1 + a2)
    B = h * d1 - (a1 + 2 * a2)
    C = h * h * s1 - 2 * a2
    a3 = 10 * A - 4 * B + C / 2
    a4 = -15 * A + 7 * B - C
    a5 = 6 * A - 3 * B + C / 2
    return np.stack([a0, a1 / h, a2 / h**2, a3 / h**3, a4 / h**4, a5 / h**5], axis=1)


def _error(f, lo, hi, coeffs):
    """Max relative error at 1/4, 1/2 and 3/4 of every piece.

    Relative to |phi| itself, so exponentially small tails are resolved too, but with a
    floor of 1e-6 TOL times phi at the piece's ends, so that a zero of phi inside a piece
    is judged against the local size of phi.
    """
    ends = np.maximum(np.abs(f(lo)), np.abs(f(hi)))
    floor = np.maximum(1e-6 * ends, 1e-280)  # float64 loses relative precision near underflow
    worst = 0.0
    for frac in (0.25, 0.5, 0.75):
        t = frac * (hi - lo)
        got = np.polynomial.polynomial.polyval(t, coeffs.T, tensor=False)
        ref = f(lo + t)
        rel = np.abs(got - ref) / np.maximum(np.abs(ref), floor)
        worst = max(worst, float(np.max(rel)))
    return worst


def _assemble(pieces):
    pieces.sort(key=lambda p: p[0])
    knots = np.array([p[0] for p in pieces] + [pieces[-1][1]])
    coeffs = np.stack([p[2] for p in pieces])
    return knots, coeffs
