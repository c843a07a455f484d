"""FALKON: Nystrom kernel ridge regression by preconditioned conjugate gradient.

With m centres C the fitted function is ``f(x) = K(x, C) a + P(x) b`` (P: the
polynomials of degree < m0 that a conditionally positive definite kernel of order m0
leaves free; none for a positive definite kernel), and (a, b) minimise

    ||y - K_nm a - P_n b||^2 + ridge * a^T K_mm a,      P_m^T a = 0,

the same objective as the dense ``(K + ridge I) alpha = y`` restricted to the span of
the centres: with every point a centre it has the dense solution (Rudi, Carratino and
Rosasco, NeurIPS 2017; Meanti et al., NeurIPS 2020).

* b is eliminated exactly: ``b = S^-1 (P^T y - G^T a)`` with S = P_n^T P_n and
  G = K_mn P_n (both from one pass over the data), so one CG iteration is one pass
  ``K_mn K_nm u`` plus m x q corrections;
* a = Z t with Z an orthonormal basis of {P_m^T a = 0} (q Householder reflectors),
  so the penalty is ``t^T Kt t`` with ``Kt = Z^T K_mm Z`` positive definite;
* preconditioner (FALKON): ``Kt + jitter I = T^T T`` and
  ``(M/m) T T^T + ridge I = A^T A`` (Cholesky, upper); CG runs on
  ``A^-T [T^-T H T^-1 + ridge I] A^-1`` where H is the data term, which is close to the
  identity where ``K_mn K_nm ~ (M/m) K_mm^2``, i.e. when the centres represent the data.
  The jitter (eps * m * mean diag Kt, or eps * m * max |K_mm| with a null space, raised
  tenfold until Cholesky succeeds) is
  reported; as in FALKON the penalty becomes ridge * t^T (Kt + jitter I) t, which moves
  the predictions by about jitter * |a| (1e-10 at ridge 1e-3 with every point a centre).

Stopping rule: the recursive residual of the preconditioned system, relative to its
right-hand side, at most ``tol``; or ``maxiter`` iterations (reported as not converged).
Memory: two m x m arrays at the peak (K_mm and its projection, then T and A), the
data and length-m vectors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from .._errors import FitError
from ..compute._backend import factor_threads

EPS = np.finfo(float).eps


@dataclass
class NystromResult:
    """Output of `falkon`: coefficients and the solver's report."""

    coef: np.ndarray  # a (m,)
    null_coef: np.ndarray | None  # b (q,) or None
    norm: float  # sqrt(a^T K_mm a), the fit's kernel seminorm
    iterations: int  # all CG iterations, restarts included
    restarts: int  # CG restarts with a 1000x larger jitter after a breakdown
    residual: float  # final relative residual of the preconditioned system
    converged: bool
    tol: float
    jitter: float
    seconds: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    @property
    def rule(self) -> str:
        """The stopping rule, as reported in notes_ and fit --json."""
        return f"preconditioned CG residual <= {self.tol:g} x initial (or maxiter reached)"

    def note(self, m: int, M: int) -> str:
        state = "converged" if self.converged else "NOT converged (raise maxiter or ridge)"
        return (
            f"nystrom: {m} centres of {M} points, FALKON preconditioner (jitter "
            f"{self.jitter:.2g}{f', {self.restarts} restarts' if self.restarts else ''}), "
            f"CG {state} in {self.iterations} iterations to relative "
            f"residual {self.residual:.2g} (rule: residual <= {self.tol:g} x initial)"
        )


class _NullSpace:
    """The constraint P_m^T a = 0 as a = Z t, and the exact elimination of b."""

    def __init__(self, Pm):
        from ..compute._linalg import NullSpace

        self.ns = NullSpace(np.array(Pm, dtype=float), np)
        if not self.ns.rank_ok():
            raise FitError(
                "the Nystrom centres do not determine the polynomial null space; use more "
                "centres (CLI: --centres) or points in general position"
            )
        self.q = Pm.shape[1]

    def lift(self, t):
        return self.ns.lift(t)

    def restrict(self, w):
        return self.ns.restrict(w)

    def project(self, K):
        return np.ascontiguousarray(self.ns.project(K))


