"""Windows (mollifiers) as continuous functions of the position u = (x - a)/(b - a) in [0, 1].

Defining windows on the continuum, not by sample index, lets uniform grids, non-uniform
samples and 2-D boxes (outer products) share one definition. ``box`` is seed 002's literal
"extension by zero"; ``tukey`` and ``hann`` are the smooth-bump alternatives.
"""

from __future__ import annotations

import functools

import numpy as np

from ..infra._errors import ActdesignError

TUKEY_ALPHA = 0.25  # fraction of the interval that tapers (half on each side)


def box(u):
    """1 on the interval (the function is extended by zero outside)."""
    return np.ones_like(np.asarray(u, dtype=float))


def hann(u):
    """sin^2(pi u): zero with zero slope at both ends."""
    return np.sin(np.pi * np.asarray(u, dtype=float)) ** 2


def tukey(u, alpha: float = TUKEY_ALPHA):
    """Flat top with cosine tapers of total length ``alpha`` (alpha=1 is hann, 0 is box)."""
    u = np.asarray(u, dtype=float)
    if alpha <= 0:
        return box(u)
    edge = np.minimum(u, 1.0 - u)  # distance to the nearer end
    taper = 0.5 * (1.0 - np.cos(2.0 * np.pi * np.clip(edge, 0.0, None) / alpha))
    return np.where(edge < alpha / 2, taper, 1.0)


WINDOWS = {"box": box, "tukey": tukey, "hann": hann}
LEAK_SAMPLES = 512  # window samples for its transform (u-resolution of the window)
LEAK_OVERSAMPLE = 32  # frequency points per bin 1/(b - a)


@functools.lru_cache(maxsize=16)
def leakage_envelope(window) -> tuple:
    """(d, env): the largest |W(d')| / |W(0)| over |d'| >= d, for d in bins of 1/(b - a)
    cycles, W the window's transform. A sinusoid of amplitude A leaks at most A env(d)
    into a bin d bins away (box: 0.217 at the first sidelobe, hann: 0.027, both falling
    with d). Unknown names and custom windows fall back to the box (the worst of the three).
    """
    w = WINDOWS.get(window, box) if isinstance(window, str) else box
    u = (np.arange(LEAK_SAMPLES) + 0.5) / LEAK_SAMPLES
    W = np.abs(np.fft.rfft(w(u), LEAK_SAMPLES * LEAK_OVERSAMPLE))
    env = np.maximum.accumulate(W[::-1])[::-1] / W[0]
    d = np.arange(env.size) / LEAK_OVERSAMPLE
    return d, env


def window_function(window):
    """The window callable for a name in `WINDOWS`, or a user callable w(u) itself."""
    if callable(window):
        return window
    try:
        return WINDOWS[window]
    except (KeyError, TypeError):
        raise ActdesignError(
            f"unknown window {window!r}; use one of {', '.join(WINDOWS)} "
            "or a callable w(u) on [0, 1]"
        ) from None


def window_name(window) -> str:
    """A printable name for a window argument."""
    return window if isinstance(window, str) else getattr(window, "__name__", "custom")
