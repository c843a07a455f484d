"""Fit one family: multistart L-BFGS-B over log-parameters and log noise ratio."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from . import _objective as O

ETA_BOUNDS = (1e-7, 1e2)  # noise-to-signal variance ratio; the floor keeps C + eta I factorable
ETA_STARTS = (1e-3, 1e-1)


@dataclass(frozen=True)
class FamilyFit:
    """The optimum of one family.

    Attributes
    ----------
    family : str
    params : dict
        Fitted (and fixed) penalty parameters.
    eta : float
        Noise-to-signal variance ratio.
    value : float
        Log marginal likelihood (objective "ml", larger is better) or CV mean squared
        error (objective "cv", smaller is better).
    extra : dict
        ``mean``, ``signal_var``, ``noise_var``.
    n_free : int
        Number of optimised parameters (eta included).
    at_bound : tuple of str
        Parameters that ended within 1 % (in log) of a search bound.
    evaluations : int
    """

    family: str
    params: dict
    eta: float
    value: float
    extra: dict
    n_free: int
    at_bound: tuple
    evaluations: int


def bounds(family, length: float, dim: int, fixed: dict):
    """Log-space bounds of the free parameters (names, lows, highs, start lists)."""
    names, lows, highs, starts = [], [], [], []
    extra_low = family.lower(dim)
    for p in family.params:
        if p.name in fixed:
            continue
        scale = length**p.power
        lo = max(p.low * scale, extra_low.get(p.name, 0.0))
        names.append(p.name)
        lows.append(math.log(lo))
        highs.append(math.log(p.high * scale))
        starts.append([math.log(min(max(s * scale, lo), p.high * scale)) for s in p.start])
    names.append("eta")
    lows.append(math.log(ETA_BOUNDS[0]))
    highs.append(math.log(ETA_BOUNDS[1]))
    starts.append([math.log(e) for e in ETA_STARTS])
    return names, np.array(lows), np.array(highs), starts


SWEEP = 13  # log-spaced values of the first (scale) parameter tried before the local search


def _start(loss, starts, lo, hi):
    """The best of the listed start points and a sweep of the first parameter.

    The objectives are smooth but can have flat shoulders far from the optimum, where a
    local search stalls; a coarse look first puts L-BFGS-B in the right basin.
    """
    candidates = [np.array(x) for x in itertools.product(*starts)]
    base = candidates[0]
    for v in np.linspace(lo, hi, SWEEP):
        candidates.append(np.concatenate([[v], base[1:]]))
    return min(candidates, key=loss)


def fit_family(family, R, y, dim, *, objective, length, fixed, folds, bar=None):
    """Maximise the objective over the family's free parameters (see module docstring);
    ``bar`` (actdesign.infra._progress) counts the objective evaluations."""
    names, lo, hi, starts = bounds(family, length, dim, fixed)
    count = [0]
    best_seen = [math.inf]

    def unpack(theta):
        vals = dict(zip(names, np.exp(theta)))
        eta = vals.pop("eta")
        return {**vals, **fixed}, eta

    def evaluate(theta):
        params, eta = unpack(theta)
        C = O.correlation(family, params, R, dim)
        if objective == "ml":
            v, extra = O.log_marginal(C, y, eta)
            return -v, extra
        return O.cv_error(C, y, eta, folds)

    def loss(theta):
        count[0] += 1
        try:
            v, _ = evaluate(theta)
        except (linalg.LinAlgError, ValueError, FloatingPointError):
            v = 1e300  # not factorable here: steer the search away
        v = v if math.isfinite(v) else 1e300
        best_seen[0] = min(best_seen[0], v)
        if bar is not None:
            bar.update(1, info=lambda: f"{family.name}, best loss {best_seen[0]:.6g}")
        return v

    x0 = _start(loss, starts, lo[0], hi[0])
    best = optimize.minimize(loss, x0, method="L-BFGS-B", bounds=list(zip(lo, hi)))
    params, eta = unpack(best.x)
    value, extra = evaluate(best.x)
    edge = tuple(
        n for n, x, a, b in zip(names, best.x, lo, hi) if min(x - a, b - x) < 0.01 * (b - a)
    )
    return FamilyFit(
        family=family.name,
        params={k: float(v) for k, v in params.items()},
        eta=float(eta),
        value=-value if objective == "ml" else value,
        extra=extra,
        n_free=len(names),
        at_bound=edge,
        evaluations=count[0],
    )
