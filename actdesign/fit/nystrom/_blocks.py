"""Row blocks of the kernel between the data and the Nystrom centres, never stored whole.

A `Blocks` object knows one kernel and the m centres C; it evaluates
``K(X_b, C)`` for a block of rows X_b and runs the three passes of the solver over
all M points, one block at a time (memory: one block, 32 MiB, plus length-m vectors):

* `Blocks.moments`: ``K_nm^T y``, ``K_nm^T P`` and ``P^T P``, ``P^T y`` for the
  polynomial null space P (once per fit);
* `Blocks.pass_`: ``K_nm^T (K_nm u)``, both products from one evaluation of each
  block (once per CG iteration);
* `Blocks.apply`: ``K(X, C) a`` (training fit and predictions).

Kernels: `RadialBlocks` (uniform law, R = inf: the tabulated radial kernel, with
a fused numba pass), `GaussianBlocks` (Gaussian law, the exact kernel of
`gaussian_kernel`) and `FeatureBlocks` (finite width or quadrature nodes:
``A(X_b) A(C)^T`` with the weighted features A of `._features`).
``precision="float32"`` rounds each block to float32 for its two products and
accumulates the block sums in float64.
"""

from __future__ import annotations

import numpy as np

BLOCK_BYTES = 32 * 2**20
PRECISIONS = ("float64", "float32")


