"""A bracketed scalar root finder (Illinois regula falsi), so that fixed points need no scipy.

``gain`` (actdesign.init) runs in every ``actdesign make --json``; scipy.optimize would add
~1 s of import.
"""

from __future__ import annotations

import math


def bracketed_root(f, a: float, b: float, fa: float | None = None, fb: float | None = None,
                   xtol: float = 1e-14, maxiter: int = 200) -> float:
    """A root of ``f`` in [a, b], given f(a) and f(b) of opposite signs."""
    fa = f(a) if fa is None else fa
    fb = f(b) if fb is None else fb
    if fa == 0:
        return a
    if fb == 0:
        return b
    if math.copysign(1, fa) == math.copysign(1, fb):
        raise ValueError("bracketed_root needs f(a) and f(b) of opposite signs")
    side = 0
    for _ in range(maxiter):
        c = (a * fb - b * fa) / (fb - fa)
        if not (min(a, b) < c < max(a, b)):
            c = (a + b) / 2
        fc = f(c)
        if fc == 0 or abs(b - a) <= xtol * max(1.0, abs(c)):
            return c
        if math.copysign(1, fc) == math.copysign(1, fb):
            b, fb = c, fc
            if side == -1:
                fa /= 2  # Illinois step: stop the stale end from stalling convergence
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb /= 2
            side = 1
    return (a + b) / 2
