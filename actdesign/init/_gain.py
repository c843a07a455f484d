"""The initialisation gain of any activation, by the second-moment rule (init.md §4.3).

With fan-in normal weights of std ``gain/sqrt(d_in)`` and zero bias, ``gain = 1/sqrt(E[phi(Z)^2])``
makes unit pre-activation variance (q* = 1) a fixed point of the variance map. It gives
He's sqrt(2) for ReLU and 1 for SELU. ``chi = gain^2 E[phi'(Z)^2]`` is the order/chaos
multiplier at that fixed point (1 is critical); it is reported next to the gain because
the second-moment rule alone does not control correlations (notably for bumps, E[phi] > 0).

The variance map is written for the layer RMS s (pre-activations have std c s), so unit
pre-activation variance at c = gain is the fixed point s* = 1/gain. That point may be
unstable (or, at another c, not a fixed point at all): `Gain.reached` is the fixed
point the flow started there actually reaches, with its own chi.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..infra._convention import CONVENTION
from ..infra._errors import ActdesignError
from . import varflow
from ._act import as_activation


@dataclass(frozen=True)
class Gain:
    """The gain of an activation, its chi, and the forward map's fixed points at ``c``.

    ``float(g)`` is the gain. ``mean``, ``second`` and ``deriv_second`` are E[phi(Z)],
    E[phi(Z)^2] and E[phi'(Z)^2] for Z ~ N(0, 1).

    Attributes
    ----------
    gain : float
        g = 1 / sqrt(E[phi(Z)^2]): fan-in weights of standard deviation g / sqrt(d_in)
        keep a unit-variance pre-activation at unit variance.
    chi : float
        g^2 E[phi'(Z)^2], the order/chaos multiplier of gradients at that point.
    c : float
        Weight scale at which ``fixed_points`` are reported (default: the gain).
    fixed_points : tuple of FixedPoint
        Fixed points of the forward variance map at ``c``.
    mean, second, deriv_second : float
        E[phi(Z)], E[phi(Z)^2] and E[phi'(Z)^2] for Z ~ N(0, 1).
    start : float
        s0 = 1 / gain, the input RMS that gives unit pre-activation variance at c = gain.
    reached : FixedPoint or None
        The fixed point the flow from ``start`` at ``c`` settles on (None: it does not
        settle within 400 layers).
    """

    gain: float
    chi: float
    c: float
    fixed_points: tuple
    mean: float
    second: float
    deriv_second: float
    start: float = math.nan  # s0 = 1/gain: unit pre-activation variance at c = gain
    reached: object = None  # the FixedPoint the flow from ``start`` at ``c`` settles on

    def __float__(self) -> float:
        return self.gain

    def to_dict(self) -> dict:
        """JSON-ready record (states the Fourier convention, used by the spectral route)."""
        return {
            "gain": self.gain,
            "chi": self.chi,
            "c": self.c,
            "fixed_points": [p.to_dict() for p in self.fixed_points],
            "moments": {"mean": self.mean, "second": self.second,
                        "deriv_second": self.deriv_second, "sigma": 1.0},
            "rule": "second_moment",
            "flow_start": self.start,
            "flow_reaches": None if self.reached is None else self.reached.to_dict(),
            "convention": CONVENTION,
        }


def gain(activation, c: float | None = None, method: str = "auto") -> Gain:
    """The second-moment gain of ``activation``, its chi, and fixed points at ``c``.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float, optional
        Weight scale at which the forward map's fixed points are reported (default: the gain).
    method : str
        Quadrature route, see `actdesign.init.varflow.moments`.

    Examples
    --------
    >>> round(float(gain("tanh(z)")), 4)
    1.5925
    """
    act = as_activation(activation)
    m = varflow.moments(act, 1.0, 0.0, method)
    second = float(m.second)
    if not (math.isfinite(second) and second > 0):
        raise ActdesignError(f"E[phi(Z)^2] = {second} for {act.name}; the second-moment gain "
                             "needs a nonzero, square-integrable activation")
    g = 1 / math.sqrt(second)
    c = g if c is None else float(c)
    if not (math.isfinite(c) and c > 0):
        raise ActdesignError(f"c must be a finite number > 0, got {c}")
    points = varflow.fixed_points(act, c, method=method)
    reached = _reached(act, c, 1 / g, points, method)
    return Gain(g, g * g * float(m.deriv_second), c, tuple(points), float(m.mean), second,
                float(m.deriv_second), 1 / g, reached)


FLOW_STEPS = 400  # layers iterated before the flow is declared not to settle
SETTLE_RTOL = 1e-6


def _reached(act, c, s0, points, method):
    """The fixed point (from ``points``) that s_{l+1} = F(s_l) reaches from s0, or None
    when the flow has not settled on one (a cycle, divergence) within FLOW_STEPS layers.

    Iteration stops once a step changes s by < 1e-13 relative; the distance still to go
    is bounded by the last step times q / (1 - q), q the contraction of the last steps.
    """
    fmap = varflow.VarianceMap(act, float(c), 0.0, "forward", method)
    s = [float(s0)]
    try:
        for _ in range(FLOW_STEPS):
            s.append(float(fmap(s[-1])))
            if not np.isfinite(s[-1]) or abs(s[-1] - s[-2]) <= 1e-13 * abs(s[-2]):
                break
    except ActdesignError:
        return None
    end = s[-1]
    if not np.isfinite(end):
        return None
    d1 = abs(s[-1] - s[-2]) if len(s) > 1 else 0.0
    d0 = abs(s[-2] - s[-3]) if len(s) > 2 else 0.0
    q = d1 / d0 if d0 > 0 else 0.0
    if q >= 1:
        return None  # not contracting: a cycle or a drift
    to_go = d1 * q / (1 - q)
    for p in points:
        lo, hi = (p.s, p.s_hi) if p.kind == "line" else (p.s, p.s)
        tol = to_go + SETTLE_RTOL * max(abs(hi), 1e-12) + 1e-12
        if lo - tol <= end <= hi + tol:
            return p
    return None
