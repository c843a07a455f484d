"""Non-uniform Fourier sums through finufft (CPU) or cufinufft (GPU), imported lazily.

Every sum here is F(k) = sum_j c_j exp(-i k . x_j): the sign of `actdesign.CONVENTION`.
No dense (points x frequencies) matrix is ever formed, so 10^6 points and 10^4
frequencies cost O(N + K log K) time and O(N + K) memory.
"""

from __future__ import annotations

import numpy as np

from ..infra._errors import ActdesignError
from ..infra._optional import require

BACKENDS = ("finufft", "cufinufft")
DEFAULT_EPS = 1e-12


def _lib(backend):
    if backend not in BACKENDS:
        raise ActdesignError(f"unknown NUFFT backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend == "finufft":
        return require("finufft", "spectrum", "a spectrum of non-uniform samples")
    try:
        import cufinufft

        return cufinufft
    except ImportError:
        raise ActdesignError(
            "the cufinufft backend is not installed; install cufinufft and cupy for your CUDA"
        ) from None


def _to_host(a):
    return a.get() if hasattr(a, "get") else np.asarray(a)


def _prepare(backend, arrays):
    if backend == "cufinufft":
        import cupy

        return [cupy.asarray(a) for a in arrays]
    return arrays


def grid_1d(x, c, centre, dk, m, *, eps=DEFAULT_EPS, backend="finufft"):
    """F(j dk) for j = 0..m (type-1 NUFFT); x_j real, c_j complex weights."""
    lib = _lib(backend)
    theta = dk * (np.asarray(x, dtype=float) - centre)
    if theta.size and np.max(np.abs(theta)) >= 3 * np.pi:
        raise ActdesignError(
            "frequency step too coarse for the domain (dk * length >= 6 pi); raise pad"
        )
    theta, cc = _prepare(backend, [theta, np.asarray(c, dtype=complex)])
    modes = _to_host(lib.nufft1d1(theta, cc, 2 * m + 1, isign=-1, eps=eps))
    k = dk * np.arange(m + 1)
    return modes[m:] * np.exp(-1j * k * centre)


def points_1d(x, c, centre, k, *, eps=DEFAULT_EPS, backend="finufft"):
    """F(k_i) at arbitrary angular frequencies k_i (type-3 NUFFT)."""
    lib = _lib(backend)
    k = np.asarray(k, dtype=float)
    xs, cc, kk = _prepare(
        backend, [np.asarray(x, dtype=float) - centre, np.asarray(c, dtype=complex), k]
    )
    out = _to_host(lib.nufft1d3(xs, cc, kk, isign=-1, eps=eps))
    return out * np.exp(-1j * k * centre)


def grid_2d(x, y, c, centre, dk, m, *, eps=DEFAULT_EPS, backend="finufft"):
    """F(i dkx, j dky) for |i| <= mx, |j| <= my (type-1 NUFFT); returns a (2mx+1, 2my+1) array."""
    lib = _lib(backend)
    tx = dk[0] * (np.asarray(x, dtype=float) - centre[0])
    ty = dk[1] * (np.asarray(y, dtype=float) - centre[1])
    if max(np.max(np.abs(tx), initial=0), np.max(np.abs(ty), initial=0)) >= 3 * np.pi:
        raise ActdesignError(
            "frequency step too coarse for the domain (dk * length >= 6 pi); raise pad"
        )
    tx, ty, cc = _prepare(backend, [tx, ty, np.asarray(c, dtype=complex)])
    modes = _to_host(lib.nufft2d1(tx, ty, cc, (2 * m[0] + 1, 2 * m[1] + 1), isign=-1, eps=eps))
    kx = dk[0] * np.arange(-m[0], m[0] + 1)
    ky = dk[1] * np.arange(-m[1], m[1] + 1)
    return modes * np.exp(-1j * (kx[:, None] * centre[0] + ky[None, :] * centre[1]))
