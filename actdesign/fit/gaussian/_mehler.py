"""E[phi(u) phi(v)] for many bivariate normals at once, by the Mehler expansion.

With s1 = sqrt(Var u), s2 = sqrt(Var v) and rho = Cov / (s1 s2),

    E[phi(u) phi(v)] = sum_n a_n(s1) a_n(s2) rho^n,  a_n(s) = E[phi(s Z) h_n(Z)],

where h_n = He_n / sqrt(n!) are the orthonormal Hermite polynomials (Mehler's formula).
A kernel matrix has only as many scales s as points, so the 1-D integrals a_n(s) are
computed once per point and every entry is a polynomial in rho (Horner).

Truncation bound (Parseval, sum_n a_n(s)^2 = E[phi(s Z)^2], and Cauchy-Schwarz):

    |sum_{n > N} a_n(s1) a_n(s2) rho^n| <= |rho|^(N+1) sqrt(r_N(s1) r_N(s2)),
    r_N(s) = E[phi(s Z)^2] - sum_{n <= N} a_n(s)^2.

E[phi(s Z)^2] comes from its own adaptive integral (`_quad.smoothed`);
r_N is floored at FLOOR E[phi^2], below which the difference is rounding. The error
of the coefficients themselves is the difference of two Gauss rules on the same
panels, propagated by Cauchy-Schwarz. Entries whose bound misses the tolerance
(rho -> 1 with slowly decaying coefficients: near-diagonal, kinked phi) are left to
the caller, who integrates them adaptively (`_quad.bivariate`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._quad import smoothed, window

CUTS = (96, 512, 1536)  # truncation orders tried in turn
N_TERMS = CUTS[0]
WAVES = 2.0  # widest panel in z, in wavelengths 2 pi / sqrt(N) of h_N near z = 0
GL_HIGH, GL_LOW = 24, 16  # the coefficient error is |high - low| (conservative)
FLOOR = 1e-13  # r_N below FLOOR * E[phi^2] is rounding
GRADE_RATIO = 2.0  # geometric grading towards phi's centres seen through s
ROWS = 64  # scales per vectorised batch (memory: ROWS * nodes)


@lru_cache(maxsize=4)
def _gl(q: int):
    return np.polynomial.legendre.leggauss(q)


def _z_max(n_terms: int) -> float:
    """h_N(z)^2 e^{-z^2/2} lives inside |z| < 2 sqrt(N); beyond 2 sqrt(N) + 12 it is < 1e-40."""
    return 2.0 * math.sqrt(n_terms) + 12.0


def _grid(zmax, n_terms):
    """The uniform panel edges on [-zmax, zmax]."""
    panel = WAVES * 2 * math.pi / math.sqrt(n_terms)
    return np.linspace(-zmax, zmax, int(math.ceil(2 * zmax / panel)) + 1)


def _breaks(s, kinks, centres, width, zmax, n_terms):
    """Panel edges in z per scale (rows, nb): a uniform grid, phi's kinks at k/s, and
    geometric grading around each centre c/s from width/s outwards (tanh(s z) at large
    s changes on the scale 1/s, far below the grid step)."""
    grid = _grid(zmax, n_terms)
    rows = s.size
    cols = [np.broadcast_to(grid, (rows, grid.size))]
    cols += [np.full((rows, 1), k) / s[:, None] for k in kinks]
    w = width / s[:, None]
    levels = int(math.ceil(math.log(2 * zmax / float(w.min()), GRADE_RATIO))) + 1
    steps = GRADE_RATIO ** np.arange(max(levels, 1))
    for c in centres:
        p = c / s[:, None]
        cols += [p, p + w * steps, p - w * steps]
    edges = np.clip(np.concatenate(cols, axis=1), -zmax, zmax)
    return np.sort(edges, axis=1)


def _nodes(edges, q):
    """Gauss-Legendre nodes and weights of order q on every panel: (rows, panels * q)."""
    x, w = _gl(q)
    lo, hi = edges[:, :-1, None], edges[:, 1:, None]
    half = (hi - lo) / 2
    return ((lo + hi) / 2 + half * x).reshape(len(edges), -1), (half * w).reshape(len(edges), -1)


def _hermite(z, n_terms):
    """h_n(z) e^{-z^2/4} for n < n_terms, as rows (n_terms, q).

    The recurrence runs on the functions, bounded by 1, so nothing overflows at
    |z| ~ 2 sqrt(N) where h_n itself is huge.
    """
    out = np.empty((n_terms, z.size))
    prev, cur = np.zeros_like(z), np.exp(-z * z / 4)
    for n in range(n_terms):
        out[n] = cur
        prev, cur = cur, (z * cur - math.sqrt(n) * prev) / math.sqrt(n + 1)
    return out


def _shared(phi, s, kinks, centres, width, n_terms, zmax):
    """All scales on one node set (phi's features all at 0): one matrix product."""
    edges = _breaks(s[-1:], kinks, centres, width, zmax, n_terms)[0]  # graded to the largest s
    out = []
    for q in (GL_HIGH, GL_LOW):
        z, w = _nodes(edges[None, :], q)
        H, wg = _hermite(z[0], n_terms), w * np.exp(-z * z / 4) / math.sqrt(2 * math.pi)
        chunks = np.array_split(np.arange(s.size), max(1, s.size // (4 * ROWS)))
        out.append(np.concatenate([(wg * phi(s[r, None] * z)) @ H.T for r in chunks]))
    return out


def _rowwise(phi, s, kinks, centres, width, n_terms, zmax):
    """Scales whose kinks k/s or centres c/s lie away from 0.

    The uniform grid is shared (one matrix product, as in `_shared`) except the
    grid panels holding or touching a feature of the row; those are integrated on the
    row's own sub-panels (kinks, grading), where the Hermite recurrence runs per row
    on a few hundred nodes instead of the whole grid.
    """
    grid = _grid(zmax, n_terms)
    P = grid.size - 1
    feats = np.concatenate([np.full((s.size, 1), f) / s[:, None] for f in (*kinks, *centres)], 1)
    special = np.zeros((s.size, P), dtype=bool)
    for d in (-1, 0, 1):
        np.put_along_axis(special, _panel_of(grid, feats + d * (grid[1] - grid[0])), True, 1)
    out = {}
    for q in (GL_HIGH, GL_LOW):
        z, w = _nodes(grid[None, :], q)
        H, wg = _hermite(z[0], n_terms), w * np.exp(-z * z / 4) / math.sqrt(2 * math.pi)
        F = np.where(np.repeat(special, q, axis=1), 0.0, wg * phi(s[:, None] * z))
        out[q] = F @ H.T
    for rows in np.array_split(np.arange(s.size), max(1, s.size // ROWS)):
        edges = _local_edges(_breaks(s[rows], kinks, centres, width, zmax, n_terms), grid,
                             special[rows])
        mid = _panel_of(grid, (edges[:, :-1] + edges[:, 1:]) / 2)
        keep = np.take_along_axis(special[rows], mid, axis=1)
        for q in (GL_HIGH, GL_LOW):
            z, w = _nodes(edges, q)
            g = np.exp(-z * z / 4)
            f = np.repeat(keep, q, axis=1) * w * phi(s[rows, None] * z) * g
            f /= math.sqrt(2 * math.pi)
            prev, cur = np.zeros_like(z), g
            for n in range(n_terms):
                out[q][rows, n] += np.einsum("rq,rq->r", f, cur)
                prev, cur = cur, (z * cur - math.sqrt(n) * prev) / math.sqrt(n + 1)
    return out[GL_HIGH], out[GL_LOW]


def _panel_of(grid, x):
    """Index of the grid panel holding each x (clipped to the grid)."""
    return np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)


def _local_edges(edges, grid, special):
    """Each row's edges inside its special panels, compacted to the left; the padding
    repeats the last edge (zero-width panels)."""
    panel = _panel_of(grid, edges)
    left = np.take_along_axis(special, np.maximum(panel - 1, 0), axis=1)
    inside = np.take_along_axis(special, panel, axis=1) | (left & (edges == grid[panel]))
    kept = np.sort(np.where(inside, edges, np.inf), axis=1)[:, : max(1, inside.sum(1).max())]
    last = np.max(np.where(np.isfinite(kept), kept, -np.inf), axis=1, keepdims=True)
    return np.where(np.isfinite(kept), kept, last)


def coefficients(phi, s, *, kinks=(), centres=(0.0,), width=1.0, n_terms=N_TERMS):
    """Hermite coefficients of phi(s Z) for each scale s > 0 (s sorted ascending).

    Returns
    -------
    a : ndarray (S, n_terms)
        a_n(s) = E[phi(s Z) He_n(Z)] / sqrt(n!).
    err : ndarray (S,)
        sqrt(sum_n (error of a_n)^2), from two Gauss rules on the same panels.
    """
    s = np.asarray(s, dtype=float)
    lo, hi, _ = window(phi, np.zeros(s.size), s)  # a growing phi moves the mass out
    zmax = max(_z_max(n_terms), float(np.max(np.abs(np.r_[lo, hi]), initial=0.0)))
    at_zero = not any(kinks) and not any(centres)
    route = _shared if at_zero else _rowwise
    hi, lo = route(phi, s, tuple(kinks), tuple(centres), float(width), n_terms, zmax)
    return hi, np.sqrt(np.sum((hi - lo) ** 2, axis=1))


def _squares(phi, s, kinks, centres, width):
    """E[phi(s Z)^2] and its error per scale, by its own adaptive integral over a window
    that follows phi^2 N (inf where it diverges, exp(z^2) at s^2 >= 1/4 say)."""
    live = s > 0
    phi0 = float(np.asarray(phi(np.zeros(1)))[0])
    e2, e2err = np.full(s.size, phi0 * phi0), np.zeros(s.size)
    if live.any():
        e2[live], e2err[live] = smoothed(
            lambda x: phi(x) ** 2, np.zeros(int(live.sum())), s[live], kinks, centres, width,
            1e-12, 1e-300, power=1,
        )
    return phi0, e2, e2err


def _stage(phi, s, need, phi0, e2, e2err, setup, n_terms):
    """Coefficients (n_terms, S) (zero for scales not in ``need``), their error and
    the tail bound r_N per scale."""
    at, cerr, rN = np.zeros((n_terms, s.size)), np.zeros(s.size), np.zeros(s.size)
    at[0] = phi0  # s = 0: phi(0 Z) = phi(0), a constant, no tail
    live = need & (s > 0) & np.isfinite(e2)
    if live.any():
        a, cerr[live] = coefficients(phi, s[live], **setup, n_terms=n_terms)
        at[:, live] = a.T
        r = np.maximum(e2[live] - np.sum(a * a, axis=1), FLOOR * e2[live])
        rN[live] = r + e2err[live] + 2 * np.sqrt(e2[live]) * cerr[live]
    return at, cerr, rN


def mehler(phi, s11, s22, s12, *, kinks=(), centres=(0.0,), width=1.0, rtol=1e-10,
           cuts=CUTS):
    """E[phi(u) phi(v)] by the Mehler expansion, with its error bound.

    Parameters
    ----------
    phi, kinks, centres, width : as for `_quad.bivariate`.
    s11, s22, s12 : 1-D arrays of one length (the entries).
    rtol : float
        Tolerance relative to sqrt(E[phi(u)^2] E[phi(v)^2]).
    cuts : increasing ints
        Truncation orders tried in turn: an entry whose bound meets the tolerance at
        one is not summed further, and the longer expansions are computed only for
        the scales still needed (most entries need few terms, rho -> 1 many).

    Returns
    -------
    (values, errors, ok) : ndarrays
        ``ok`` marks the entries whose error bound meets the tolerance; the others
        hold the truncated sum and must be recomputed (adaptively) by the caller.
    """
    s11, s22, s12 = (np.asarray(x, dtype=float).ravel() for x in (s11, s22, s12))
    var, inv = np.unique(np.r_[s11, s22], return_inverse=True)
    p, q = inv[: s11.size], inv[s11.size :]
    s = np.sqrt(np.maximum(var, 0.0))
    setup = dict(kinks=tuple(kinks), centres=tuple(centres), width=float(width))
    phi0, e2, e2err = _squares(phi, s, *setup.values())
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.clip(np.nan_to_num(s12 / np.sqrt(s11 * s22)), -1.0, 1.0)
    scale = np.sqrt(e2[p] * e2[q])
    val, err = np.zeros(s11.size), np.full(s11.size, np.inf)
    same = (p == q) & (s12 == s11)  # the diagonal x = x': E[phi(u)^2] itself
    val[same] = e2[p[same]]
    err[same] = e2err[p[same]] + 8 * np.finfo(float).eps * e2[p[same]]
    div = ~np.isfinite(scale)  # E[phi^2] diverges: the caller reports it
    val[div] = np.inf
    todo = np.flatnonzero(~same & ~div)
    for cut in cuts:
        if todo.size == 0:
            break
        need = np.zeros(s.size, dtype=bool)
        need[p[todo]] = need[q[todo]] = True
        at, cerr, rN = _stage(phi, s, need, phi0, e2, e2err, setup, cut)
        pt, qt, rt = p[todo], q[todo], rho[todo]
        acc = np.zeros(todo.size)
        for n in range(cut - 1, -1, -1):  # Horner in rho
            acc = acc * rt + at[n, pt] * at[n, qt]
        val[todo] = acc
        bound = np.abs(rt) ** cut * np.sqrt(rN[pt] * rN[qt])
        bound += cerr[pt] * np.sqrt(e2[qt]) + cerr[qt] * np.sqrt(e2[pt]) + cerr[pt] * cerr[qt]
        err[todo] = bound + 8 * cut * np.finfo(float).eps * scale[todo]  # + rounding
        todo = todo[err[todo] > rtol * scale[todo]]
    return val, err, err <= rtol * scale
