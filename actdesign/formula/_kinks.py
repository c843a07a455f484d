"""Where a closed form is not smooth: the one break-point finder (analyze, export, init, fit).

A break point is a real zero of the argument of a switching function (Abs, sign,
Heaviside, floor, ceiling), of a difference of two arguments of Max/Min, or of the two
sides of a Piecewise condition; with ``singular=True`` also of the argument of Bessel K
and of the base of a non-integer power (where phi or a derivative is unbounded).
Zeros are found numerically (sign changes on a grid, refined by a bracketed root
finder), so transcendental arguments need no symbolic solver and no time cap.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..infra._symbols import z as Z
from ._evaluate import evaluate
from ._roots import bracketed_root

# functions whose value or derivative jumps where (one of) their arguments vanish(es)
SWITCHES = (sp.Abs, sp.sign, sp.Heaviside, sp.floor, sp.ceiling)
SEARCH = 60.0  # |z| searched on the fine grid (N(0,1) at sigma <= 5 lives well inside)
_STEP = 0.005  # grid spacing inside [-SEARCH, SEARCH]; log-spaced beyond it


def switch_arguments(expr: sp.Expr, singular: bool = False) -> list:
    """Expressions in z whose real zeros are the break points of ``expr``."""
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Max, sp.Min)):
            a = node.args
            out += [a[i] - a[j] for i in range(len(a)) for j in range(i + 1, len(a))]
        elif isinstance(node, SWITCHES):
            out.append(node.args[0])
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                out += [r.lhs - r.rhs for r in sp.preorder_traversal(cond)
                        if isinstance(r, sp.core.relational.Relational)]
        elif singular and isinstance(node, sp.besselk):
            out.append(node.args[-1])
        elif singular and node.is_Pow and not node.exp.is_Integer:
            out.append(node.base)
    return [e for e in out if e.has(Z)]


def breakpoints(expr: sp.Expr, limit: float = SEARCH, singular: bool = False) -> np.ndarray:
    """Sorted real break points of ``expr`` with |z| < limit."""
    return real_zeros(switch_arguments(expr, singular), limit)


def real_zeros(exprs, limit: float = SEARCH) -> np.ndarray:
    """Sign changes and exact zeros of each expression on a grid, refined by a bracketed
    root finder to 1e-15 (a zero of even multiplicity is found only where it is a node)."""
    grid = _grid(limit)
    found = []
    for e in exprs:
        f = lambda x, e=e: evaluate(e, Z, x)  # noqa: E731
        with np.errstate(all="ignore"):
            v = f(grid)
        found += list(grid[v == 0])
        ok = np.isfinite(v)
        flip = np.nonzero(ok[:-1] & ok[1:] & (np.sign(v[:-1]) * np.sign(v[1:]) < 0))[0]
        for i in flip:
            found.append(bracketed_root(lambda s, f=f: float(f(np.array(s))), grid[i],
                                        grid[i + 1], v[i], v[i + 1], xtol=1e-15))
    pts = np.unique(np.round(np.asarray(found, dtype=float), 14))
    return pts[np.abs(pts) < limit]


def _grid(limit: float) -> np.ndarray:
    inner = min(limit, SEARCH)
    fine = np.linspace(-inner, inner, 2 * int(round(inner / _STEP)) + 1)
    if limit <= SEARCH:
        return fine
    far = np.geomspace(SEARCH, limit, 401)[1:]  # a sign change far out (abs(z - 1e4))
    return np.concatenate([-far[::-1], fine, far])
