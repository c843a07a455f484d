"""Spectral solvers for kernel-regime fits: one factorisation, any ridge or rcond.

Both problems reduce to a symmetric positive semi-definite M x M kernel matrix
``K`` (the normalised Gram ``Psi diag(weights) Psi^T`` of the features, or an
infinite-width kernel) and the solution ``alpha = (K + ridge I)^+ r`` with the
eigenvalues below ``rcond^2 * lambda_max`` dropped (rcond is a relative cutoff on
singular values of the weighted feature matrix, as in lstsq). A `Spectrum` is
obtained one of three ways:

* ``eigh``: dense eigendecomposition of K (the Gram is accumulated tile by tile
  with BLAS syrk, never materialising the M x N feature matrix);
* ``lowrank``: randomized range finding with adaptive rank, directly on the feature
  tiles (finite width: a sketch pass and a TSQR pass, so singular values keep full
  float64 precision) or on an explicit K; used when the numerical rank is far below M;
* ``direct``: Cholesky of K + ridge I, for full-rank problems (no spectrum; rank M).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...infra._progress import progress
from ._backend import PicklableXP, cholesky_solve, is_numpy, qr_r, symmetrize_upper, syrk_update


@dataclass
class Spectrum:
    """Leading eigenpairs of K: ``K ~ vectors @ diag(values) @ vectors.T`` (values descending).

    ``complete`` is True when every eigenvalue above the cutoff it was computed for is
    present (always for ``eigh``).
    """

    vectors: object
    values: object
    complete: bool
    method: str


def spectral_solve(spec: Spectrum, rhs, ridge: float, rcond: float, xp):
    """alpha = sum over kept eigenpairs of u (u.r) / (lambda + ridge); returns (alpha, rank)."""
    vals = spec.values
    top = float(vals[0]) if vals.size else 0.0
    keep = vals > rcond * rcond * top if top > 0 else vals > np.inf  # nothing kept if K = 0
    U = spec.vectors[:, keep]
    c = U.T @ rhs
    alpha = U @ (c / (vals[keep] + ridge))
    return alpha, int(keep.sum())


def dense_spectrum(K, xp) -> Spectrum:
    """All eigenpairs of K (overwrites K)."""
    if is_numpy(xp):
        from scipy.linalg import eigh

        vals, vecs = eigh(K, overwrite_a=True, check_finite=False, driver="evd")
    else:
        vals, vecs = xp.linalg.eigh(K)
    return Spectrum(vecs[:, ::-1], vals[::-1], True, "eigh")


def direct_solve(K, rhs, ridge: float, rcond: float, xp):
    """(K + ridge I)^-1 rhs by Cholesky; None if K + ridge I is (numerically) singular.

    Singular means Cholesky fails or the reciprocal condition estimate is below
    rcond^2, where truncation would have dropped eigenvalues.
    """
    A = K.copy()
    A[xp.diag_indices(A.shape[0])] += ridge
    try:
        x, rc = cholesky_solve(A, rhs, xp)
    except (np.linalg.LinAlgError, ValueError):
        return None
    return None if rc < rcond * rcond else x


# ------------------------------------------------------------------------------------
# finite width: the weighted feature matrix, tile by tile
# ------------------------------------------------------------------------------------
class FeatureOperator(PicklableXP):
    """``A = Psi diag(sqrt(weights))`` (M x N), available only as column tiles."""

    def __init__(self, fmap, X, weights, xp, tile_cols: int):
        self.fmap, self.X, self.xp = fmap, X, xp
        self.sqrtw = np.sqrt(np.asarray(weights, dtype=float))
        self.N = fmap.n_features
        self.M = X.shape[0]
        self.nb = max(1, min(int(tile_cols), self.N))
        self._buf = None

    def tiles(self, label: str = "feature tiles"):
        """(j0, j1, tile) for each column tile; a pass past 2 s reports progress as
        ``fit: LABEL`` (actdesign.infra._progress)."""
        with progress(f"fit: {label}", total=-(-self.N // self.nb), unit="tile") as bar:
            for j0 in range(0, self.N, self.nb):
                j1 = min(self.N, j0 + self.nb)
                self._buf = self.fmap.tile(self.X, j0, j1, self._buf, extra_scale=self.sqrtw)
                yield j0, j1, self._buf
                bar.update(1)

    def gram(self):
        """K = A A^T, accumulated with syrk (upper triangle), then symmetrised."""
        xp = self.xp
        G = xp.zeros((self.M, self.M), order="F")
        for _, _, T in self.tiles("Gram matrix"):
            syrk_update(G, T, xp)
        return symmetrize_upper(G, xp)

    def release(self) -> None:
        """Drop the tile buffer (the operator stays usable)."""
        self._buf = None

    def sketch(self, k: int, seed):
        """Y = A @ Omega for a Gaussian N x k Omega, generated tile by tile from ``seed``."""
        xp = self.xp
        Y = xp.zeros((self.M, k))
        for j0, j1, T in self.tiles("range sketch"):
            Y += T @ xp.asarray(_omega(seed, j0, j1, k))
        return Y

    def power(self, Q):
        """A A^T Q in one pass over the tiles (one step of subspace iteration)."""
        Y = self.xp.zeros_like(Q)
        for _, _, T in self.tiles("power iteration"):
            Y += T @ (T.T @ Q)
        return Y

    def tsqr(self, Q, rows: int = 16384):
        """R factor of A^T Q (N x k), by a streaming QR over blocks of >= ``rows`` rows.

        Blocks span several tiles so that LAPACK sees few, tall problems.
        """
        return streamed_qr_r((T.T @ Q for _, _, T in self.tiles("QR")), rows, self.xp)

    def adjoint_and_apply(self, a):
        """(A^T a, A A^T a) in one pass over the tiles."""
        xp = self.xp
        out = xp.empty(self.N)
        fit = xp.zeros(self.M)
        for j0, j1, T in self.tiles("coefficients"):
            t = T.T @ a
            out[j0:j1] = t
            fit += T @ t
        return out, fit


_OMEGA_BLOCK = 256


def streamed_qr_r(blocks, rows: int, xp):
    """R factor of the row-stack of ``blocks``, by QR of groups of >= ``rows`` rows
    (carrying the running R along), so LAPACK sees few, tall problems."""
    R, pending, n = None, [], 0
    for B in blocks:
        pending.append(B)
        n += B.shape[0]
        if n >= rows:
            R = qr_r(xp.concatenate(pending if R is None else [R, *pending]), xp)
            pending, n = [], 0
    if pending:
        R = qr_r(xp.concatenate(pending if R is None else [R, *pending]), xp)
    return R


def _omega(seed, j0: int, j1: int, k: int):
    """Rows j0:j1 of a Gaussian N x k matrix drawn in fixed blocks of rows, so that the
    sketch (and hence the fit) does not depend on the tile size."""
    b0, b1 = j0 // _OMEGA_BLOCK, (j1 - 1) // _OMEGA_BLOCK + 1
    blocks = [
        np.random.default_rng([*seed, b]).standard_normal((_OMEGA_BLOCK, k)) for b in range(b0, b1)
    ]
    full = np.concatenate(blocks)
    off = j0 - b0 * _OMEGA_BLOCK
    return full[off : off + j1 - j0]


def _grow(k: int, kmax: int) -> int:
    return min(kmax, max(k + 16, int(k * 1.6)))


def lowrank_features(
    op: FeatureOperator, rcond: float, *, k0: int = 128, kmax: int, oversample: int = 24, seed=(0,)
) -> Spectrum:
    """Randomized SVD of the weighted features with adaptive rank.

    The sketch grows (by 1.6x, new columns only) until at least ``oversample`` of its
    singular values fall below ``rcond`` times the largest; one step of subspace
    iteration (a single pass computing A A^T Q) sharpens the singular vectors near the
    cutoff; then one TSQR pass gives the singular values to full precision.
    ``complete`` is False if ``kmax`` was reached first (the caller then falls back to
    the dense Gram).
    """
    xp = op.xp
    kmax = max(1, min(kmax, op.M, op.N))
    k, Y, rnd = 0, None, 0
    while True:
        k_new = min(k0, kmax) if Y is None else _grow(k, kmax) - k
        Yn = op.sketch(k_new, (*seed, rnd))
        Y = Yn if Y is None else xp.concatenate([Y, Yn], axis=1)
        k, rnd = k + k_new, rnd + 1
        s = xp.linalg.svd(qr_r(Y, xp), compute_uv=False)
        need = int((s > rcond * s[0]).sum()) + oversample
        if need <= k or k >= kmax:
            break
    Q, _ = xp.linalg.qr(Y)
    Q, _ = xp.linalg.qr(op.power(Q))
    R = op.tsqr(Q)
    Ur, S, _ = xp.linalg.svd(R.T)
    complete = int((S > rcond * S[0]).sum()) + oversample // 2 <= k or k >= min(op.M, op.N)
    return Spectrum(Q @ Ur, S * S, bool(complete), "lowrank")


# ------------------------------------------------------------------------------------
# explicit kernels (infinite width)
# ------------------------------------------------------------------------------------
def lowrank_kernel(
    K, rcond: float, xp, *, k0: int = 128, kmax: int, oversample: int = 24, seed=(0,)
) -> Spectrum:
    """Randomized eigendecomposition of an explicit PSD K (one power iteration), adaptive rank."""
    M = K.shape[0]
    kmax = max(1, min(kmax, M))
    k = min(k0, kmax)
    rnd = 0
    while True:
        Om = xp.asarray(np.random.default_rng([*seed, rnd]).standard_normal((M, k)))
        Q, _ = xp.linalg.qr(K @ Om)
        Q, _ = xp.linalg.qr(K @ Q)
        B = Q.T @ (K @ Q)
        vals, V = xp.linalg.eigh((B + B.T) / 2)
        vals, V = vals[::-1], V[:, ::-1]
        need = int((vals > rcond * rcond * vals[0]).sum()) + oversample
        if need <= k or k >= kmax:
            return Spectrum(Q @ V, vals, bool(need <= k or k >= M), "lowrank")
        k, rnd = _grow(k, kmax), rnd + 1


def nullspace_basis(X, order: int, xp=np):
    """Monomials of total degree < order in the columns of X (M x q); None if order == 0."""
    if order <= 0:
        return None
    from itertools import combinations_with_replacement

    M, D = X.shape
    cols = [xp.ones(M)]
    for deg in range(1, order):
        for idx in combinations_with_replacement(range(D), deg):
            c = xp.ones(M)
            for i in idx:
                c = c * X[:, i]
            cols.append(c)
    return xp.stack(cols, axis=1)


class NullSpace(PicklableXP):
    """Orthogonal split R^M = range(P) + complement through q Householder reflectors.

    Q^T K Q costs O(q M^2) this way (q is the number of monomials, small), where an
    explicit M x M Q would cost O(M^3).
    """

    def __init__(self, P, xp):
        self.xp, self.q = xp, P.shape[1]
        A = P.copy()
        self.reflectors = []
        for j in range(self.q):
            x = A[j:, j]
            nx = float(xp.linalg.norm(x))
            v = x.copy()
            alpha = -nx if float(x[0]) >= 0 else nx
            v[0] -= alpha
            vv = float(v @ v)
            tau = 2.0 / vv if vv > 0 else 0.0
            A[j:, j:] -= tau * xp.outer(v, v @ A[j:, j:])
            self.reflectors.append((j, v, tau))
        self.R = A[: self.q, : self.q]

    def rank_ok(self) -> bool:
        d = self.xp.abs(self.xp.diagonal(self.R))
        return bool(float(d.min()) > 1e-10 * max(1.0, float(d.max())))

    def _qt(self, r):
        r = r.copy()
        for j, v, tau in self.reflectors:
            r[j:] -= tau * v * (v @ r[j:])
        return r

    def _q(self, r):
        r = r.copy()
        for j, v, tau in reversed(self.reflectors):
            r[j:] -= tau * v * (v @ r[j:])
        return r

    def project(self, K):
        """Q2^T K Q2, the kernel on the complement of the polynomials (K is overwritten)."""
        for j, v, tau in self.reflectors:
            K[j:, :] -= tau * self.xp.outer(v, v @ K[j:, :])
            K[:, j:] -= tau * self.xp.outer(K[:, j:] @ v, v)
        return K[self.q :, self.q :]

    def lift(self, a):
        """alpha = Q2 a."""
        return self._q(self.xp.concatenate([self.xp.zeros(self.q), a]))

    def restrict(self, r):
        """Q2^T r."""
        return self._qt(r)[self.q :]

    def coefficients(self, resid):
        """beta with P beta = resid (resid lies in range(P))."""
        c = self._qt(resid)[: self.q]
        if is_numpy(self.xp):
            from scipy.linalg import solve_triangular
        else:
            from cupyx.scipy.linalg import solve_triangular
        return solve_triangular(self.R, c)
