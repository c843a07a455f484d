"""The two array backends of the fit: numpy (CPU) and cupy (GPU), behind one small table.

Every numeric routine of `actdesign.fit` is written once against ``xp`` (numpy
or cupy); the few operations without a common spelling (BLAS rank-k updates,
triangular solves, host transfers) are the functions below.
"""

from __future__ import annotations

import numpy as np

from .._errors import DeviceError


def get_xp(device: str):
    """numpy for ``"cpu"``; cupy for ``"gpu"`` (imported here, only when asked for)."""
    if device == "cpu":
        return np
    if device != "gpu":
        raise DeviceError(f"device must be 'cpu' or 'gpu', got {device!r}")
    try:
        import cupy
    except ImportError:
        raise DeviceError(
            "device='gpu' needs cupy: pip install 'actdesign[gpu]' (or use device='cpu')"
        ) from None
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise DeviceError("device='gpu' but no CUDA device is visible; use device='cpu'")
    except cupy.cuda.runtime.CUDARuntimeError:
        raise DeviceError("device='gpu' but CUDA is not usable here; use device='cpu'") from None
    return cupy


def is_numpy(xp) -> bool:
    return xp is np


def device_of(xp) -> str:
    """The device name get_xp maps to ``xp`` (the inverse of get_xp)."""
    return "cpu" if xp is np else "gpu"


class PicklableXP:
    """Mixin for objects holding ``self.xp``: a module does not pickle, so the pickled
    state carries the device name and loading looks the module up again."""

    def __getstate__(self):
        return {**self.__dict__, "xp": device_of(self.xp)}

    def __setstate__(self, state):
        self.__dict__.update(state, xp=get_xp(state["xp"]))


def to_numpy(a):
    """Host copy of an array from either backend (the one exit to the CPU)."""
    return a.get() if hasattr(a, "get") else np.asarray(a)


def syrk_update(G, T, xp) -> None:
    """G += T @ T.T on the upper triangle (G is an F-ordered M x M array, T is M x n)."""
    if is_numpy(xp):
        from scipy.linalg.blas import dsyrk

        # T is C-ordered (M x n), so T.T is F-ordered and BLAS reads it without a copy
        with factor_threads(G.shape[0]):  # threaded syrk crashes where potrf does
            dsyrk(1.0, T.T, beta=1.0, c=G, trans=1, lower=0, overwrite_c=1)
    else:
        from cupy.cublas import syrk

        syrk("N", T, out=G, alpha=1.0, beta=1.0, lower=False)


def symmetrize_upper(G, xp):
    """Copy the upper triangle of G onto its lower triangle (in place, returns G)."""
    iu = xp.tril_indices(G.shape[0], -1)
    G[iu] = G.T[iu]
    return G


def qr_r(A, xp):
    """The R factor of a tall matrix."""
    return xp.linalg.qr(A, mode="r")


# Multithreaded OpenBLAS potrf and syrk (scipy's and numpy's bundled builds, 2 threads)
# crash with a segmentation fault from n of about 16 000 on the development machines; one
# thread computes the same matrices. Measured: potrf n = 12 000 fine, 16 000 and 20 000
# crash; syrk of 20 000 x 512 and 16 384 x 16 384 crash (scipy 1.17.1, OpenBLAS 0.3.31,
# AMD EPYC; first seen through the Nystrom centres' factors).
_THREADED_FACTOR_MAX_N = 8192


def factor_threads(n: int):
    """One BLAS thread for a Cholesky factorisation or syrk of order ``n`` past the size
    where the threaded ones crash (a context manager; nothing changes below it). Every
    dense Cholesky and syrk of a size set by the user goes through it."""
    import contextlib

    if n <= _THREADED_FACTOR_MAX_N:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def cholesky_solve(A, rhs, xp):
    """Solve A x = rhs for symmetric positive definite A; (x, reciprocal condition estimate).

    Raises numpy/cupy LinAlgError when A is not numerically positive definite.
    """
    if is_numpy(xp):
        from scipy.linalg import cho_factor, cho_solve
        from scipy.linalg.lapack import dpocon

        anorm = float(np.max(np.sum(np.abs(A), axis=0)))
        with factor_threads(A.shape[0]):
            c, low = cho_factor(A, lower=False, check_finite=False)
        rc, info = dpocon(c, anorm, uplo="U")
        return cho_solve((c, low), rhs, check_finite=False), float(rc)
    L = xp.linalg.cholesky(A)
    from cupyx.scipy.linalg import solve_triangular

    y = solve_triangular(L, rhs, lower=True)
    x = solve_triangular(L.T, y, lower=False)
    d = xp.diagonal(L)
    return x, float((d.min() / d.max()) ** 2)
