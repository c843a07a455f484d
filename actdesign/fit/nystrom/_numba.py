"""numba kernels of the Nystrom solver: radial-kernel row blocks fused with their products.

One CG iteration needs ``w = K_nm^T (K_nm u)`` over all M points. `radial_pass`
evaluates each row ``k_i = kappa(|x_i - c_j|)`` once (it stays in cache, m values),
forms ``s_i = k_i . u`` and adds ``(s_i + v_i) k_i`` to a per-chunk accumulator: both
products from one evaluation, and the M x m block is never stored. The rows are cut
into a fixed number of chunks (not one per thread), and the chunk sums are added in
chunk order, so the result does not depend on the thread count.

The kernel is the 4-point Lagrange interpolation of `._numba_kernels.radial` on
the same table, stored as one cubic per interval (`cubic_table`): the same
polynomials up to rounding (1e-16 relative), so a Nystrom fit with every point a centre
uses the dense fit's kernel; squared distances are formed first in loops over the
centres that the compiler vectorises.
"""

from __future__ import annotations

import numpy as np

from ...infra._optional import require

nb = require("numba", "fit", "the fused Nystrom kernels")  # names the extra when numba is missing

CHUNKS = 64  # fixed row chunks of a pass: the summation order is independent of threads


def cubic_table(values):
    """Per-interval cubic coefficients of the 4-point Lagrange rule on ``values``.

    Interval k (nodes k..k+3, evaluated at g = u - k - 1) has p(g) = c0 + g (c1 + g (c2 +
    g c3)): the same polynomial as `._numba_kernels.radial` evaluates (rounding
    aside), read as one contiguous row of four numbers.
    """
    v = np.asarray(values, dtype=float)
    v0, v1, v2, v3 = v[:-3], v[1:-2], v[2:-1], v[3:]
    c = np.empty((v.size - 3, 4))
    c[:, 0] = v1
    c[:, 1] = -v0 / 3 - v1 / 2 + v2 - v3 / 6
    c[:, 2] = v0 / 2 - v1 + v2 / 2
    c[:, 3] = -v0 / 6 + v1 / 2 - v2 / 2 + v3 / 6
    return c


@nb.njit(cache=True, inline="always")
def _row(X, i, CT, r0, inv_dr, coef, row):
    """row[j] = kappa(|x_i - c_j|): squared distances first (vectorisable loops over
    the centres, CT is D x m), then the table lookups."""
    m = CT.shape[1]
    for j in range(m):
        row[j] = 0.0
    for d in range(X.shape[1]):
        xd = X[i, d]
        for j in range(m):
            t = xd - CT[d, j]
            row[j] += t * t
    last = coef.shape[0] - 1
    for j in range(m):
        u = (np.sqrt(row[j]) - r0) * inv_dr
        k = min(max(int(u) - 1, 0), last)
        g = u - k - 1.0
        row[j] = coef[k, 0] + g * (coef[k, 1] + g * (coef[k, 2] + g * coef[k, 3]))


@nb.njit(cache=True, parallel=True)
def radial_pass(X, CT, u, v, r0, inv_dr, coef, acc, fit):
    """acc[c] = sum over rows i of chunk c of (k_i . u + v_i) k_i;  fit[i] = k_i . u."""
    M, m = X.shape[0], CT.shape[1]
    nchunk = acc.shape[0]
    for c in nb.prange(nchunk):
        i0, i1 = c * M // nchunk, (c + 1) * M // nchunk
        row = np.empty(m)
        a = acc[c]
        for j in range(m):
            a[j] = 0.0
        for i in range(i0, i1):
            _row(X, i, CT, r0, inv_dr, coef, row)
            s = 0.0
            for j in range(m):
                s += row[j] * u[j]
            fit[i] = s
            t = s + v[i]
            for j in range(m):
                a[j] += t * row[j]


@nb.njit(cache=True, parallel=True)
def radial_apply(X, CT, a, r0, inv_dr, coef, out):
    """out[i] = sum_j kappa(|x_i - c_j|) a_j (predictions, streamed: nothing stored)."""
    m = CT.shape[1]
    for i in nb.prange(X.shape[0]):
        row = np.empty(m)
        _row(X, i, CT, r0, inv_dr, coef, row)
        s = 0.0
        for j in range(m):
            s += row[j] * a[j]
        out[i] = s


def pass_sum(X, CT, u, v, r0, inv_dr, coef):
    """(K_nm^T (K_nm u + v), K_nm u) through `radial_pass` (float64 throughout)."""
    nchunk = max(1, min(CHUNKS, X.shape[0]))
    acc = np.empty((nchunk, CT.shape[1]))
    fit = np.empty(X.shape[0])
    radial_pass(X, CT, u, v, r0, inv_dr, coef, acc, fit)
    w = acc[0].copy()
    for c in range(1, nchunk):  # chunk order: reproducible for any thread count
        w += acc[c]
    return w, fit
