"""The numeric representation of an activation: piecewise polynomials plus tail laws.

A `Tabulation` is what a numeric design hands to everything downstream
(evaluation, export, fused fit kernels): Hermite-interpolated polynomial pieces on
graded knots over a finite range, and a `TailLaw` on each
side, so that phi is defined on all of the real line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._hermite import hermite
from ._tail import TailLaw


@dataclass(frozen=True, eq=False)
class Tabulation:
    """Piecewise polynomial phi on ``[knots[0], knots[-1]]`` with tail laws outside.

    Parameters
    ----------
    knots : ndarray, shape (n+1,)
        Strictly increasing break points.
    coeffs : ndarray, shape (n, d+1)
        On piece i, ``phi(z) = sum_j coeffs[i, j] * (z - knots[i])**j``.
    left, right : TailLaw
        Laws used for ``z < knots[0]`` and ``z > knots[-1]``.
    """

    knots: np.ndarray
    coeffs: np.ndarray
    left: TailLaw
    right: TailLaw

    def __post_init__(self):
        x = np.asarray(self.knots, dtype=float)
        c = np.asarray(self.coeffs, dtype=float)
        if x.ndim != 1 or c.ndim != 2 or c.shape[0] != x.size - 1 or x.size < 2:
            raise ValueError(f"tabulation needs knots (n+1,) and coeffs (n, d+1); got {x.shape}, {c.shape}")
        if not (np.all(np.diff(x) > 0) and np.all(np.isfinite(x)) and np.all(np.isfinite(c))):
            raise ValueError("tabulation knots must be finite and strictly increasing, coefficients finite")
        object.__setattr__(self, "knots", x)
        object.__setattr__(self, "coeffs", c)

    @property
    def degree(self) -> int:
        """Polynomial degree of the pieces."""
        return self.coeffs.shape[1] - 1

    def __call__(self, z, nu: int = 0):
        """Evaluate phi (``nu=0``) or its derivative of order ``nu`` at ``z``.

        Parameters
        ----------
        z : float or array
            Points; beyond the outer knots the tail laws ``left`` and ``right`` apply.
        nu : int
            Derivative order (default 0: phi itself).
        """
        z = np.asarray(z, dtype=float)
        x, c = self.knots, self.coeffs
        i = np.clip(np.searchsorted(x, z, side="right") - 1, 0, c.shape[0] - 1)
        t = z - x[i]
        out = np.zeros_like(z)
        for j in range(self.degree, nu - 1, -1):  # Horner on the nu-th derivative
            fact = np.prod(np.arange(j - nu + 1, j + 1)) if nu else 1.0
            out = out * t + fact * c[i, j]
        if nu == 0:
            lo, hi = z < x[0], z > x[-1]
            if lo.any():
                out[lo] = self.left(z[lo])
            if hi.any():
                out[hi] = self.right(z[hi])
        else:
            outside = (z < x[0]) | (z > x[-1])
            if outside.any():
                out[outside] = _tail_derivative(self, z[outside], nu)
        return out

    @classmethod
    def from_hermite(cls, x, derivs, left: TailLaw, right: TailLaw) -> Tabulation:
        """Build the Hermite interpolant from values and derivatives at the knots.

        ``derivs`` is a sequence ``[f, f', f'', ...]`` of arrays on ``x``; with m
        of them the pieces have degree 2m-1 (cubic for m=2, quintic for m=3).

        Parameters
        ----------
        x : array (n+1,)
            Knots, strictly increasing.
        derivs : sequence of arrays (n+1,)
            ``[f, f', f'', ...]`` at the knots.
        left, right : TailLaw
            phi below the first knot and above the last.
        """
        x = np.asarray(x, dtype=float)
        d = [np.asarray(v, dtype=float) for v in derivs]
        coeffs = hermite(x[:-1], x[1:], [v[:-1] for v in d], [v[1:] for v in d])
        return cls(x, coeffs, left, right)

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return {
            "knots": self.knots.tolist(),
            "coeffs": self.coeffs.tolist(),
            "left": self.left.to_dict(),
            "right": self.right.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Tabulation:
        """Inverse of `to_dict`, validating shapes and finiteness.

        Parameters
        ----------
        d : dict
            A record with ``knots``, ``coeffs``, ``left`` and ``right``.
        """
        missing = {"knots", "coeffs", "left", "right"} - set(d)
        if missing:
            raise ValueError(f"tabulation record lacks {sorted(missing)}")
        return cls(
            np.asarray(d["knots"], dtype=float),
            np.asarray(d["coeffs"], dtype=float),
            TailLaw.from_dict(d["left"]),
            TailLaw.from_dict(d["right"]),
        )


def _tail_derivative(tab: Tabulation, z, nu: int):
    """Derivative of the tail laws by a centred difference (tails are smooth and slow)."""
    out = np.empty_like(z)
    for law, mask in ((tab.left, z < tab.knots[0]), (tab.right, z > tab.knots[-1])):
        if mask.any():
            zz = z[mask]
            h = 1e-4 * np.maximum(1.0, np.abs(zz))
            if nu == 1:
                out[mask] = (law(zz + h) - law(zz - h)) / (2 * h)
            else:
                out[mask] = (law(zz + h) - 2 * law(zz) + law(zz - h)) / h**2
    return out
