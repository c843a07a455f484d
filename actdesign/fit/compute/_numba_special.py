"""numba kernels that call SciPy special functions through their Cython addresses.

They cannot be cached on disk (the function address changes between processes), so
they live apart from `._numba_kernels` and compile on first use.
``__pyx_fuse_1kv`` is the real-argument overload of ``kv`` (``__pyx_fuse_0kv`` is the
complex one and returns garbage for real input); its third argument is Cython's
``skip_dispatch`` flag.
"""

from __future__ import annotations

import ctypes

import numba as nb
from numba.extending import get_cython_function_address

_kv = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double, ctypes.c_int)(
    get_cython_function_address("scipy.special.cython_special", "__pyx_fuse_1kv")
)


@nb.njit(inline="always")
def _besselk(z, P):
    u = P[1] * z + P[2]
    return P[0] * _kv(P[5], abs(u), 0) + P[3] + P[4] * z


@nb.njit(parallel=True)
def features_special(X, Wt, b, scale, P, out):
    """out[i, j] = scale[j] * phi(X[i] . Wt[:, j] + b[j]), phi = A K_nu(|s z + c|) + p0 + p1 z."""
    M, D = X.shape
    n = out.shape[1]
    for i in nb.prange(M):
        row = out[i]
        for j in range(n):
            z = b[j]
            for d in range(D):
                z += X[i, d] * Wt[d, j]
            row[j] = scale[j] * _besselk(z, P)


@nb.njit
def phi_array_special(P, z, out):
    for i in range(z.size):
        out[i] = _besselk(z[i], P)
