"""Classes for the gallery's filters, read off the penalty and the activation.

* growth of rho at high k: from the local log-log slopes of rho at k = 250 ... 2000,
  evaluated by SymPy at 30 digits (no overflow for e^{k^2});
* smoothness of phi: |F[phi](k)| ~ k^{-alpha} with alpha = (p - (D-1))/2 when
  rho_total ~ k^p, so phi has Hölder exponent alpha - 1 at its worst point; exponential
  growth (or a band limit) means phi is analytic;
* tail behaviour of phi: its values at |z| = 30 and 60 on each side.

Convention: F[phi](k) = ∫ phi(z) e^{-ikz} dz (angular frequency).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..infra._symbols import k as K

HIGH_K = (250, 500, 1000, 2000)
LOW_K = (1e-4, 2e-4)
# growth order q = d log(slope) / d log k: 0 polynomial, 1 exponential, 2 Gaussian
GROWTH = ((0.25, "polynomial"), (1.25, "exponential"), (2.25, "Gaussian"),
          (math.inf, "super-Gaussian"))
SMOOTHNESS = ("analytic", "C2+", "C1", "C0", "singular")
TAILS = ("localised", "saturating", "growing")


def _log_rho(rho: sp.Expr, k: float) -> float:
    """log rho(k) at 30 digits; +inf where rho is infinite, -inf where it vanishes."""
    val = sp.N(rho.subs(K, sp.Float(k, 30)), 30)
    if val in (sp.oo, sp.zoo) or val.has(sp.oo):
        return math.inf
    if val == 0:
        return -math.inf
    return float(sp.log(val).evalf(30))


def _slope(rho, k1, k2):
    a, b = _log_rho(rho, k1), _log_rho(rho, k2)
    if math.isinf(a) or math.isinf(b):
        return math.inf if b == math.inf else math.nan
    return (b - a) / math.log(k2 / k1)


def growth(rho: sp.Expr) -> dict:
    """High- and low-k behaviour of rho.

    Returns
    -------
    dict
        ``class`` (polynomial, exponential, Gaussian, super-Gaussian, band-limited),
        ``p_high`` (log-log slope at k = 1000-2000), ``p_low`` (slope at k -> 0),
        ``rho0`` (finite rho(0) or None), ``k_min`` (where rho is smallest on a grid).
    """
    slopes = [_slope(rho, a, b) for a, b in zip(HIGH_K, HIGH_K[1:], strict=False)]
    out = {"p_high": slopes[-1], "p_low": _slope(rho, *LOW_K)}
    if any(math.isinf(s) for s in slopes):
        out["class"] = "band-limited"
    else:
        q = math.log(slopes[-1] / slopes[-2]) / math.log(2) if slopes[-2] > 0 else 0.0
        out["class"] = next(name for edge, name in GROWTH if q < edge)
    grid = np.geomspace(1e-2, 30, 200)
    logs = np.array([_log_rho(rho, k) for k in grid[::5]])
    out["k_min"] = float(grid[::5][int(np.nanargmin(np.where(np.isfinite(logs), logs, np.nan)))])
    return out


def smoothness(growth_info: dict, dim: int) -> str:
    """One of `SMOOTHNESS`, from the growth of rho (see the module docstring)."""
    if growth_info["class"] != "polynomial":
        return "analytic"
    alpha = (growth_info["p_high"] - (dim - 1)) / 2
    beta = round(alpha - 1, 3)  # Hölder exponent of phi at its worst point
    if beta <= 0:
        return "singular"
    n = math.ceil(beta) - 1  # continuous derivatives
    return "C0" if n == 0 else "C1" if n == 1 else "C2+"


def tails(phi) -> dict:
    """Tail behaviour of ``phi`` (a numpy callable) on each side, and the overall class."""
    z = np.array([-60.0, -30.0, 30.0, 60.0])
    with np.errstate(all="ignore"):
        v = np.asarray(phi(z), dtype=float)
        scale = float(np.nanmax(np.abs(phi(np.linspace(-4, 4, 81)))))
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0

    def side(far, near):
        if abs(far) > 1.5 * abs(near) and abs(far) > 1e-3 * scale:
            return "grows"
        return "decays" if abs(far) < 1e-2 * scale else "saturates"

    left, right = side(v[0], v[1]), side(v[3], v[2])
    cls = ("growing" if "grows" in (left, right)
           else "saturating" if "saturates" in (left, right) else "localised")
    return {"left": left, "right": right, "class": cls}
