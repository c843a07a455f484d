"""numba kernel of the tabulated Gaussian-law dual activation (`_table`).

Imported only when the table route runs. Per entry: the pre-activation covariances
from the two points (det from d = x' - x, as ``GaussianLaw.covariances`` forms it, so
the angle keeps its digits near the diagonal), the angle theta = atan2(sqrt(det), s12),
its warped coordinate w, then the Chebyshev sum over lambda2 = log s2 of the row's
reduced table at the P + 1 nearest w nodes and their Lagrange weights.
"""

from __future__ import annotations

import math

import numpy as np

from ...infra._optional import require

nb = require("numba", "fit", "Gaussian-law kernel tables")  # names the extra when numba is missing


@nb.njit(cache=True, inline="always", fastmath=True)
def _angle(X1, X2, i, j, n1i, sw2, sb2):
    """theta = atan2(sqrt(det), s12) of the pre-activations of rows i of X1, j of X2."""
    dot = 0.0
    dd = 0.0
    x1d = 0.0
    for d in range(X1.shape[1]):
        a = X1[i, d]
        e = X2[j, d] - a
        dot += a * X2[j, d]
        dd += e * e
        x1d += a * e
    wedge = n1i * dd - x1d * x1d if X1.shape[1] > 1 else 0.0
    if wedge < 0.0:
        wedge = 0.0
    det = sw2 * sw2 * wedge + sw2 * sb2 * dd
    return math.atan2(math.sqrt(det), sw2 * dot + sb2)


@nb.njit(cache=True, parallel=True, fastmath=True)
def table_entries(X1, X2, n1, root1, root2, R, T2, sw2, sb2, w0, hw, eps, denom, sym, out):
    """out[i, j] = root1[i] root2[j] k(i, j) from the row-reduced table R.

    R : (rows, 2, n_w, n_lam) -- per row and half, the lambda1 sum at every w node.
    T2 : (cols, n_lam) -- Chebyshev basis at each column's lambda2.
    denom : (P + 1,) -- prod_{m != k} (k - m), the Lagrange denominators.
    sym : only j >= i is computed (the caller mirrors).
    """
    P = denom.size - 1
    n_w = R.shape[2]
    n_lam = R.shape[3]
    half_pi = 0.5 * math.pi
    for i in nb.prange(X1.shape[0]):
        lag = np.empty(P + 1)
        start = i if sym else 0
        for j in range(start, X2.shape[0]):
            th = _angle(X1, X2, i, j, n1[i], sw2, sb2)
            h = 0
            if th > half_pi:
                h = 1
                th = math.pi - th
            t = (math.log(th + eps) - w0) / hw
            c0 = int(math.floor(t)) - P // 2
            if c0 < 0:
                c0 = 0
            if c0 > n_w - P - 1:
                c0 = n_w - P - 1
            t -= c0
            # Lagrange weights prod_{m != k} (t - m) / denom[k] by prefix/suffix products
            left = 1.0
            for k in range(P + 1):
                lag[k] = left
                left *= t - k
            right = 1.0
            for k in range(P, -1, -1):
                lag[k] *= right / denom[k]
                right *= t - k
            acc = 0.0
            for k in range(P + 1):
                v = 0.0
                for b in range(n_lam):
                    v += T2[j, b] * R[i, h, c0 + k, b]
                acc += lag[k] * v
            out[i, j] = acc * root1[i] * root2[j]

