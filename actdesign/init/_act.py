"""What the init tools need from an activation: phi, phi', and where phi is not smooth.

Closed forms are differentiated once and cached; their break points are the real
zeros of the arguments of switching functions (Abs, Max, Heaviside, Piecewise
conditions, ...), found by `actdesign.formula._kinks`. Tabulated activations break at their knots.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp

from ..activation._activation import Activation, classical, from_expression
from ..formula._evaluate import evaluate_continuous
from ..formula._kinks import real_zeros, switch_arguments
from ..infra import _symbols as S
from ..infra._errors import ActdesignError

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def as_activation(obj) -> Activation:
    """An `Activation` from an Activation or a formula string in ``z``."""
    if isinstance(obj, Activation):
        return obj
    if isinstance(obj, str):
        return from_expression(obj, name=obj)
    raise ActdesignError(
        f"expected an actdesign.Activation or a formula string such as 'tanh(z)', "
        f"got {type(obj).__name__}"
    )


@dataclass(frozen=True, eq=False)
class Evaluators:
    """Vectorised phi and phi', the break points of phi, whether phi is smooth, and the
    relative accuracy worth asking of quadrature (a table is only as good as its fit)."""

    phi: object
    dphi: object
    breaks: np.ndarray
    smooth: bool
    rtol: float = 1e-12
    singular: np.ndarray = field(default_factory=lambda: np.zeros(0))
    jumps: bool = False  # phi jumps somewhere: phi' holds a delta and E[phi'^2] is infinite


def evaluators(act: Activation) -> Evaluators:
    """The (cached) evaluators of ``act``: by closed form, or per tabulated object."""
    if act.phi is not None:
        return _closed_form(act.phi)
    ev = _CACHE.get(act)
    if ev is None:
        ev = _CACHE[act] = _tabulated(act)
    return ev


@lru_cache(maxsize=64)
def _closed_form(phi: sp.Expr) -> Evaluators:
    raw = sp.diff(phi, S.z)
    jumps = raw.has(sp.DiracDelta)  # a jump: remember it, evaluate the classical derivative
    d1 = classical(raw)
    args = switch_arguments(phi)
    # removable 0*inf holes (|z| K1(|z|) at 0) get their limits, as Activation.__call__ does
    f = lambda x: evaluate_continuous(phi, S.z, x)  # noqa: E731
    df = lambda x: evaluate_continuous(d1, S.z, x)  # noqa: E731
    breaks = real_zeros(args)
    return Evaluators(f, df, breaks, smooth=not args and not phi.has(sp.Piecewise),
                      singular=_singular(breaks, f, df), jumps=jumps)


def _tabulated(act: Activation) -> Evaluators:
    # Knots join Hermite pieces smoothly (C^1 or better), so they are not breaks: with
    # tens of thousands of knots, splitting panels at each would cost far more than it gains.
    tab = act.tabulation
    if not act.table_only:  # phi = closed-form part + table: phi and phi' from both
        f, df = (lambda x: act.derivative(x, 0)), (lambda x: act.derivative(x, 1))
        zero = np.zeros(1)
        return Evaluators(phi=f, dphi=df, breaks=zero, smooth=False, rtol=1e-10,
                          singular=_singular(zero, f, df))
    return Evaluators(
        phi=lambda x: tab(x, 0),
        dphi=lambda x: tab(x, 1),
        breaks=np.zeros(0),
        smooth=False,
        rtol=1e-10,
    )


def _singular(breaks, f, df) -> np.ndarray:
    """Break points where phi or phi' is unbounded (e.g. log|z| or |z|^(1/2) at 0)."""
    near = breaks[:, None] + np.array([-1e-9, 1e-9])
    with np.errstate(all="ignore"):
        big = ~np.isfinite(f(near)) | ~np.isfinite(df(near)) | (np.abs(df(near)) > 1e6)
    return breaks[big.any(axis=1)]
