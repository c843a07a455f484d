"""The width = inf path of the regressor under the Gaussian law (train="v", or s = 0).

The kernel K(x, x') = E[phi(u) phi(v)] over the pre-activations is formed exactly
(`_kernel`: closed forms, or the Mehler series and quadrature with an error
estimate), solved with the shared solvers, and predictions are K(X*, X) alpha. The
route and the kernel's error estimate go to ``notes_`` and ``route_``.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import FitError
from .._options import PREDICT_ROWS
from ..compute._backend import get_xp, to_numpy
from ._kernel import gaussian_kernel


class GaussianFit:
    """Mixin of RadonSplineRegressor: the exact Gaussian-law kernel at width = inf."""

    def _fit_gaussian(self, X, y, act, law, coef_init):
        if coef_init is not None:
            raise FitError("coef_init needs a finite width (theta0 has one entry per neuron)")
        xp = get_xp(self.device)
        self._kernel_path(X, "exact Gaussian-law")
        kern = gaussian_kernel(act, X, None, law)
        self.notes_.append(kern.note())
        self.kernel_error_ = kern.error
        K = xp.asarray(kern.matrix)
        seed = int(self._rng().integers(2**31))
        alpha, rank, method, spec = self._solve_kernel(K, xp.asarray(y), xp, self.solver, seed)
        self._state = dict(
            path="gaussian", spec=spec, K=K, y=y, X=X, xp=xp, rcond=float(self.rcond)
        )
        self.X_fit_ = None
        self.route_ = kern.route
        self._finish_gaussian(alpha, rank, method)

    def _refit_gaussian(self, spec, ridge, rcond):
        from ..compute._linalg import spectral_solve

        st = self._state
        a, rank = spectral_solve(spec, st["xp"].asarray(st["y"]), ridge, rcond, st["xp"])
        self._finish_gaussian(a, rank, spec.method)

    def _finish_gaussian(self, alpha, rank, method):
        st = self._state
        Ka = st["K"] @ alpha
        self.dual_coef_ = to_numpy(alpha)
        self.null_coef_ = None
        norm = math.sqrt(max(float(to_numpy(alpha @ Ka)), 0.0))
        self._report(st["y"], to_numpy(Ka), rank, method, len(st["y"]), norm)

    def _predict_gaussian(self, X):
        Xf = self._state["X"]
        out = np.empty(X.shape[0])
        rows = max(1, min(PREDICT_ROWS, (64 * 2**20) // (8 * Xf.shape[0])))
        for i0 in range(0, X.shape[0], rows):
            Xi = X[i0 : i0 + rows]
            K = gaussian_kernel(self.activation_, Xi, Xf, self.law_)
            out[i0 : i0 + Xi.shape[0]] = K.matrix @ self.dual_coef_
        return out
