"""numba CPU kernels (this module imports numba; it is imported only when fitting).

One parallel tile kernel evaluates ``scale[j] * phi(X[i] . W[:, j] + b[j])`` in a single
pass: the pre-activation never goes to memory. ``phi`` is selected by an integer code
(see :mod:`._catalog`): 0 is a packed Tabulation (:mod:`._tabulate`), the others are
hand-fused closed forms ``A * base(s*z + c) + p0 + p1*z``. Kernels are compiled once
and cached on disk (``cache=True``).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_TAIL = 10  # packed tail law length (see _tabulate.TAIL_LEN)
_HEAD = 8
PARALLEL_MIN = 1 << 16  # elements below which a tile is evaluated in one thread


@nb.njit(cache=True, inline="always")
def _closed(code, u, e0):
    # one branch per catalog base; the code is loop-invariant, so the branch predicts
    if code == 1:
        return u if u > 0.0 else 0.0
    if code == 5:
        return 1.0 / (1.0 + u * u)
    if code == 6:
        return math.exp(-u * u)
    if code == 7:
        return math.exp(-abs(u))
    if code == 8:
        return math.tanh(u)
    if code == 9:
        if u >= 0.0:
            return 1.0 / (1.0 + math.exp(-u))
        e = math.exp(u)
        return e / (1.0 + e)
    if code == 10:
        if u > 0.0:
            return u + math.log1p(math.exp(-u))
        return math.log1p(math.exp(u))
    if code == 11:
        return math.erf(u)
    if code == 3:
        return abs(u)
    if code == 2:
        return u**e0 if u > 0.0 else 0.0
    if code == 4:
        return 1.0 if u > 0.0 else (0.0 if u < 0.0 else e0)
    return math.nan


@nb.njit(cache=True, inline="always")
def _tail(z, P, off):
    az = abs(z)
    out = P[off] + z * (P[off + 1] + z * (P[off + 2] + z * P[off + 3]))
    c = P[off + 4]
    if c != 0.0:
        mag = P[off + 5] * math.log(az) - P[off + 6] * az - P[off + 7] * az * az
        osc = math.cos(P[off + 8] * az + P[off + 9]) if P[off + 8] != 0.0 else 1.0
        out += c * math.exp(mag) * osc
    return out


@nb.njit(cache=True, inline="always")
def _piece(z, P, knots_at, n):
    """Index of the piece holding z (knots[i] <= z < knots[i+1])."""
    if P[0] == 1.0:  # graded layout: arithmetic index, then a fix-up step or two
        zc = P[3]
        n_out = int(P[7])
        if abs(z) <= zc:
            i = n_out + int((z + zc) * P[4])
        else:
            j = int(math.log(abs(z) / zc) * P[6])
            i = n_out + int(P[5]) + j if z > 0 else n_out - 1 - j
        i = min(max(i, 0), n - 1)
        while i > 0 and z < P[knots_at + i]:
            i -= 1
        while i < n - 1 and z >= P[knots_at + i + 1]:
            i += 1
        return i
    lo, hi = 0, n  # binary search on the knots
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if z >= P[knots_at + mid]:
            lo = mid
        else:
            hi = mid
    return lo


@nb.njit(cache=True, inline="always")
def _table(z, P):
    n = int(P[1])
    d1 = int(P[2])
    knots_at = _HEAD + 2 * _TAIL
    if z < P[knots_at]:
        return _tail(z, P, _HEAD)
    if z > P[knots_at + n]:
        return _tail(z, P, _HEAD + _TAIL)
    i = _piece(z, P, knots_at, n)
    t = z - P[knots_at + i]
    at = knots_at + n + 1 + i * d1
    out = P[at + d1 - 1]
    for j in range(d1 - 2, -1, -1):
        out = out * t + P[at + j]
    return out


@nb.njit(cache=True, inline="always")
def phi(code, z, P):
    """phi(z) for a catalog code (params in P[0:7]) or a packed table (code 0)."""
    if code == 0:
        return _table(z, P)
    return P[0] * _closed(code, P[1] * z + P[2], P[5]) + P[3] + P[4] * z


@nb.njit(cache=True, inline="always")
def _loop(code, row, scale, P):
    # called with a literal code: after inlining the branches of phi fold away and the
    # loop body is straight-line code that LLVM can vectorise
    for j in range(row.size):
        row[j] = scale[j] * phi(code, row[j], P)


@nb.njit(cache=True, inline="always")
def _table_loop(row, scale, P):
    # the table's header is read once into locals: P may alias row as far as the
    # compiler knows, so reads inside the loop would be repeated for every element
    n, d1 = int(P[1]), int(P[2])
    graded = P[0] == 1.0
    zc, inv_h, n_core, inv_lq, n_out = P[3], P[4], int(P[5]), P[6], int(P[7])
    k = _HEAD + 2 * _TAIL
    lo_knot, hi_knot = P[k], P[k + n]
    c0 = k + n + 1
    for j in range(row.size):
        z = row[j]
        if z < lo_knot:
            v = _tail(z, P, _HEAD)
        elif z > hi_knot:
            v = _tail(z, P, _HEAD + _TAIL)
        else:
            if graded and abs(z) <= zc:
                i = n_out + int((z + zc) * inv_h)
                i = min(i, n_out + n_core - 1)
            elif graded:
                jj = int(math.log(abs(z) / zc) * inv_lq)
                i = n_out + n_core + jj if z > 0 else n_out - 1 - jj
                i = min(max(i, 0), n - 1)
            else:
                i = _piece(z, P, k, n)
            while i > 0 and z < P[k + i]:
                i -= 1
            while i < n - 1 and z >= P[k + i + 1]:
                i += 1
            t = z - P[k + i]
            at = c0 + i * d1
            if d1 == 6:
                v = P[at] + t * (P[at + 1] + t * (P[at + 2] + t * (P[at + 3] + t * (P[at + 4] + t * P[at + 5]))))
            else:
                v = P[at + d1 - 1]
                for q in range(d1 - 2, -1, -1):
                    v = v * t + P[at + q]
        row[j] = scale[j] * v


@nb.njit(cache=True, inline="always")
def _apply(code, row, scale, P):
    if code == 5:
        _loop(5, row, scale, P)
    elif code == 1:
        _loop(1, row, scale, P)
    elif code == 0:
        _table_loop(row, scale, P)
    elif code == 6:
        _loop(6, row, scale, P)
    elif code == 7:
        _loop(7, row, scale, P)
    elif code == 8:
        _loop(8, row, scale, P)
    elif code == 9:
        _loop(9, row, scale, P)
    elif code == 10:
        _loop(10, row, scale, P)
    elif code == 11:
        _loop(11, row, scale, P)
    elif code == 3:
        _loop(3, row, scale, P)
    elif code == 2:
        _loop(2, row, scale, P)
    else:
        _loop(4, row, scale, P)


@nb.njit(cache=True, inline="always")
def _row(X, Wt, b, scale, code, P, row, i):
    n = row.size
    for j in range(n):
        row[j] = b[j]
    for d in range(X.shape[1]):
        xd = X[i, d]
        for j in range(n):
            row[j] += xd * Wt[d, j]
    _apply(code, row, scale, P)


@nb.njit(cache=True, parallel=True)
def features(X, Wt, b, scale, code, P, out):
    """out[i, j] = scale[j] * phi(X[i] . Wt[:, j] + b[j]), rows in parallel."""
    for i in nb.prange(X.shape[0]):
        _row(X, Wt, b, scale, code, P, out[i], i)


@nb.njit(cache=True)
def features_serial(X, Wt, b, scale, code, P, out):
    """As :func:`features`, in one thread (small tiles: no thread start-up)."""
    for i in range(X.shape[0]):
        _row(X, Wt, b, scale, code, P, out[i], i)


@nb.njit(cache=True)
def phi_array(code, P, z, out):
    """phi on a flat array (used to check the kernels against their references)."""
    for i in range(z.size):
        out[i] = phi(code, z[i], P)


@nb.njit(cache=True, parallel=True)
def radial(X1, X2, r0, inv_dr, values, out):
    """out[i, j] = kappa(|X1[i] - X2[j]|), kappa tabulated on a uniform grid (4-point Lagrange)."""
    M, D = X1.shape
    n2 = X2.shape[0]
    last = values.size - 4
    for i in nb.prange(M):
        for j in range(n2):
            s = 0.0
            for d in range(D):
                t = X1[i, d] - X2[j, d]
                s += t * t
            u = (math.sqrt(s) - r0) * inv_dr
            k = min(max(int(u) - 1, 0), last)
            f = u - k  # position relative to node k, in [1, 2) in the interior
            v0, v1, v2, v3 = values[k], values[k + 1], values[k + 2], values[k + 3]
            out[i, j] = (-v0 * (f - 1) * (f - 2) * (f - 3) / 6 + v1 * f * (f - 2) * (f - 3) / 2
                         - v2 * f * (f - 1) * (f - 3) / 2 + v3 * f * (f - 1) * (f - 2) / 6)


def tile(X, Wt, b, scale, code, P, out):
    """Dispatch to the cached kernel (or to the special-function kernel)."""
    if code == 12:
        from ._numba_special import features_special

        features_special(X, Wt, b, scale, P, out)
    elif out.size < PARALLEL_MIN or X.shape[0] < 4:
        features_serial(X, Wt, b, scale, code, P, out)
    else:
        features(X, Wt, b, scale, code, P, out)
    return out


def evaluate(code, P, z):
    """phi at the points z through the kernels' scalar code (numpy in, numpy out)."""
    z = np.ascontiguousarray(z, dtype=float)
    out = np.empty_like(z)
    if code == 12:
        from ._numba_special import phi_array_special

        phi_array_special(P, z.ravel(), out.ravel())
    else:
        phi_array(code, P, z.ravel(), out.ravel())
    return out
