"""Options of the regressor shared by its fitting paths: solver names, quadrature rules,
and the readers of the ``activation`` and ``width`` arguments."""

from __future__ import annotations

import math

from ._errors import FitError

SOLVERS = ("auto", "eigh", "lowrank", "direct", "nystrom")
DENSE_MAX = 1500  # "auto" factorises densely up to this many points
LOW_RANK_FRACTION = 0.25  # warn when rank < this * M
PREDICT_ROWS = 65536

QUADRATURE = {  # infinite width, finite R / Gaussian law: default rule per input dimension
    1: dict(n_sphere=2, panels=512),
    2: dict(n_sphere=128, panels=64),
    3: dict(n_sphere=24, panels=32),
}
QUADRATURE_HIGH_D = dict(n_sphere=8, panels=16)


def as_activation(obj):
    """An Activation from an Activation or a formula in z (never evaluated as Python)."""
    from ..activation._activation import Activation, from_expression

    if isinstance(obj, Activation):
        return obj
    if isinstance(obj, str):
        return from_expression(obj)
    raise FitError(
        f"activation must be an actdesign.Activation or a formula string, got {type(obj).__name__}"
    )


def as_width(width):
    """An int >= 1 or math.inf."""
    if isinstance(width, str) and width.strip().lower() in ("inf", "infinity", "oo"):
        return math.inf
    if isinstance(width, float) and math.isinf(width) and width > 0:
        return math.inf
    try:
        w = int(width)
    except (TypeError, ValueError):
        raise FitError(f"width must be a positive integer or inf, got {width!r}") from None
    if w < 1 or w != width:
        raise FitError(f"width must be a positive integer or inf, got {width!r}")
    return w


def cpu_backend() -> str:
    """The CPU feature backend: numba when it is installed, else numpy."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return "numpy"
    return "numba"