class _Identity:
    q = 0

    def lift(self, t):
        return t

    def restrict(self, w):
        return w

    def project(self, K):
        return K


def _lower_cholesky(S):
    """L with L L^T = S, overwriting the symmetric C-ordered S (no copy: S.T is
    Fortran-ordered, LAPACK factors it as lower in place); LinAlgError if not definite."""
    with factor_threads(S.shape[0]):
        return linalg.cholesky(S.T, lower=True, overwrite_a=True, check_finite=False)


def _factors(blocks, null, M, ridge, jitter):
    """(T, A, jitter, scale): Kt + jitter I = T^T T and (M/m) T T^T + ridge I = A^T A.

    ``jitter`` None: start at eps * m * scale, where scale is max |K_mm| with a null space
    (Kt's rounding follows K's entries, far larger than Kt's diagonal for a conditionally
    positive definite kernel) or mean diag Kt; raised tenfold until Cholesky succeeds.
    Peak memory two m x m arrays (K_mm is projected and factored in place).
    """
    for _ in range(16):
        K = blocks.gram()
        big = float(np.max(np.abs(K))) if null.q else 0.0
        Kt = null.project(K)
        del K
        m = Kt.shape[0]
        if jitter is None:  # the blocks' rounding: float32 blocks need a float32 jitter
            eps = np.finfo(np.float32).eps if blocks.precision == "float32" else EPS
            scale = max(big, float(np.mean(np.abs(np.diag(Kt)))), 1e-300)
            jitter = eps * blocks.m * scale
        Kt[np.diag_indices(m)] += jitter
        try:
            L = _lower_cholesky(Kt)
        except linalg.LinAlgError:
            jitter *= 10.0
            continue
        del Kt
        # (M/m) T T^T = (M/m) L^T L by syrk: half a matrix product, upper triangle only
        with factor_threads(m):
            A = linalg.blas.dsyrk(M / blocks.m, L, trans=1)
            A[np.diag_indices(m)] += ridge + (0.0 if ridge > 0 else EPS * M * jitter)
            A = linalg.cholesky(A, lower=False, overwrite_a=True, check_finite=False)
        return L.T, A, jitter
    raise FitError(
        "the centres' kernel matrix is not positive definite even with a jitter of "
        f"{jitter:.2g}; the kernel is not positive definite on the centres (duplicates?)"
    )


