"""Fit a `TailLaw` to a function beyond the end of its table: the one
tail fit (export's fallback tables and the numeric design route use it).

The law is poly(z) + c|z|^p exp(-a|z| - b z^2) (see ``actdesign.tabulate._tail``). The
polynomial part is read from the far samples, the decaying part from log|rest| by
least squares (`fit_decay`), trying the simplest model first. An exponentially
small tail that underflows float64 is the zero law, which is then exact in float64.
"""

from __future__ import annotations

import numpy as np

from ._tail import TailLaw

UNDERFLOW = 1e-300
# columns of the least-squares fit of log|rest|, simplest model first
MODELS = (("1", "log"), ("1", "log", "z"), ("1", "log", "z2"), ("1", "log", "z", "z2"))


def fit_tail(f, side: float, start: float, tol: float = 1e-10):
    """The law for ``side * z`` with z >= ``start``, and its max relative error.

    Parameters
    ----------
    f : callable
        phi on float64 numpy arrays.
    side : {-1.0, 1.0}
        Which tail.
    start : float
        Where the table ends (> 0).
    tol : float
        Relative residual at which a model is accepted.

    Returns
    -------
    (TailLaw, float)
    """
    near = np.geomspace(start, 16 * start, 48)
    far = np.geomspace(2**10 * start, 2**14 * start, 24)
    with np.errstate(all="ignore"):
        poly = _poly_part(side * far, f(side * far), tol)
        rest = f(side * near) - TailLaw(poly=poly)(side * near)
        law = TailLaw(poly=poly)
        if _needs_decay(rest, poly, side * near):
            law = fit_decay(near, rest, poly, tol)[0]
    return law, tail_error(f, law, side, start)


def fit_tails(f, start: float, tol: float = 1e-10):
    """Both laws (left, right) beyond -``start`` and ``start``, and the larger error."""
    laws, errs = zip(*(fit_tail(f, side, start, tol) for side in (-1.0, 1.0)))
    return laws, max(errs)


def first_accurate(f, starts, accept: float, tol: float):
    """(start, laws, err) for the first of ``starts`` whose tail error is <= ``accept``
    (laws fitted to ``tol``), else for the start with the smallest error."""
    best = None
    for start in starts:
        laws, err = fit_tails(f, start, tol)
        if best is None or err < best[2]:
            best = (start, laws, err)
        if err <= accept:
            break
    return best


def tail_error(f, law: TailLaw, side: float, start: float) -> float:
    """Max relative error of ``law`` against ``f`` on [start, 2^20 start] (underflow is 0)."""
    u = side * np.geomspace(start, 2**20 * start, 400)
    with np.errstate(all="ignore"):
        ref, got = f(u), law(u)
    both_tiny = (np.abs(ref) < UNDERFLOW) & (np.abs(got) < UNDERFLOW)
    rel = np.abs(got - ref) / np.maximum(np.abs(ref), UNDERFLOW)
    rel = np.where(both_tiny, 0.0, rel)
    return float(np.max(rel)) if np.all(np.isfinite(rel)) else float("inf")


def _poly_part(z, v, tol):
    """Lowest-degree polynomial (<= 3) that matches ``v`` at the far points, or ()."""
    if not np.all(np.isfinite(v)) or np.max(np.abs(v)) < UNDERFLOW:
        return ()
    scale = np.max(np.abs(z))
    for d in range(4):
        coef = np.polynomial.polynomial.polyfit(z / scale, v, d)
        fitted = np.polynomial.polynomial.polyval(z / scale, coef)
        resid = np.max(np.abs(fitted - v)) / np.max(np.abs(v))
        if resid < tol:
            coef = coef / scale ** np.arange(d + 1)
            return () if np.all(coef == 0) else tuple(float(c) for c in coef)
    return ()


def _needs_decay(rest, poly, z):
    size = np.abs(TailLaw(poly=poly)(z)) if poly else 0.0
    return bool(np.any(np.abs(rest) > np.maximum(UNDERFLOW, 1e-17 * size)))


def fit_decay(u, rest, poly, tol, models=MODELS):
    """(law, residual): c u^p exp(-a u - b u^2) fitted to ``rest`` at u = |z| > 0 on top
    of ``poly``; the first of ``models`` whose max residual in log|rest| is below ``tol``
    wins, else the best. ``rest`` that changes sign (an oscillating tail) or has fewer
    than 8 representable samples gives the bare polynomial law and residual None."""
    keep = np.abs(rest) > UNDERFLOW
    u, rest = u[keep], rest[keep]
    if u.size < 8 or np.any(np.sign(rest) != np.sign(rest[0])):
        return TailLaw(poly=poly), None
    sign = np.sign(rest[0])
    y = np.log(np.abs(rest))
    basis = {"1": np.ones_like(u), "log": np.log(u), "z": -u, "z2": -(u**2)}
    best = None
    for cols in models:
        A = np.stack([basis[c] for c in cols], axis=1)
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        resid = float(np.max(np.abs(A @ coef - y)))
        if best is None or resid < best[0]:
            best = (resid, dict(zip(cols, coef)))
        if resid < tol:
            break
    resid, params = best
    law = TailLaw(poly=poly, c=float(sign * np.exp(params["1"])), p=float(params["log"]),
                  a=float(max(params.get("z", 0.0), 0.0)),
                  b=float(max(params.get("z2", 0.0), 0.0)))
    return law, resid
