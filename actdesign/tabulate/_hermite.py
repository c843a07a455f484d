"""The one tabulator of a given phi: Hermite pieces on a layout of knots, checked.

Fit (graded knots, `actdesign.fit.compute._tabulate`) and export (octave buckets,
`actdesign._export._fallback`) differ only in where the knots go, which is a
`Layout`: blocks of pieces, each refined on its own (level 0, 1, ...) until its
pieces are accurate to ``tol`` between the knots. Per piece the polynomial matches phi,
phi' and phi'' at both ends (quintic), or phi and phi' (cubic) where phi'' is not
finite. At a kink a piece takes the one-sided limits from its own side. The tails
beyond the table are fitted by `actdesign.tabulate._tailfit` (the one tail fit).
`actdesign.Tabulation.from_hermite` builds its pieces with `hermite` too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import factorial

import numpy as np

# where between two knots a table is checked (fractions of the piece)
CHECK = (0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875)
SIDE_STEP = 1e-13  # one-sided limits at a kink are taken this far (relative) inside a piece


class TabulationError(ValueError):
    """phi or phi' is not finite at a knot: no polynomial piece can end there."""


@dataclass(frozen=True)
class Layout:
    """Where the knots go.

    Attributes
    ----------
    blocks : tuple of callables
        ``block(level) -> (lo, hi)``: the pieces of one block at refinement ``level``
        (finer with each level); the blocks together tile the table's range, apart from
        ``fixed``.
    max_level : int
        The finest level tried.
    carry : bool
        A block starts one level below where the previous block ended (neighbouring
        octaves need similar resolutions) rather than at 0.
    fixed : tuple
        ``(lo, hi, coeffs)`` pieces taken as they are (export's linear piece at 0).
    """

    blocks: tuple[Callable[[int], tuple[np.ndarray, np.ndarray]], ...]
    max_level: int
    carry: bool = False
    fixed: tuple = ()


@dataclass(frozen=True)
class Accuracy:
    """How the error at the check points is measured: |table - phi| divided by
    max(|phi|, ``floor``, ``end_floor`` * max |phi at the piece's ends|)."""

    tol: float
    floor: float = 1.0
    end_floor: float = 0.0


def tabulate(f, layout: Layout, kinks, accuracy: Accuracy):
    """Hermite pieces of ``f`` on ``layout``, split at ``kinks``.

    Parameters
    ----------
    f : callable
        ``f(x, nu)``: the nu-th derivative (nu = 0, 1, 2) of phi on a float64 array;
        non-finite values (or an exception) where it is not available.
    layout : Layout
    kinks : array_like
        Points where phi is not smooth; they become knots with one-sided derivatives.
    accuracy : Accuracy

    Returns
    -------
    (knots, coeffs, err)
        Ready for `Tabulation`; ``err`` is the largest check error
        (it exceeds ``accuracy.tol`` where a block never got there).
    """
    kinks = np.unique(np.asarray(kinks, dtype=float))
    rows = list(layout.fixed)
    worst, level = 0.0, 0
    for block in layout.blocks:
        level = max(level - 1, 0) if layout.carry else 0
        while True:
            lo, hi = split(*block(level), kinks)
            coeffs = pieces(f, lo, hi, kinks)
            err = check(f, lo, hi, coeffs, accuracy)
            if err <= accuracy.tol or level >= layout.max_level:
                break
            level += 1
        rows.append((lo, hi, coeffs))
        worst = max(worst, err)
    knots, coeffs = assemble(rows)
    return knots, coeffs, worst


def split(lo, hi, kinks):
    """The pieces [lo, hi] (sorted by lo) cut at every kink strictly inside one of them."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    i = np.searchsorted(lo, kinks, side="right") - 1
    j = np.maximum(i, 0)
    cuts = kinks[(i >= 0) & (kinks > lo[j]) & (kinks < hi[j])]
    if cuts.size == 0:
        return lo, hi
    new_lo = np.sort(np.concatenate([lo, cuts]))
    piece = np.searchsorted(lo, new_lo, side="right") - 1
    new_hi = hi[piece]
    same = piece[1:] == piece[:-1]  # the next point cuts the same piece: it ends there
    new_hi[:-1][same] = new_lo[1:][same]
    return new_lo, new_hi


def pieces(f, lo, hi, kinks=()):
    """Hermite coefficients (n, 6) in t = z - lo, one-sided at kinks: quintic, or cubic
    (top coefficients 0) on a piece where phi'' is not finite at an end."""
    ends = [_derivatives(f, x, inward, np.isin(x, kinks), hi - lo)
            for x, inward in ((lo, 1.0), (hi, -1.0))]
    quintic = np.isfinite(ends[0][2]) & np.isfinite(ends[1][2])
    out = np.zeros((lo.size, 6))
    if quintic.any():
        out[quintic] = hermite(lo[quintic], hi[quintic],
                               [d[quintic] for d in ends[0]], [d[quintic] for d in ends[1]])
    if not quintic.all():
        c = ~quintic
        out[c, :4] = hermite(lo[c], hi[c], [d[c] for d in ends[0][:2]], [d[c] for d in ends[1][:2]])
    return out


def _derivatives(f, x, inward, at_kink, h):
    """[phi, phi', phi''] at x; at a kink a hair inside the piece (the one-sided limit)."""
    step = np.minimum(SIDE_STEP * np.maximum(1.0, np.abs(x)), 1e-6 * h)
    xs = np.where(at_kink, x + inward * step, x)
    out = []
    for nu in range(3):
        try:
            with np.errstate(all="ignore"):
                v = np.asarray(f(xs, nu), dtype=float) * np.ones_like(xs)
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError):
            v = np.full_like(xs, np.nan)
        out.append(v)
    bad = ~(np.isfinite(out[0]) & np.isfinite(out[1]))
    if bad.any():
        raise TabulationError(f"phi or phi' is not finite at z = {x[bad][0]:g}")
    return out


