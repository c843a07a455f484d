"""Penalties rho(k) from whatever describes them: an Activation, a penalty string, a SymPy
expression or a numpy callable. Activations without a penalty expression get a numeric
|F[phi]|^-2 when phi decays (a wide-window transform at exactly the requested k).
"""

from __future__ import annotations

import numpy as np

from ..infra._errors import ActdesignError

HALF_WIDTHS = (20.0, 40.0, 80.0, 160.0, 320.0)  # windows tried for a decaying phi
DECAY = 1e-13  # |phi| at the window's ends relative to max |phi|


def penalty_function(source):
    """A numpy callable k -> rho(k) (angular k, even) for ``source``.

    Parameters
    ----------
    source : Activation, str, sympy.Expr or callable
        An `actdesign.Activation` (its ``penalty``; or, if it has none, the numeric
        |F[phi](k)|^-2 of a phi that decays), a penalty string such as ``"k^4"`` (parsed by
        the allow-list parser), a SymPy expression in ``k``, or a callable rho(k).
    """
    from ..activation._activation import Activation

    if isinstance(source, Activation):
        if source.rho is not None:
            return source.penalty
        return _numeric_penalty(source)
    if isinstance(source, str):
        from ..formula._parse import parse_penalty

        return _sympy_penalty(parse_penalty(source))
    if hasattr(source, "free_symbols"):
        return _sympy_penalty(source)
    if callable(source):
        return lambda k: np.asarray(source(np.abs(np.asarray(k, dtype=float))), dtype=float)
    raise ActdesignError(
        f"cannot read a penalty from {type(source).__name__}; pass an Activation, "
        "a penalty string like 'k^4', or a callable rho(k)"
    )


def _sympy_penalty(expr):
    from ..formula._evaluate import evaluate
    from ..infra import _symbols as S

    extra = expr.free_symbols - {S.k}
    if extra:
        raise ActdesignError(f"a penalty may only use k; found {sorted(map(str, extra))}")
    return lambda k: evaluate(expr, S.k, np.abs(np.asarray(k, dtype=float)))


def activation_transform(act, k, *, dx=0.02):
    """|F[phi](k)| (angular k) of a decaying activation, by a wide-window NUFFT."""
    from ._transform import cell_centres, sample_spectrum

    k = np.abs(np.atleast_1d(np.asarray(k, dtype=float)))
    for h in HALF_WIDTHS:
        n = int(np.ceil(2 * h / dx))
        z = cell_centres(-h, h, n)
        phi = np.asarray(act(z), dtype=float)
        edge = np.max(np.abs(np.concatenate([phi[: n // 20], phi[-(n // 20) :]])))
        if np.all(np.isfinite(phi)) and edge <= DECAY * np.max(np.abs(phi)):
            return np.abs(sample_spectrum(phi, x=z, domain=(-h, h), k=k).values)
    raise ActdesignError(
        f"activation {getattr(act, 'name', '')!r} does not decay within "
        f"|z| <= {HALF_WIDTHS[-1]:g}, so its transform cannot be computed numerically; "
        "give its penalty (a penalty string such as 'k^4', "
        "or an Activation with rho from actdesign.design/analyze)"
    )


def _numeric_penalty(act):
    def rho(k):
        with np.errstate(divide="ignore"):
            return 1.0 / activation_transform(act, k) ** 2

    return rho
