"""Frequency units. Transform values never change with the unit: only the k axis does.

Under `actdesign.CONVENTION` the transform is F(k) = ∫ f(x) e^{-ikx} dx with angular
k. In cycles per unit (seed 002's plots: sin(pi x) sits at 0.5) the same number is
F(2 pi nu), so a spectrum in cycles is the angular one with its axis divided by 2 pi.
"""

from __future__ import annotations

import math

from ..infra._errors import ActdesignError

# display unit -> factor from angular frequency to that unit
UNITS = {"angular": 1.0, "cycles": 1.0 / (2.0 * math.pi)}


def unit_factor(unit: str) -> float:
    """Multiply angular frequencies by this to express them in ``unit``."""
    try:
        return UNITS[unit]
    except (KeyError, TypeError):
        raise ActdesignError(
            f"unknown unit {unit!r}; use 'cycles' (per unit length) or 'angular' (rad per unit)"
        ) from None
