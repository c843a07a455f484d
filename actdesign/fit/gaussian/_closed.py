"""Closed-form Gaussian expectations of base activations (math as data).

For a zero-mean bivariate normal (u, v) with Var u = s11, Var v = s22 and
Cov(u, v) = s12, `CLOSED` maps a base name (the keys of
`actdesign.fit._catalog.FORMS` where the base exists there) to

* ``kernel(s11, s22, s12, det, extra)`` = E[b(u) b(v)] (det = s11 s22 - s12^2,
  passed separately because near the diagonal it is best computed from the points),
* ``mean(s, extra)`` = E[b(U)] for U ~ N(0, s) (s a variance),
* ``dmean(s, extra)`` = E[b'(U)] = E[U b(U)] / s (Stein), the factor of the cross
  terms E[b(U) V] = Cov(U, V) E[b'(U)] when the activation has a linear part.

References for the kernels: erf, the arcsine kernel (Williams 1997); relu^n and the
step, the arc-cosine kernels (Cho & Saul 2009), here by the recursion of
`_arccos_polys`; sin/cos from the characteristic function; the Gaussian from a
2x2 determinant; GELU from the orthant moments of the bivariate normal (derivation
in `_gelu`). Non-integer powers of relu have no entry: they take the numeric
route (`_quad`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import Polynomial as Poly

SQ2PI = math.sqrt(2 * math.pi)


def _rho(s11, s22, s12):
    """Correlation, clipped to [-1, 1] (rounding can push it just outside)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = s12 / np.sqrt(s11 * s22)
    return np.clip(np.nan_to_num(r), -1.0, 1.0)


@lru_cache(maxsize=16)
def _arccos_polys(n: int):
    """(A_n, B_n) with J_n(theta) = (-1)^n [(pi - theta) B_n(c) + sin(theta) A_n(c)], c = cos theta.

    J_n is Cho & Saul's (-1)^n sin^(2n+1) (d/(sin d theta))^n ((pi - theta)/sin theta).
    Applying the operator to [(pi - theta) B + s A] / s^(2k+1) gives the recursion
    B' = -(1 - c^2) dB/dc - (2k+1) c B,  A' = -B - (1 - c^2) dA/dc - 2k c A,
    with integer coefficients, so there is no division by sin theta anywhere.
    """
    B, A = Poly([1.0]), Poly([0.0])
    one_c2, c = Poly([1.0, 0.0, -1.0]), Poly([0.0, 1.0])
    for k in range(n):
        B, A = (
            -one_c2 * B.deriv() - (2 * k + 1) * c * B,
            -B - one_c2 * A.deriv() - 2 * k * c * A,
        )
    return A, B