def hermite(lo, hi, left, right):
    """Coefficients in t = z - lo of the polynomials matching ``left`` = [f, f', ...] at
    lo and ``right`` at hi (m derivatives each: degree 2m - 1), shape (n, 2m).

    Solved in u = t / h: the lower m coefficients are the Taylor coefficients at lo; the
    upper m solve the conditions at u = 1 left over by them (residuals taken first, so a
    nearly constant phi on a tiny piece loses no digits), with a matrix that is the same
    for every piece and inverted exactly once.
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    h = hi - lo
    m = len(left)
    low = [np.asarray(d, dtype=float) * h**q / factorial(q) for q, d in enumerate(left)]
    resid = []
    for q, d in enumerate(right):
        taylor = sum(factorial(j) // factorial(j - q) * low[j] for j in range(q, m))
        resid.append(np.asarray(d, dtype=float) * h**q - taylor)
    upper = []
    for row in _upper_inverse(m):
        acc = row[0] * resid[0]
        for w, r in zip(row[1:], resid[1:]):
            acc = acc + w * r
        upper.append(acc)
    a = np.stack(low + upper, axis=1)
    return a / h[:, None] ** np.arange(2 * m)


@functools.lru_cache(maxsize=8)
def _upper_inverse(m: int) -> tuple:
    """Exact inverse of [j!/(j-q)!] (q < m <= j < 2m): the upper coefficients' conditions
    at u = 1."""
    rows = [[Fraction(factorial(j), factorial(j - q)) for j in range(m, 2 * m)] for q in range(m)]
    return tuple(tuple(float(v) for v in row) for row in _invert(rows))


def _invert(a):
    """Gauss-Jordan on Fractions (small exact matrices)."""
    n = len(a)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(a)]
    for col in range(n):
        piv = next(r for r in range(col, n) if aug[r][col] != 0)
        aug[col], aug[piv] = aug[piv], aug[col]
        aug[col] = [v / aug[col][col] for v in aug[col]]
        for r in range(n):
            if r != col and aug[r][col] != 0:
                k = aug[r][col]
                aug[r] = [v - k * w for v, w in zip(aug[r], aug[col])]
    return [row[n:] for row in aug]


def check(f, lo, hi, coeffs, accuracy: Accuracy) -> float:
    """Largest error of the pieces at the `CHECK` points (see `Accuracy`)."""
    with np.errstate(all="ignore"):
        floor = accuracy.floor
        if accuracy.end_floor:
            ends = np.maximum(np.abs(f(lo, 0)), np.abs(f(hi, 0)))
            floor = np.maximum(floor, accuracy.end_floor * np.nan_to_num(ends))
        worst = 0.0
        for frac in CHECK:
            t = frac * (hi - lo)
            got = np.polynomial.polynomial.polyval(t, coeffs.T, tensor=False)
            ref = np.asarray(f(lo + t, 0), dtype=float)
            if not np.all(np.isfinite(ref)):
                return float("inf")
            rel = np.abs(got - ref) / np.maximum(np.abs(ref), floor)
            worst = max(worst, float(np.max(rel)))
    return worst


def assemble(rows):
    """(knots, coeffs) from blocks of contiguous pieces ``(lo, hi, coeffs)``."""
    lo = np.concatenate([np.atleast_1d(r[0]) for r in rows])
    hi = np.concatenate([np.atleast_1d(r[1]) for r in rows])
    coeffs = np.concatenate([np.atleast_2d(r[2]) for r in rows])
    order = np.argsort(lo, kind="stable")
    lo, hi, coeffs = lo[order], hi[order], coeffs[order]
    if np.any(hi[:-1] != lo[1:]):
        gap = np.nonzero(hi[:-1] != lo[1:])[0][0]
        raise TabulationError(f"layout leaves a gap or overlap at z = {hi[gap]:g}")
    return np.append(lo, hi[-1]), coeffs