def falkon(blocks, X, y, *, ridge: float, poly=None, tol: float = 1e-7, maxiter: int = 100,
           bar=None) -> NystromResult:
    """Solve the Nystrom ridge problem of the module docstring.

    Parameters
    ----------
    blocks : `_blocks.Blocks` (or its Dask counterpart)
        The kernel with the centres; ``blocks.C`` are the centres.
    X, y : ndarray (M, D), (M,)
    ridge : float
        lambda of ``(K + ridge I)`` (the dense path's meaning).
    poly : callable or None
        X -> P(X) (M x q), the polynomial null space of a conditionally positive
        definite kernel.
    tol, maxiter : float, int
        Stopping rule (see module docstring).
    bar : progress bar or None
        ``bar.update(1, info=...)`` after each iteration.
    """
    t0 = time.perf_counter()
    M = X.shape[0]
    null = _NullSpace(poly(blocks.C)) if poly is not None else _Identity()
    T, A, jitter = _factors(blocks, null, M, ridge, None)
    t1 = time.perf_counter()

    b0, G, S, Py = blocks.moments(X, y, poly)
    Sf = None
    if G is not None:
        Sf = linalg.cho_factor(S, check_finite=False)
        rhs_m = b0 - G @ linalg.cho_solve(Sf, Py, check_finite=False)
    else:
        rhs_m = b0
    t2 = time.perf_counter()

    def data_term(t):
        u = null.lift(t)
        tp = time.perf_counter()
        w = blocks.pass_(X, u)
        passes[0] += time.perf_counter() - tp
        if G is not None:
            w = w - G @ linalg.cho_solve(Sf, G.T @ u, check_finite=False)
        return null.restrict(w)

    rhs = null.restrict(rhs_m)
    restarts, history, passes = 0, [], [0.0]
    while True:
        x, rel, it, ok = _cg(T, A, ridge, data_term, rhs, tol, maxiter, bar, history)
        if ok or restarts >= 6:
            break
        # rounding in the data term outweighs ridge * jitter along the smallest
        # eigenvalues of Kt (smooth kernels, tiny ridge): a larger jitter regularises them
        del T, A
        restarts = restarts + 1
        T, A, jitter = _factors(blocks, null, M, ridge, 1e3 * jitter)
    if not ok:
        raise FitError(
            f"CG on the Nystrom system broke down (jitter up to {jitter:.2g}); raise the "
            "ridge (CLI: --ridge) or use fewer centres (CLI: --centres)"
        )

    def pre(beta):  # t = T^-1 A^-1 beta
        return linalg.solve_triangular(T, linalg.solve_triangular(A, beta, check_finite=False),
                                       check_finite=False)

    t = pre(x)
    a = null.lift(t)
    # sqrt(a^T K_mm a) = sqrt(t^T Kt t), from the factor: |T t|^2 = t^T (Kt + jitter) t
    norm = float(np.sqrt(max(float(np.sum((T @ t) ** 2)) - jitter * float(t @ t), 0.0)))
    b = None
    if G is not None:
        b = linalg.cho_solve(Sf, Py - G.T @ a, check_finite=False)
    t3 = time.perf_counter()
    return NystromResult(
        coef=a, null_coef=b, norm=norm, iterations=len(history), restarts=restarts,
        residual=float(rel), converged=bool(rel <= tol),
        tol=float(tol), jitter=float(jitter), history=history,
        seconds=dict(preconditioner=t1 - t0, moments=t2 - t1, cg=t3 - t2,
                     per_iteration=(t3 - t2) / max(len(history), 1),
                     per_pass=passes[0] / max(len(history), 1)),
    )


def _cg(T, A, ridge, data_term, rhs, tol, maxiter, bar, history):
    """Conjugate gradient on A^-T T^-T [H + ridge (Kt + jitter)] T^-1 A^-1 beta = A^-T T^-T rhs.

    Returns (beta, relative residual, iterations, ok); ok is False on a breakdown
    (non-positive curvature or a residual 100 times above its best: rounding has made the
    operator indefinite), True otherwise (converged or out of iterations).
    """

    def op(beta):
        # FALKON's penalty ridge * (Kt + jitter): subtracting the jitter again stalls CG
        # on smooth kernels (eigenvalues of Kt below the jitter), so it stays
        Ainv = linalg.solve_triangular(A, beta, check_finite=False)
        t = linalg.solve_triangular(T, Ainv, check_finite=False)
        z = linalg.solve_triangular(T, data_term(t), trans="T", check_finite=False) + ridge * Ainv
        return linalg.solve_triangular(A, z, trans="T", check_finite=False)

    z = linalg.solve_triangular(T, rhs, trans="T", check_finite=False)
    r = linalg.solve_triangular(A, z, trans="T", check_finite=False)
    r0 = float(np.linalg.norm(r))
    x = np.zeros_like(r)
    p, rs = r.copy(), float(r @ r)
    rel, best, it = (0.0 if r0 == 0 else 1.0), 1.0, 0
    while r0 > 0 and rel > tol and it < maxiter:
        Ap = op(p)
        curv = float(p @ Ap)
        if not (curv > 0 and np.isfinite(curv)):
            return x, rel, it, False
        alpha = rs / curv
        x += alpha * p
        r -= alpha * Ap
        rs_new = float(r @ r)
        it += 1
        rel = float(np.sqrt(rs_new) / r0)
        history.append(rel)
        if bar is not None:
            bar.update(1, info=f"residual {rel:.1e}")
        if not rel < 100.0 * best:
            return x, rel, it, False
        best = min(best, rel)
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x, rel, it, True
