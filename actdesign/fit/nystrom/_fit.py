"""The Nystrom path of the regressor (``solver="nystrom"``, or chosen by ``"auto"``).

Every kernel of the estimator is served: the uniform law at R = inf (the radial kernel
with its polynomial null space), the Gaussian law's exact kernel, and the feature
kernels (finite width, or quadrature nodes at width = inf, as ``A(x) A(c)^T``). m
centres are drawn from the data (uniformly, or by approximate ridge leverage scores)
and `_falkon.falkon` solves; the kernel is only ever evaluated in row blocks
(`_blocks`), so memory is O(M + m^2).

Options (the ``nystrom`` dict of the estimator): ``sampling`` ("uniform" or
"leverage"), ``tol`` (1e-7), ``maxiter`` (100), ``precision`` ("float64" or
"float32": float32 blocks, float64 accumulation).
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from .._errors import FitError
from ..compute._backend import factor_threads
from ..compute._memory import available_bytes, check, estimate, parse_size, tile_columns
from ._blocks import BLOCK_BYTES, PRECISIONS

NYSTROM_DEFAULTS = dict(sampling="uniform", tol=1e-7, maxiter=100, precision="float64")
SAMPLINGS = ("uniform", "leverage")


def default_centres(M: int) -> int:
    """m when none is given: 10 sqrt(M), at least 1000, at most 10 000 (and at most M)."""
    return int(min(M, max(1000, min(10_000, round(10 * math.sqrt(M))))))


def nystrom_options(opts) -> dict:
    """The ``nystrom`` dict with defaults filled in, checked (FitError names the bad key)."""
    out = dict(NYSTROM_DEFAULTS)
    for k, v in dict(opts or {}).items():
        if k not in out:
            raise FitError(f"unknown nystrom option {k!r}; known: {', '.join(out)}")
        out[k] = v
    if out["sampling"] not in SAMPLINGS:
        raise FitError(f"nystrom sampling must be one of {SAMPLINGS}, got {out['sampling']!r}")
    if out["precision"] not in PRECISIONS:
        raise FitError(f"nystrom precision must be one of {PRECISIONS}, got {out['precision']!r}")
    if not (isinstance(out["tol"], (int, float)) and 0 < out["tol"] < 1):
        raise FitError(f"nystrom tol must be in (0, 1), got {out['tol']!r}")
    if not (isinstance(out["maxiter"], int) and out["maxiter"] >= 1):
        raise FitError(f"nystrom maxiter must be an integer >= 1, got {out['maxiter']!r}")
    return out


class NystromFit:
    """Mixin of RadonSplineRegressor: the FALKON solver and streamed predictions."""

    def _nystrom_wanted(self, X, width, feature_path: bool) -> bool:
        """True for solver="nystrom"; for "auto" when the dense path exceeds the budget."""
        if self.solver == "nystrom":
            return True
        if self.solver != "auto":
            return False
        M, D = X.shape
        N = width if feature_path and math.isfinite(width) else 0
        nb = tile_columns(M, self.tile)
        est = estimate(M, N, D, solver="auto", infinite_radial=not feature_path, nb=nb)
        budget = parse_size(self.max_memory) if self.max_memory is not None else available_bytes()
        if est <= budget:
            return False
        self.notes_.append(
            f"solver='auto' chose nystrom: the dense path needs about {est / 2**30:.2f} GiB "
            f"of the {budget / 2**30:.2f} GiB budget"
        )
        return True

    def _fit_nystrom(self, X, y, act, law, width, kind, coef_init):
        from ...infra._progress import progress
        from ._falkon import falkon

        if coef_init is not None:
            raise FitError("coef_init is not supported by solver='nystrom'; use another solver")
        opts = nystrom_options(getattr(self, "nystrom", None))
        M, D = X.shape
        m = getattr(self, "centres", None)
        m = default_centres(M) if m is None else int(m)
        if not 1 <= m <= M:
            raise FitError(f"centres must be between 1 and the {M} points, got {m}")
        rng = self._rng()
        factory, poly = self._nystrom_kernel(X, y, act, law, width, kind, opts, rng)
        extra = 8 * m * getattr(self, "_ny_features", 0)
        block = 8 * m * min(M, max(1, BLOCK_BYTES // (8 * m)))
        check(
            8 * M * (D + 4) + 2 * 8 * m * m + 2 * block + extra,
            self.max_memory,
            what=f"the Nystrom solve with m={m} centres (fewer: --centres)",
        )
        idx = self._nystrom_centres(X, m, rng, opts, factory, poly)
        blocks = factory(X[idx])
        if self.client is not None:
            from ._dask import DaskBlocks

            blocks = DaskBlocks(blocks, X, self.client)
        with progress("fit: CG", total=opts["maxiter"], unit="it") as bar:
            res = falkon(blocks, X, y, ridge=float(self.ridge), poly=poly, tol=float(opts["tol"]),
                         maxiter=int(opts["maxiter"]), bar=bar)
        fit = blocks.apply(X, res.coef)
        if hasattr(blocks, "release"):
            blocks.release()
            blocks = blocks.local
        if poly is not None:
            fit = fit + poly(X) @ res.null_coef
        self._ny_blocks, self._ny_poly = blocks, poly
        self.centres_, self.centre_index_ = X[idx], idx
        self.dual_coef_, self.null_coef_ = res.coef, res.null_coef
        self.notes_.append(res.note(m, M))
        if not res.converged:
            self.notes_.append(
                f"CG stopped at maxiter={opts['maxiter']} above its tolerance {opts['tol']:g}"
            )
        if getattr(blocks, "error", 0.0):
            self.kernel_error_ = blocks.error
        self.nystrom_ = dict(
            centres=m, sampling=opts["sampling"], precision=opts["precision"],
            iterations=res.iterations, restarts=res.restarts, residual=res.residual,
            converged=res.converged,
            tol=res.tol, maxiter=int(opts["maxiter"]), stopping_rule=res.rule,
            jitter=res.jitter, seconds=res.seconds,
        )
        self._state = dict(path="nystrom", spec=None, rcond=float(self.rcond))
        self.coef_norm_ = res.norm  # the kernel seminorm sqrt(a^T K_mm a)
        self._nystrom_coefficients(blocks, res.coef)
        self.rank_ = m
        self.ridge_, self.rcond_, self.solver_ = float(self.ridge), float(self.rcond), "nystrom"
        self.train_rmse_ = float(np.sqrt(np.mean((fit - y) ** 2)))

    # --- kernels ------------------------------------------------------------------------
    def _nystrom_kernel(self, X, y, act, law, width, kind, opts, rng):
        """(centres -> Blocks, polynomial basis or None) for the estimator's kernel."""
        from .._options import cpu_backend
        from ..compute._linalg import nullspace_basis
        from ._blocks import GaussianBlocks, RadialBlocks

        prec = opts["precision"]
        self._ny_features = 0
        if kind == "radial":
            self._radial_setup(act, law, X)
            order = self.null_order_ or 0
            self.route_ = self._g_route
            radial, backend = self._radial, cpu_backend()
            poly = partial(nullspace_basis, order=order) if order > 0 else None
            if self.device == "gpu":
                from ..compute._backend import get_xp

                get_xp("gpu")  # a DeviceError with the fix when cupy or a device is missing
                from ._cupy import GpuRadialBlocks

                return (lambda C: GpuRadialBlocks(radial, C, prec)), poly
            return (lambda C: RadialBlocks(radial, C, prec, backend)), poly
        if self.device == "gpu":
            self.notes_.append("device='gpu': the Nystrom blocks of this kernel run on the CPU")
        if kind == "gaussian":
            from ..gaussian._kernel import NUMERIC_ROUTE, match

            self.route_ = f"the closed form of {match(act).name!r}" if match(act) else NUMERIC_ROUTE
            return (lambda C: GaussianBlocks(act, law, C, prec)), None
        return self._nystrom_features(X, y, act, law, width, prec, rng), None

    def _nystrom_features(self, X, y, act, law, width, prec, rng):
        from .._options import cpu_backend
        from ..compute._features import FeatureMap, compile_activation, zbound
        from ._blocks import FeatureBlocks

        if width == math.inf:
            self._check_moments(law, act, X.shape[1])
            q = self._quadrature(law, X, act)
            neurons = law.radon_nodes(X, **q) if q.pop("radon", False) else law.nodes(X, **q)
            self.notes_.append(f"infinite width by quadrature over {neurons.n} nodes")
        else:
            neurons = law.sample(width, X, y, rng)
        W, b, wts = neurons.w, neurons.b, neurons.weights
        omega = np.linalg.norm(W, axis=1)
        N = W.shape[0]
        scale = omega ** (-self.degree_) if self.train == "mu" and self.degree_ else np.ones(N)
        kern = compile_activation(act, zbound(X, W, b))
        self.notes_.extend(kern.notes)
        fmap = FeatureMap(kern, W, b, scale, cpu_backend())
        self._ny_features = N
        self._fmap, self.neuron_weights_ = fmap, wts
        self.w_, self.b_ = W, b
        self.xi_, self.gamma_, self.omega_ = neurons.radon()
        self.route_ = kern.route
        return lambda C: FeatureBlocks(fmap, np.sqrt(wts), C, prec)

    def _nystrom_coefficients(self, blocks, a):
        """Finite width / quadrature: theta = sqrt(w) * A(C)^T a on the neurons."""
        if not hasattr(blocks, "ACt"):
            return
        theta = np.sqrt(self.neuron_weights_) * (blocks.ACt @ a)
        self.coef_ = theta
        if math.isfinite(self.width_):  # as the other solvers report it: |theta|
            self.coef_norm_ = float(np.linalg.norm(theta))
        om, s = self.omega_, self.degree_
        self.mu_, self.v_ = (theta, theta / om**s) if self.train == "mu" else (theta * om**s, theta)

    # --- centres ------------------------------------------------------------------------
    def _nystrom_centres(self, X, m, rng, opts, factory, poly):
        """Indices of the m centres: a uniform subsample, or ridge-leverage sampling."""
        M = X.shape[0]
        if m == M:
            return np.arange(M)
        if opts["sampling"] == "uniform":
            return np.sort(rng.choice(M, m, replace=False))
        if poly is not None:
            raise FitError(
                "leverage-score centres need a positive definite kernel, and this one has a "
                "polynomial null space; use centre sampling 'uniform'"
            )
        pilot = factory(X[np.sort(rng.choice(M, m, replace=False))])
        diag = pilot.diagonal(X)
        if diag is None:
            raise FitError("leverage-score centres are not available for this kernel; use "
                           "centre sampling 'uniform'")
        scores = _ridge_leverage(pilot, X, diag, float(self.ridge))
        p = 0.5 * scores / max(scores.sum(), 1e-300) + 0.5 / M  # half uniform: never zero
        self.notes_.append("centres drawn by approximate ridge leverage scores (uniform pilot)")
        return np.sort(rng.choice(M, m, replace=False, p=p / p.sum()))

    # --- prediction ---------------------------------------------------------------------
    def _predict_nystrom(self, X):
        blocks = self._ny_blocks
        if hasattr(blocks, "rmax"):  # radial table: extend it if X reaches further
            C = blocks.C
            lo, hi = np.minimum(X.min(0), C.min(0)), np.maximum(X.max(0), C.max(0))
            if float(np.linalg.norm(hi - lo)) > blocks.rmax and blocks.exact is None:
                from ._blocks import RadialBlocks

                self._radial = self._radial_kernel(self.activation_, X, C, 1.5)
                blocks = RadialBlocks(self._radial, C, blocks.precision, blocks.backend)
                self._ny_blocks = blocks
        if hasattr(blocks, "fmap"):
            blocks.fmap.ensure_covers(X)
        out = np.empty(X.shape[0])
        rows = max(1, (64 * 2**20) // (8 * max(blocks.m, 1)))
        for i0 in range(0, X.shape[0], rows):  # a million points: streamed in row blocks
            Xi = X[i0 : i0 + rows]
            f = blocks.apply(Xi, self.dual_coef_)
            if self._ny_poly is not None:
                f = f + self._ny_poly(Xi) @ self.null_coef_
            out[i0 : i0 + Xi.shape[0]] = f
        return out


def _ridge_leverage(pilot, X, diag, ridge):
    """k(x,x) - k(x,S) (K_SS + lam I)^-1 k(S,x) for every row (>= 0): the Nystrom residual
    of the pilot S, proportional to the ridge leverage score at lam."""
    from scipy import linalg

    K = pilot.gram()
    lam = max(ridge, 1e-6 * float(np.trace(K)) / K.shape[0])
    K[np.diag_indices_from(K)] += lam
    with factor_threads(K.shape[0]):
        L = linalg.cholesky(K, lower=True, check_finite=False)
    out = np.empty(X.shape[0])
    for i0, i1 in pilot._blocks(X):
        V = linalg.solve_triangular(L, pilot.block(X[i0:i1]).T, lower=True, check_finite=False)
        out[i0:i1] = diag[i0:i1] - np.einsum("ij,ij->j", V, V)
    return np.maximum(out, 0.0)
