"""Radon-spline coordinates: (v, w, b) <-> (mu, xi, gamma, omega) (theory.md §1).

A neuron ``v * phi(w . x + b)`` with ``omega = |w|``, ``xi = w / omega`` and
``gamma = -b / omega`` is ``v * phi(omega * (xi . x - gamma))``. If phi is positively
homogeneous of degree s this is ``mu * phi(xi . x - gamma)`` with ``mu = v * omega**s``;
for other activations the convention is s = 0 (``mu = v``) and omega stays a
per-neuron bandwidth.
"""

from __future__ import annotations

import numpy as np

from ._errors import FitError

_Z = np.concatenate([-np.geomspace(1e-2, 1e2, 41), np.geomspace(1e-2, 1e2, 41)])


def to_radon(v, w, b, degree: float = 1.0):
    """(mu, xi, gamma, omega) from standard coordinates; ``w`` has shape (N, D)."""
    w = np.atleast_2d(np.asarray(w, dtype=float))
    omega = np.linalg.norm(w, axis=1)
    if np.any(omega == 0):
        raise FitError("a neuron has w = 0: its orientation xi = w/|w| is undefined")
    xi = w / omega[:, None]
    gamma = -np.asarray(b, dtype=float) / omega
    mu = np.asarray(v, dtype=float) * omega**degree
    return mu, xi, gamma, omega


def from_radon(mu, xi, gamma, omega, degree: float = 1.0):
    """(v, w, b) from Radon-spline coordinates (inverse of `to_radon`)."""
    omega = np.asarray(omega, dtype=float)
    w = np.atleast_2d(np.asarray(xi, dtype=float)) * omega[:, None]
    b = -omega * np.asarray(gamma, dtype=float)
    v = np.asarray(mu, dtype=float) / omega**degree
    return v, w, b


def homogeneity_degree(act, *, tol: float = 1e-9) -> float | None:
    """s with ``phi(a z) = a**s phi(z)`` for all a > 0 (checked numerically), else None."""
    with np.errstate(all="ignore"):
        f = np.asarray(act(_Z), dtype=float)
        if not np.all(np.isfinite(f)) or np.max(np.abs(f)) == 0:
            return None
        if abs(float(np.asarray(act(np.array([0.0])))[0])) > tol * np.max(np.abs(f)):
            s0 = None  # phi(0) != 0 allows only degree 0
        else:
            s0 = True
        for a in (2.0, 3.7):
            g = np.asarray(act(a * _Z), dtype=float)
            nz = np.abs(f) > tol * np.max(np.abs(f))
            if not np.all(np.abs(g[~nz]) <= tol * np.max(np.abs(g))):
                return None
            ratio = g[nz] / f[nz]
            if np.any(ratio <= 0):
                return None
            s = np.log(ratio) / np.log(a)
            if np.ptp(s) > 1e-7:
                return None
        s = float(np.median(s))
        s = round(s) if abs(s - round(s)) < 1e-7 else s
        if s0 is None and s != 0:
            return None
        return float(s)