class Blocks:
    """K(X, C) by row blocks for fixed centres C (m, D). Subclasses define `block`."""

    portable = False  # whether the object can be shipped to dask workers
    fused = False

    def __init__(self, C, precision: str = "float64"):
        self.C = np.ascontiguousarray(C, dtype=float)
        self.m = self.C.shape[0]
        self.precision = precision

    def block(self, Xb):
        raise NotImplementedError

    def gram(self):
        """K_mm (symmetrised)."""
        K = self.block(self.C)
        return (K + K.T) / 2

    def rows(self, width: int | None = None) -> int:
        """Rows per block: a block of about BLOCK_BYTES."""
        return int(max(1, BLOCK_BYTES // (8 * max(width or self.m, 1))))

    def _blocks(self, X):
        r = self.rows()
        for i0 in range(0, X.shape[0], r):
            yield i0, min(X.shape[0], i0 + r)

    def _cast(self, K):
        return K.astype(np.float32) if self.precision == "float32" else K

    # --- passes ----------------------------------------------------------------------
    def moments(self, X, y, poly=None):
        """(K_nm^T y, K_nm^T P, P^T P, P^T y); the last three are None without P."""
        b0 = np.zeros(self.m)
        G = S = Py = None
        for i0, i1 in self._blocks(X):
            K = self.block(X[i0:i1])
            b0 += K.T @ y[i0:i1]
            if poly is not None:
                P = poly(X[i0:i1])
                G = K.T @ P if G is None else G + K.T @ P
                S = P.T @ P if S is None else S + P.T @ P
                Py = P.T @ y[i0:i1] if Py is None else Py + P.T @ y[i0:i1]
        return b0, G, S, Py

    def pass_(self, X, u):
        """K_nm^T (K_nm u), one evaluation per block."""
        w = np.zeros(self.m)
        uu = self._cast(u)
        for i0, i1 in self._blocks(X):
            K = self._cast(self.block(X[i0:i1]))
            w += (K.T @ (K @ uu)).astype(float)
        return w

    def apply(self, X, a):
        """K(X, C) a, streamed over row blocks."""
        out = np.empty(X.shape[0])
        for i0, i1 in self._blocks(X):
            out[i0:i1] = self.block(X[i0:i1]) @ a
        return out

    def diagonal(self, X):
        """k(x, x) for each row (leverage scores); None where not available."""
        return None


class RadialBlocks(Blocks):
    """kappa(|x - c|) of a `._infinite.RadialKernel` (uniform law, R = inf)."""

    def __init__(self, radial, C, precision="float64", backend="numba"):
        super().__init__(C, precision)
        self.r0, self.inv_dr = float(radial.r0), 1.0 / radial.dr
        self.values = np.ascontiguousarray(radial.values)
        self.rmax = radial.rmax
        self.exact = radial.G if radial.exact else None  # 1-D closed form: G itself
        self.backend = backend
        self.fused = backend == "numba" and self.exact is None and precision == "float64"
        self.portable = self.exact is None
        self.CT = np.ascontiguousarray(self.C.T)
        self._coef = None

    def coef(self):
        """The cubic table of the fused kernels (built on first use)."""
        if self._coef is None:
            from ._numba import cubic_table

            self._coef = cubic_table(self.values)
        return self._coef

    def block(self, Xb):
        Xb = np.ascontiguousarray(Xb, dtype=float)
        if self.exact is not None:
            return np.asarray(self.exact(Xb[:, 0][:, None] - self.C[:, 0][None, :]), dtype=float)
        out = np.empty((Xb.shape[0], self.m))
        if self.backend == "numba":
            from ..compute._numba_kernels import radial

            radial(Xb, self.C, self.r0, self.inv_dr, self.values, out)
            return out
        d = np.sqrt(np.maximum(0.0, ((Xb[:, None, :] - self.C[None, :, :]) ** 2).sum(-1)))
        return np.interp(d, self.r0 + np.arange(self.values.size) / self.inv_dr, self.values)

    def moments(self, X, y, poly=None):
        if not self.fused or poly is not None:
            return super().moments(X, y, poly)
        from ._numba import pass_sum

        X = np.ascontiguousarray(X, dtype=float)  # K_nm^T y: the fused pass with u = 0, v = y
        b0, _ = pass_sum(X, self.CT, np.zeros(self.m), np.ascontiguousarray(y, dtype=float),
                         self.r0, self.inv_dr, self.coef())
        return b0, None, None, None

    def pass_(self, X, u):
        if not self.fused:
            return super().pass_(X, u)
        from ._numba import pass_sum

        X = np.ascontiguousarray(X, dtype=float)
        w, _ = pass_sum(X, self.CT, u, np.zeros(X.shape[0]), self.r0, self.inv_dr, self.coef())
        return w

    def apply(self, X, a):
        if self.exact is not None or self.backend != "numba":
            return super().apply(X, a)
        from ._numba import radial_apply

        out = np.empty(X.shape[0])
        radial_apply(np.ascontiguousarray(X, dtype=float), self.CT, np.ascontiguousarray(a),
                     self.r0, self.inv_dr, self.coef(), out)
        return out

    def diagonal(self, X):
        return np.full(X.shape[0], float(self.block(self.C[:1])[0, 0]))


class GaussianBlocks(Blocks):
    """E[phi(u) phi(v)] under a Gaussian law (closed form or the numeric route)."""

    def __init__(self, act, law, C, precision="float64"):
        super().__init__(C, precision)
        self.act, self.law = act, law
        self.error = 0.0
        self.portable = True  # the Activation pickles (its formula, not compiled code)

    def rows(self, width=None):
        # the closed forms hold about ten float arrays per entry while they run
        return int(max(1, BLOCK_BYTES // (80 * max(self.m, 1))))

    def block(self, Xb):
        from ..gaussian._kernel import gaussian_kernel

        K = gaussian_kernel(self.act, Xb, self.C, self.law)
        self.error = max(self.error, K.error)
        return K.matrix

    def gram(self):
        from ..gaussian._kernel import gaussian_kernel

        K = gaussian_kernel(self.act, self.C, None, self.law)
        self.error = max(self.error, K.error)
        return K.matrix


class FeatureBlocks(Blocks):
    """``A(X_b) A(C)^T`` with A = features times sqrt(weights) (finite width, quadrature)."""

    def __init__(self, fmap, sqrtw, C, precision="float64"):
        super().__init__(C, precision)
        self.fmap, self.sqrtw = fmap, np.asarray(sqrtw, dtype=float)
        self.N = fmap.n_features
        self.ACt = np.ascontiguousarray(self.features(self.C).T)  # N x m
        self.portable = fmap.backend == "numba"

    def features(self, Xb):
        return self.fmap.tile(np.ascontiguousarray(Xb), 0, self.N, extra_scale=self.sqrtw)

    def rows(self, width=None):
        return super().rows(max(self.m, self.N))

    def block(self, Xb):
        return self.features(Xb) @ self.ACt

    def gram(self):
        K = self.ACt.T @ self.ACt
        return (K + K.T) / 2

    def diagonal(self, X):
        out = np.empty(X.shape[0])
        for i0, i1 in self._blocks(X):
            A = self.features(X[i0:i1])
            out[i0:i1] = np.einsum("ij,ij->i", A, A)
        return out
