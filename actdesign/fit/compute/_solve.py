"""Solver choice shared by the fitting paths: one M x M kernel matrix (explicit, or the
Gram of feature tiles) to (alpha, rank, method, spectrum)."""

from __future__ import annotations

from .._options import DENSE_MAX
from ._linalg import dense_spectrum, direct_solve, lowrank_features, lowrank_kernel, spectral_solve
from ._memory import check as check_memory
from ._memory import estimate


class KernelSolve:
    """Mixin of RadonSplineRegressor: the solvers on features or on an explicit kernel.

    Reads ``solver``, ``ridge`` and ``rcond`` of the estimator and appends to ``notes_``.
    Any path that builds an M x M kernel (or a FeatureOperator) solves through here.
    """

    def _kernel_path(self, X, what: str) -> None:
        """Before forming an M x M kernel here: check its memory; say that a client
        (which spreads feature tiles, not kernels) is not used."""
        M, D = X.shape
        check_memory(
            estimate(M, 0, D, solver=self.solver, infinite_radial=True, nb=0),
            self.max_memory,
            what=f"M={M} points at width=inf ({what})",
        )
        if self.client is not None:
            self.notes_.append(f"client= is not used by the {what} kernel: it is formed here")

    def _solve_features(self, op, resid, xp, seed):
        solver = self.solver
        if solver == "auto":
            solver = "eigh" if op.M <= DENSE_MAX else "lowrank"
        if solver == "lowrank":
            spec = lowrank_features(
                op, float(self.rcond), kmax=max(op.M // 4, min(op.M, 256)), seed=(seed,)
            )
            if spec.complete:
                a, rank = spectral_solve(spec, resid, float(self.ridge), float(self.rcond), xp)
                return a, rank, "lowrank", spec
            self.notes_.append("features are not low rank; switched to the dense Gram matrix")
            solver = "direct"
        return self._solve_kernel(op.gram(), resid, xp, solver, seed)

    def _solve_kernel(self, K, resid, xp, solver, seed):
        M = K.shape[0]
        ridge, rcond = float(self.ridge), float(self.rcond)
        if solver == "auto":
            solver = "eigh" if M <= DENSE_MAX else "lowrank"
        if solver == "lowrank":
            spec = lowrank_kernel(K, rcond, xp, kmax=max(M // 4, min(M, 256)), seed=(seed,))
            if spec.complete:
                a, rank = spectral_solve(spec, resid, ridge, rcond, xp)
                return a, rank, "lowrank", spec
            self.notes_.append("kernel is not low rank; switched to a direct solve")
            solver = "direct"
        if solver == "direct":
            x = direct_solve(K, resid, ridge, rcond, xp)
            if x is not None:
                return x, M, "direct", None
            self.notes_.append(
                "kernel is ill-conditioned at this rcond; used its eigendecomposition"
            )
        spec = dense_spectrum(K, xp)
        a, rank = spectral_solve(spec, resid, ridge, rcond, xp)
        return a, rank, "eigh", spec
