"""Memory estimate of a spectrum, checked before the samples or the FFT are allocated."""

from __future__ import annotations

import math

from ..infra._memory import check, env_fix

DEFAULT_PAD = {1: 4, 2: 2}


def estimate(n_samples: int, dim: int, pad) -> int:
    """Peak bytes of a spectrum of ``n_samples`` samples in ``dim`` dimensions.

    Sampling holds the grid coordinates, the values, the window and the windowed values
    (about dim + 5 float arrays). The FFT of the zero-padded samples (pad^dim times as
    many bins) holds the padded input, the complex output, the phase factors and the
    amplitudes: about 48 bytes a bin in 1-D (rfft keeps half the bins), 80 in 2-D (a full
    complex grid, its fftshift copy and the phase products).
    """
    pad = _pad(pad, dim)
    bins = n_samples * pad**dim
    per_bin = 48 if dim == 1 else 80
    return 8 * n_samples * (dim + 5) + per_bin * bins


def check_spectrum(n_samples: int, dim: int, pad) -> None:
    """Refuse (MemoryEstimateError) a spectrum that would not fit in the memory budget."""
    check(
        estimate(n_samples, dim, pad),
        what=f"a {dim}-D spectrum of {n_samples:,} samples (pad {_pad(pad, dim)})",
        fix=env_fix("use a smaller --n or --pad"),
    )


def _pad(pad, dim) -> int:
    # an invalid pad is refused later, with its own message; estimate with the default
    ok = isinstance(pad, int) and not isinstance(pad, bool) and pad >= 1
    return pad if ok else DEFAULT_PAD[dim]


def count(ns) -> int:
    """Samples of a grid with ``ns`` points per axis (Python int: no overflow)."""
    return math.prod(int(v) for v in ns)


def sample_dim(values, x) -> int:
    """1 or 2: the dimension of samples (grid values, or values at points ``x``)."""
    if x is None:
        return 1 if values.ndim <= 1 else 2
    shape = getattr(x, "shape", None) or (len(x),)
    return 1 if len(shape) == 1 or shape[1] == 1 else 2
