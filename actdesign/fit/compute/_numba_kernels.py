"""numba CPU kernels (this module imports numba; it is imported only when fitting).

A tile kernel evaluates ``scale[j] * phi(X[i] . Wt[:, j] + b[j])`` row by row in one
pass (the pre-activation row stays in cache). Code 0 is a packed Tabulation
(`._tabulate`); the closed forms (codes of `actdesign.registry`) share one
kernel, `features_closed`, that picks the base once per row, so each inner loop
is the straight-line code of one base that LLVM can vectorise (compiled once;
``cache=True`` keeps it on disk).
The closed forms are ``A * base(s*z + c) + p0 + p1*z`` with ``P = [A, s, c, p0, p1, e0]``.
"""

from __future__ import annotations

import math

import numpy as np

from ...infra._optional import require

# the fits pick this backend only when numba imports (fit/_options.cpu_backend); asked
# for by name without it, the error names the extra
nb = require("numba", "fit", "backend='numba'")

_TAIL = 10  # packed tail law length (see _tabulate.TAIL_LEN)
_HEAD = 8


@nb.njit(cache=True, inline="always")
def _preactivation(X, Wt, b, row, i):
    for j in range(row.size):
        row[j] = b[j]
    for d in range(X.shape[1]):
        xd = X[i, d]
        for j in range(row.size):
            row[j] += xd * Wt[d, j]


# --- the bases b(u) -----------------------------------------------------------------
@nb.njit(cache=True, inline="always")
def _relu(u, e0):
    return u if u > 0.0 else 0.0


@nb.njit(cache=True, inline="always")
def _relupow(u, e0):
    return u**e0 if u > 0.0 else 0.0


@nb.njit(cache=True, inline="always")
def _abs(u, e0):
    return abs(u)


@nb.njit(cache=True, inline="always")
def _step(u, e0):
    return 1.0 if u > 0.0 else (0.0 if u < 0.0 else e0)


@nb.njit(cache=True, inline="always")
def _cauchy(u, e0):
    return 1.0 / (1.0 + u * u)


@nb.njit(cache=True, inline="always")
def _gauss(u, e0):
    return math.exp(-u * u)


@nb.njit(cache=True, inline="always")
def _laplace(u, e0):
    return math.exp(-abs(u))


@nb.njit(cache=True, inline="always")
def _tanh(u, e0):
    return math.tanh(u)


@nb.njit(cache=True, inline="always")
def _logistic(u, e0):
    if u >= 0.0:
        return 1.0 / (1.0 + math.exp(-u))
    e = math.exp(u)
    return e / (1.0 + e)


@nb.njit(cache=True, inline="always")
def _softplus(u, e0):
    if u > 0.0:
        return u + math.log1p(math.exp(-u))
    return math.log1p(math.exp(u))


@nb.njit(cache=True, inline="always")
def _erf(u, e0):
    return math.erf(u)


@nb.njit(cache=True, inline="always")
def _gelu(u, e0):
    return 0.5 * u * math.erfc(-u * 0.7071067811865476)


@nb.njit(cache=True, inline="always")
def _sin(u, e0):
    return math.sin(u)


@nb.njit(cache=True, inline="always")
def _cos(u, e0):
    return math.cos(u)


# --- the packed table (code 0) -------------------------------------------------------
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
                v = P[at] + t * (
                    P[at + 1] + t * (P[at + 2] + t * (P[at + 3] + t * (P[at + 4] + t * P[at + 5])))
                )
            else:
                v = P[at + d1 - 1]
                for q in range(d1 - 2, -1, -1):
                    v = v * t + P[at + q]
        row[j] = scale[j] * v


@nb.njit(cache=True, parallel=True)
def features_table(X, Wt, b, scale, P, out):
    for i in nb.prange(X.shape[0]):
        row = out[i]
        _preactivation(X, Wt, b, row, i)
        _table_loop(row, scale, P)


@nb.njit(cache=True, inline="always")
def _closed_loop(row, scale, P, base):
    A, s, c, p0, p1, e0 = P[0], P[1], P[2], P[3], P[4], P[5]
    for j in range(row.size):
        z = row[j]
        row[j] = scale[j] * (A * base(s * z + c, e0) + p0 + p1 * z)


@nb.njit(cache=True, inline="always")
def _closed_row(code, row, scale, P):
    # the branch is taken once per row, outside the loop over neurons, so each loop is
    # the straight-line code of one base (codes: the registry's Family.code)
    if code == 1:
        _closed_loop(row, scale, P, _relu)
    elif code == 2:
        _closed_loop(row, scale, P, _relupow)
    elif code == 3:
        _closed_loop(row, scale, P, _abs)
    elif code == 4:
        _closed_loop(row, scale, P, _step)
    elif code == 5:
        _closed_loop(row, scale, P, _cauchy)
    elif code == 6:
        _closed_loop(row, scale, P, _gauss)
    elif code == 7:
        _closed_loop(row, scale, P, _laplace)
    elif code == 8:
        _closed_loop(row, scale, P, _tanh)
    elif code == 9:
        _closed_loop(row, scale, P, _logistic)
    elif code == 10:
        _closed_loop(row, scale, P, _softplus)
    elif code == 11:
        _closed_loop(row, scale, P, _erf)
    elif code == 13:
        _closed_loop(row, scale, P, _gelu)
    elif code == 14:
        _closed_loop(row, scale, P, _sin)
    elif code == 15:
        _closed_loop(row, scale, P, _cos)


@nb.njit(cache=True, parallel=True)
def features_closed(X, Wt, b, scale, P, out, code):
    for i in nb.prange(X.shape[0]):
        row = out[i]
        _preactivation(X, Wt, b, row, i)
        _closed_row(code, row, scale, P)


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
            out[i, j] = (
                -v0 * (f - 1) * (f - 2) * (f - 3) / 6
                + v1 * f * (f - 2) * (f - 3) / 2
                - v2 * f * (f - 1) * (f - 3) / 2
                + v3 * f * (f - 1) * (f - 2) / 6
            )


def _features_besselk(X, Wt, b, scale, P, out):
    from ._numba_special import features_special

    features_special(X, Wt, b, scale, P, out)


CLOSED_CODES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15)  # served by features_closed
SPECIAL_CODES = (12,)  # Bessel K: scipy through its Cython address, not cacheable


def tile(X, Wt, b, scale, code, P, out):
    """``out[i, j] = scale[j] * phi(X[i] . Wt[:, j] + b[j])`` with the kernel of ``code``."""
    if code == 0:
        features_table(X, Wt, b, scale, P, out)
    elif code in CLOSED_CODES:
        features_closed(X, Wt, b, scale, P, out, code)
    elif code in SPECIAL_CODES:
        _features_besselk(X, Wt, b, scale, P, out)
    else:
        raise ValueError(f"no numba kernel for code {code}")
    return out


def evaluate(code, P, z):
    """phi at the points z through the same kernel (a one-input, one-neuron tile)."""
    z = np.ascontiguousarray(z, dtype=float)
    out = np.empty((z.size, 1))
    one = np.ones(1)
    tile(z.reshape(-1, 1), one.reshape(1, 1), np.zeros(1), one, code, P, out)
    return out.reshape(z.shape)
