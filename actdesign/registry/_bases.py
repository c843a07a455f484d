"""numpy evaluations of the base functions b(u) and their uniform-law autocorrelations G.

Each function takes ``(u, extra)`` (or ``(t, extra)``), ``extra`` holding the family's
numeric parameters in the order of `Family.params`. scipy loads on first use only.
"""

from __future__ import annotations

import math

import numpy as np

SQ2PI = math.sqrt(2 * math.pi)


def _special(name):
    import scipy.special

    return getattr(scipy.special, name)


def tcoth(t):
    """t * coth(t), even, equal to 1 at t = 0."""
    t = np.abs(np.asarray(t, dtype=float))
    small = t < 1e-4
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        big = np.where(small, 1.0, t / np.tanh(np.where(small, 1.0, t)))
    return np.where(small, 1.0 + t * t / 3.0, big)


# --- b(u; extra) ---------------------------------------------------------------------
def relu(u, e):
    return np.maximum(u, 0.0)


def relupow(u, e):
    return np.maximum(u, 0.0) ** e[0]


def leaky_relu(u, e):
    return np.maximum(u, e[0] * u)


def step(u, e):
    return np.where(u > 0, 1.0, np.where(u < 0, 0.0, e[0]))


def erf(u, e):
    return _special("erf")(u)


def logistic(u, e):
    return _special("expit")(u)


def softplus(u, e):
    return np.logaddexp(0.0, u)


def besselk(u, e):
    return _special("kv")(e[0], np.abs(u))


def gelu(u, e):
    u = np.asarray(u, dtype=float)
    return 0.5 * u * _special("erfc")(-u / math.sqrt(2))


def swish(u, e):
    u = np.asarray(u, dtype=float)
    return u * _special("expit")(u)


def elu(u, e):
    u = np.asarray(u, dtype=float)
    return np.where(u > 0, u, np.expm1(np.minimum(u, 0.0)))


def sech(u, e):
    a = np.abs(np.asarray(u, dtype=float))
    x = np.exp(-a)
    return 2 * x / (1 + x * x)


def wavepacket(u, e):
    u = np.asarray(u, dtype=float)
    return np.exp(-u * u / 2) * np.cos(e[0] * u)


# --- uniform-law autocorrelations G(t; extra) ----------------------------------------
def relupow_G(t, e):
    """G of relu^p: (p!)^2 (-1)^(p+1) |t|^(2p+1) / (2 (2p+1)!)."""
    p = int(e[0])
    return (math.factorial(p) ** 2 * (-1) ** (p + 1) * np.abs(t) ** (2 * p + 1)
            / (2.0 * math.factorial(2 * p + 1)))


def erf_G(t, e):
    t = np.asarray(t, dtype=float)
    return (-2 * np.abs(t) * _special("erf")(np.abs(t) / math.sqrt(2))
            - 4 / SQ2PI * np.expm1(-(t**2) / 2))


def besselk_G(t, e):
    return (np.pi**2 / 2 * np.exp(-np.abs(t))) if e[0] == 0 else None
