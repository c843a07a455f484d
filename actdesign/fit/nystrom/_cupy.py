"""cupy path of the Nystrom blocks: the radial kernel evaluated on the GPU.

The CUDA source mirrors `_numba._row` (the same cubic table per interval,
the same arithmetic in float64); the two products of a pass run as cupy matrix-vector
products on the block, which lives on the device only while it is used. Imported only
with ``device="gpu"``.
"""

from __future__ import annotations

import cupy as cp
import numpy as np

from .._cuda import cuda_function
from ._blocks import RadialBlocks

_SOURCE = r"""
extern "C" __global__ void radial_block(const double* X, const double* CT, const double* coef,
                                        double* out, int rows, int m, int D, int last,
                                        double r0, double inv_dr) {
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)rows * m) return;
    int i = (int)(idx / m), j = (int)(idx % m);
    double s = 0.0;
    for (int d = 0; d < D; d++) {
        double t = X[(long long)i * D + d] - CT[(long long)d * m + j];
        s += t * t;
    }
    double u = (sqrt(s) - r0) * inv_dr;
    int k = (int)u - 1;
    k = k < 0 ? 0 : (k > last ? last : k);
    double g = u - k - 1.0;
    const double* c = coef + 4 * (long long)k;
    out[idx] = c[0] + g * (c[1] + g * (c[2] + g * c[3]));
}
"""

_kernel = cuda_function(_SOURCE, "radial_block")


class GpuRadialBlocks(RadialBlocks):
    """RadialBlocks whose blocks are computed and multiplied on the GPU."""

    def __init__(self, radial, C, precision="float64"):
        super().__init__(radial, C, precision, backend="cupy")
        if self.exact is not None:
            from .._errors import DeviceError

            raise DeviceError("the 1-D closed-form kernel has no GPU path; use device='cpu'")
        self.fused = False
        self._dev = None

    def _device(self):
        if self._dev is None:
            self._dev = (cp.asarray(self.CT), cp.asarray(self.coef()))
        return self._dev

    def rows(self, width=None):
        return int(max(1, (256 * 2**20) // (8 * max(self.m, 1))))  # 256 MiB device blocks

    def device_block(self, Xb):
        CT, coef = self._device()
        Xd = cp.ascontiguousarray(cp.asarray(Xb, dtype=cp.float64))
        rows, D = Xd.shape
        out = cp.empty((rows, self.m))
        threads = 256
        _kernel()(
            ((rows * self.m + threads - 1) // threads,), (threads,),
            (Xd, CT, coef, out, np.int32(rows), np.int32(self.m), np.int32(D),
             np.int32(coef.shape[0] - 1), np.float64(self.r0), np.float64(self.inv_dr)),
        )
        return out.astype(cp.float32) if self.precision == "float32" else out

    def block(self, Xb):
        return cp.asnumpy(self.device_block(Xb)).astype(float)

    def pass_(self, X, u):
        ud = cp.asarray(u, dtype=cp.float32 if self.precision == "float32" else cp.float64)
        w = cp.zeros(self.m)
        for i0, i1 in self._blocks(X):
            K = self.device_block(X[i0:i1])
            w += (K.T @ (K @ ud)).astype(cp.float64)
        return cp.asnumpy(w)

    def apply(self, X, a):
        ad = cp.asarray(a)
        out = np.empty(X.shape[0])
        for i0, i1 in self._blocks(X):
            out[i0:i1] = cp.asnumpy(self.device_block(X[i0:i1]).astype(cp.float64) @ ad)
        return out

    def __getstate__(self):  # device arrays do not travel
        d = dict(self.__dict__)
        d["_dev"] = None
        return d