def _relupow_kernel(s11, s22, s12, det, n):
    """E[relu(u)^n relu(v)^n] = (s1 s2)^n J_n(theta) / (2 pi), theta = arccos rho.

    theta = atan2(sqrt(det), s12): near the diagonal arccos(rho) would lose half the
    digits (the step kernel, n = 0, has slope 1/(2 pi) in theta there).
    """
    n = int(n)
    r = _rho(s11, s22, s12)
    root = np.sqrt(np.maximum(det, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        sin = np.nan_to_num(root / np.sqrt(s11 * s22))
    A, B = _arccos_polys(n)
    J = (np.pi - np.arctan2(root, s12)) * B(r) + sin * A(r)
    return (-1) ** n * np.sqrt(s11 * s22) ** n * J / (2 * np.pi)


def _half_moment(n: int) -> float:
    """E[relu(Z)^n] for Z ~ N(0, 1)."""
    return 2 ** (n / 2) * math.gamma((n + 1) / 2) / (2 * math.sqrt(math.pi))


def _abs_kernel(s11, s22, s12, det, e):
    """E|u||v| = (2/pi) s1 s2 (sqrt(1 - rho^2) + rho arcsin rho)
    = (2/pi) (sqrt(det) + s12 atan2(s12, sqrt(det))).

    From the determinant, not from rho: near the diagonal 1 - rho^2 is a difference of
    nearly equal numbers (8e-14 relative lost at rho = 1 - 1e-6), det is formed from the
    points without cancellation, and atan2 keeps arcsin's digits where its slope is inf.
    """
    root = np.sqrt(np.maximum(det, 0.0))
    return 2 / np.pi * (root + s12 * np.arctan2(s12, root))


def _erf_kernel(s11, s22, s12, det, e):
    """Arcsine kernel: (2/pi) arcsin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22)))."""
    arg = 2 * s12 / np.sqrt((1 + 2 * s11) * (1 + 2 * s22))
    return 2 / np.pi * np.arcsin(np.clip(arg, -1.0, 1.0))


def _trig_kernel(sign):
    """E[sin u sin v] = e^{-(s11+s22)/2} sinh(s12); cos: cosh (sign +1)."""

    def kernel(s11, s22, s12, det, e):
        m = -(s11 + s22) / 2
        return 0.5 * (np.exp(m + s12) + sign * np.exp(m - s12))

    return kernel


def _gauss_kernel(s11, s22, s12, det, e):
    """E[exp(-u^2 - v^2)] = det(I + 2 Sigma)^(-1/2)."""
    return 1.0 / np.sqrt((1 + 2 * s11) * (1 + 2 * s22) - 4 * s12 * s12)


def _orthant(t1, t2, c):
    """Orthant moments of (p, q) ~ N(0, [[t1, c], [c, t2]]) on {p > 0, q > 0}.

    Returns P(orthant), E[p^2; .], E[q^2; .], E[pq; .] from the unit-variance ones
    P = 1/4 + arcsin(r)/(2 pi), E[X^2; .] = P + r sqrt(1 - r^2)/(2 pi),
    E[XY; .] = r P + sqrt(1 - r^2)/(2 pi).
    """
    r = np.clip(c / np.sqrt(t1 * t2), -1.0, 1.0)
    P = 0.25 + np.arcsin(r) / (2 * np.pi)
    root = np.sqrt(1 - r * r) / (2 * np.pi)
    return P, t1 * (P + r * root), t2 * (P + r * root), np.sqrt(t1 * t2) * (r * P + root)


def _gelu(s11, s22, s12, det, e):
    """E[u Phi(u) v Phi(v)] for GELU(u) = u Phi(u).

    Phi(u) = P(a < u) with a ~ N(0, 1) independent, so the expectation is
    E[u v; p > 0, q > 0] with p = u - a, q = v - b. Conditioning (u, v) on (p, q):
    E[uv | p, q] = (alpha.P)(beta.P) + gamma, alpha = S^-1 c_u, beta = S^-1 c_v,
    S = Cov(p, q), c_u = (s11, s12), c_v = (s12, s22), gamma = s12 - c_u S^-1 c_v;
    then only orthant moments of (p, q) remain.
    """
    t1, t2 = 1 + s11, 1 + s22
    det = t1 * t2 - s12 * s12
    # S^-1 = [[t2, -s12], [-s12, t1]] / det
    a1, a2 = (t2 * s11 - s12 * s12) / det, (t1 * s12 - s12 * s11) / det
    b1, b2 = (t2 * s12 - s12 * s22) / det, (t1 * s22 - s12 * s12) / det
    gamma = s12 - (s11 * b1 + s12 * b2)
    P, Epp, Eqq, Epq = _orthant(t1, t2, s12)
    return gamma * P + a1 * b1 * Epp + a2 * b2 * Eqq + (a1 * b2 + a2 * b1) * Epq


def _zero(s, e):
    return np.zeros_like(np.asarray(s, dtype=float))


def _const(c):
    return lambda s, e: np.full_like(np.asarray(s, dtype=float), c)


def _relupow_mean(s, e):
    return _half_moment(int(e[0])) * np.sqrt(s) ** int(e[0])


def _relupow_dmean(s, e):
    n = int(e[0])
    return n * _half_moment(n - 1) * np.sqrt(s) ** (n - 1)


@dataclass(frozen=True)
class Closed:
    """Gaussian expectations of one base function b (see the module docstring)."""

    kernel: object
    mean: object
    dmean: object


CLOSED = {
    "relu": Closed(
        lambda a, b, c, d, e: _relupow_kernel(a, b, c, d, 1),
        lambda s, e: np.sqrt(s) / SQ2PI,
        _const(0.5),
    ),
    "relupow": Closed(
        lambda a, b, c, d, e: _relupow_kernel(a, b, c, d, e[0]), _relupow_mean, _relupow_dmean
    ),
    "step": Closed(
        lambda a, b, c, d, e: _relupow_kernel(a, b, c, d, 0),
        _const(0.5),
        lambda s, e: 1.0 / (SQ2PI * np.sqrt(s)),
    ),
    "abs": Closed(_abs_kernel, lambda s, e: np.sqrt(2 * s / np.pi), _zero),
    "erf": Closed(
        _erf_kernel, _zero, lambda s, e: 2 / math.sqrt(math.pi) / np.sqrt(1 + 2 * np.asarray(s))
    ),
    "sin": Closed(_trig_kernel(-1.0), _zero, lambda s, e: np.exp(-np.asarray(s) / 2)),
    "cos": Closed(_trig_kernel(1.0), lambda s, e: np.exp(-np.asarray(s) / 2), _zero),
    "gauss": Closed(_gauss_kernel, lambda s, e: 1.0 / np.sqrt(1 + 2 * np.asarray(s)), _zero),
    "gelu": Closed(
        _gelu,
        lambda s, e: np.asarray(s) / (SQ2PI * np.sqrt(1 + np.asarray(s))),
        _const(0.5),
    ),
}
