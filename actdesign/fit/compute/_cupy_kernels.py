"""cupy GPU feature kernel: the same codes and packed tables as the numba kernel.

The C source below mirrors `._numba_kernels` line by line (same catalog codes,
same packed Tabulation layout). Bessel K has no CUDA implementation, so code 12 is
evaluated through a Tabulation instead. Imported only with ``device="gpu"``.
"""

from __future__ import annotations

import cupy as cp
import numpy as np

from .._catalog import TABULATION_CODE
from .._cuda import cuda_function
from ._tabulate import pack, tabulate

_SOURCE = r"""
__device__ double closed_form(int code, double u, double e0) {
    if (code == 1) return u > 0.0 ? u : 0.0;
    if (code == 5) return 1.0 / (1.0 + u * u);
    if (code == 6) return exp(-u * u);
    if (code == 7) return exp(-fabs(u));
    if (code == 8) return tanh(u);
    if (code == 9) {
        if (u >= 0.0) return 1.0 / (1.0 + exp(-u));
        double e = exp(u);
        return e / (1.0 + e);
    }
    if (code == 10) return u > 0.0 ? u + log1p(exp(-u)) : log1p(exp(u));
    if (code == 11) return erf(u);
    if (code == 3) return fabs(u);
    if (code == 2) return u > 0.0 ? pow(u, e0) : 0.0;
    if (code == 4) return u > 0.0 ? 1.0 : (u < 0.0 ? 0.0 : e0);
    if (code == 13) return 0.5 * u * erfc(-u * 0.7071067811865476);
    if (code == 14) return sin(u);
    if (code == 15) return cos(u);
    return nan("");
}

__device__ double tail_law(double z, const double* P, int off) {
    double az = fabs(z);
    double out = P[off] + z * (P[off + 1] + z * (P[off + 2] + z * P[off + 3]));
    double c = P[off + 4];
    if (c != 0.0) {
        double mag = P[off + 5] * log(az) - P[off + 6] * az - P[off + 7] * az * az;
        double osc = P[off + 8] != 0.0 ? cos(P[off + 8] * az + P[off + 9]) : 1.0;
        out += c * exp(mag) * osc;
    }
    return out;
}

__device__ double table(double z, const double* P) {
    const int HEAD = 8, TAIL = 10;
    int n = (int)P[1], d1 = (int)P[2], k = HEAD + 2 * TAIL;
    if (z < P[k]) return tail_law(z, P, HEAD);
    if (z > P[k + n]) return tail_law(z, P, HEAD + TAIL);
    int i;
    if (P[0] == 1.0) {
        double zc = P[3]; int n_out = (int)P[7];
        if (fabs(z) <= zc) i = n_out + (int)((z + zc) * P[4]);
        else {
            int j = (int)(log(fabs(z) / zc) * P[6]);
            i = z > 0 ? n_out + (int)P[5] + j : n_out - 1 - j;
        }
        i = min(max(i, 0), n - 1);
        while (i > 0 && z < P[k + i]) i--;
        while (i < n - 1 && z >= P[k + i + 1]) i++;
    } else {
        int lo = 0, hi = n;
        while (hi - lo > 1) {
            int mid = (lo + hi) >> 1;
            if (z >= P[k + mid]) lo = mid; else hi = mid;
        }
        i = lo;
    }
    double t = z - P[k + i];
    int at = k + n + 1 + i * d1;
    double out = P[at + d1 - 1];
    for (int j = d1 - 2; j >= 0; j--) out = out * t + P[at + j];
    return out;
}

extern "C" __global__ void features(const double* X, const double* Wt, const double* b,
                                    const double* scale, const double* P, double* out,
                                    int M, int D, int ncols, int nb, int j0, int code) {
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)M * nb) return;
    int i = (int)(idx / nb), j = (int)(idx % nb);
    double z = b[j0 + j];
    for (int d = 0; d < D; d++) z += X[(long long)i * D + d] * Wt[(long long)d * ncols + j0 + j];
    double v = code == 0 ? table(z, P)
                         : P[0] * closed_form(code, P[1] * z + P[2], P[5]) + P[3] + P[4] * z;
    out[idx] = scale[j] * v;
}
"""

_kernel = cuda_function(_SOURCE, "features")


class GpuFeatures:
    """Feature tiles on the GPU for one activation route and one set of neurons."""

    def __init__(self, kernel, Wt, b):
        code, params = kernel.code, kernel.params
        if code == 12 or code < 0:  # no CUDA Bessel K / numpy-only route: use a table
            tab, err = tabulate(
                kernel.act, max(64.0, kernel.zmax if np.isfinite(kernel.zmax) else 1e4)
            )
            packed = None if tab is None else pack(tab)
            if packed is None:
                from .._errors import DeviceError

                raise DeviceError(
                    "this activation has no GPU kernel (no accurate table); use device='cpu'"
                )
            code, params = TABULATION_CODE, packed
        self.code = int(code)
        self.P = cp.asarray(params)
        self.Wt = cp.asarray(Wt)
        self.b = cp.asarray(b)

    def tile(self, X, j0, j1, scale, out=None):
        X = cp.ascontiguousarray(cp.asarray(X, dtype=cp.float64))
        M, D = X.shape
        nb = j1 - j0
        if out is None or out.size < M * nb:
            out = cp.empty((M, nb))
        else:
            out = out.reshape(-1)[: M * nb].reshape(M, nb)
        s = cp.asarray(np.ascontiguousarray(scale))
        threads = 256
        blocks = (M * nb + threads - 1) // threads
        _kernel()(
            (blocks,),
            (threads,),
            (
                X,
                self.Wt,
                self.b,
                s,
                self.P,
                out,
                np.int32(M),
                np.int32(D),
                np.int32(self.Wt.shape[1]),
                np.int32(nb),
                np.int32(j0),
                np.int32(self.code),
            ),
        )
        return out
