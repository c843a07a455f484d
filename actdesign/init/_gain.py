"""The initialisation gain of any activation, by the second-moment rule (init.md §4.3).

With fan-in normal weights of std ``gain/sqrt(d_in)`` and zero bias, ``gain = 1/sqrt(E[phi(Z)^2])``
makes unit pre-activation variance (q* = 1) a fixed point of the variance map. It gives
He's sqrt(2) for ReLU and 1 for SELU. ``chi = gain^2 E[phi'(Z)^2]`` is the order/chaos
multiplier at that fixed point (1 is critical); it is reported next to the gain because
the second-moment rule alone does not control correlations (notably for bumps, E[phi] > 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._convention import CONVENTION
from .._errors import ActdesignError
from . import varflow
from ._act import as_activation


@dataclass(frozen=True)
class Gain:
    """The gain of an activation, its chi, and the forward map's fixed points at ``c``.

    ``float(g)`` is the gain. ``mean``, ``second`` and ``deriv_second`` are E[phi(Z)],
    E[phi(Z)^2] and E[phi'(Z)^2] for Z ~ N(0, 1).
    """

    gain: float
    chi: float
    c: float
    fixed_points: tuple
    mean: float
    second: float
    deriv_second: float

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
        Quadrature route, see :func:`actdesign.init.varflow.moments`.

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
    return Gain(g, g * g * float(m.deriv_second), c, tuple(points), float(m.mean), second,
                float(m.deriv_second))
