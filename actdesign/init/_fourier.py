"""Gaussian moments of a zero-phase activation from its spectrum alone (phi is never formed).

With phi(z) = (1/2pi) ∫ phihat(k) e^{ikz} dk (actdesign's convention) and phihat real and
even (a "bump" design: phihat = rho^(-1/2)):

* E[phi(b + sigma Z)]   = (1/2pi) ∫ phihat(k) e^{ikb} e^{-sigma^2 k^2/2} dk.
* E[phi(b + sigma Z)^2] = (1/2pi) ∫ |ghat(k)|^2 dk by Parseval, where g = phi * sqrt(N(b, sigma^2))
  and ghat(k) = (A/2pi) ∫ phihat(k') e^{i(k'-k) b} e^{-sigma^2 (k-k')^2} dk',
  A = (8 pi sigma^2)^(1/4):
  a Gaussian smoothing of the spectrum, itself a Gaussian expectation in k'.
* E[phi'(...)^2] is the same with phihat(k') replaced by i k' phihat(k').

The outer integral runs over k in [0, inf) (|ghat|^2 is even) through k = u/(sigma (1-u)),
which keeps algebraically decaying spectra (phihat ~ 1/k) accurate.
"""

from __future__ import annotations

import numpy as np

from . import _quadrature as Q

OUTER_PANELS = 8
MAX_LEVEL = 8


def moments(spectrum, sigma, bias=0.0):
    """(E[phi], E[phi^2], E[phi'^2]) at each sigma, from ``spectrum(k) = |F[phi](k)|``."""
    sigma = np.atleast_1d(np.asarray(sigma, dtype=float))
    if np.any(sigma <= 0):
        raise ValueError("the frequency-domain route needs sigma > 0")
    mean = np.array([_mean(spectrum, s, bias) for s in sigma])
    second = np.array([_second(spectrum, s, bias) for s in sigma])
    return mean, second[:, 0], second[:, 1]


def _mean(spectrum, s, b):
    # ∫ f(k) e^{-s^2 k^2/2} dk = (sqrt(2 pi)/s) E[f(Z/s)]
    def fn(k, _t):
        return (spectrum(k) * np.cos(b * k))[None]

    e = Q.expect(fn, 1.0 / s, 0.0, breaks=(0.0,), tails=False)[0, 0]
    return e / (s * np.sqrt(2 * np.pi))


def _second(spectrum, s, b):
    scale = (8 * np.pi * s * s) ** 0.25 / (2 * np.pi) * np.sqrt(np.pi) / s

    def inner(k, _t):  # phihat and (i k) phihat, each times e^{i k b}
        p = spectrum(k) * np.exp(1j * b * k)
        return np.stack([p, 1j * k * p])

    def outer(u):
        k = u / (s * (1 - u))
        dk = 1 / (s * (1 - u) ** 2)
        e = Q.expect(inner, 1 / (s * np.sqrt(2)), k, breaks=(0.0,), tails=False)
        return (scale * np.abs(e)) ** 2 * dk  # (2, n)

    return _integrate01(outer) / np.pi


def _integrate01(fn):
    """∫_0^1 fn(u) du by composite Gauss–Legendre, panels halved until two levels agree."""
    xg, wg = Q._legendre(Q.GL_ORDER)
    prev = None
    for level in range(MAX_LEVEL + 1):
        n = OUTER_PANELS * 2**level
        a = np.arange(n) / n
        u = (a[:, None] + (xg[None, :] + 1) / (2 * n)).ravel()
        w = np.tile(wg / (2 * n), n)
        cur = fn(u) @ w
        if prev is not None and np.all(np.abs(cur - prev) <= 1e-11 * np.abs(cur) + 1e-15):
            return cur
        prev = cur
    raise ArithmeticError("frequency-domain moments did not converge; use method='quad'")
