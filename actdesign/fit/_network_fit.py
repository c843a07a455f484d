"""The finite-width path of the regressor, and infinite width through quadrature nodes.

The hidden layer is N sampled neurons (or N quadrature nodes with their weights); the
fit solves on the weighted feature matrix ``A = Psi diag(sqrt(weights))``, which is
only ever available as column tiles (`._linalg.FeatureOperator`).
"""

from __future__ import annotations

import math

import numpy as np

from ._catalog import recognize
from ._errors import DataError, FitError
from ._infinite import null_order
from ._laws import GaussianLaw, UniformLaw
from ._options import PREDICT_ROWS, QUADRATURE, QUADRATURE_HIGH_D, cpu_backend
from .compute._backend import get_xp, to_numpy
from .compute._features import FeatureMap, compile_activation, zbound
from .compute._linalg import FeatureOperator, spectral_solve
from .compute._memory import check as check_memory
from .compute._memory import estimate, tile_columns


class NetworkFit:
    """Mixin of RadonSplineRegressor: fit and predict through the feature tiles."""

    def _fit_network(self, X, y, act, law, width, coef_init):
        xp = get_xp(self.device)
        M, D = X.shape
        rng = self._rng()
        if width == math.inf:
            self._check_moments(law, act, D)
            q = self._quadrature(law, X, act)
            neurons = law.radon_nodes(X, **q) if q.pop("radon", False) else law.nodes(X, **q)
            self.notes_.append(f"infinite width by quadrature over {neurons.n} nodes")
        else:
            neurons = None
        N = width if neurons is None else neurons.n
        nb = tile_columns(M, self.tile)
        check_memory(
            estimate(M, N, D, solver=self.solver, infinite_radial=False, nb=nb),
            self.max_memory,
            what=f"M={M} points and N={N} features",
        )
        if neurons is None:
            neurons = law.sample(width, X, y, rng)
        W, b, wts = neurons.w, neurons.b, neurons.weights
        omega = np.linalg.norm(W, axis=1)
        scale = omega ** (-self.degree_) if self.train == "mu" and self.degree_ else np.ones(N)
        kern = compile_activation(act, zbound(X, W, b))
        self.notes_.extend(kern.notes)
        fmap = FeatureMap(kern, W, b, scale, "cupy" if xp is not np else cpu_backend())
        Xd = xp.asarray(X)
        theta0 = self._theta0(coef_init, N)
        resid = xp.asarray(y) - (self._apply(fmap, Xd, xp.asarray(theta0)) if theta0.any() else 0.0)
        op = self._operator(fmap, Xd, wts, xp, nb)
        alpha, rank, method, spec = self._solve_features(op, resid, xp, int(rng.integers(2**31)))
        self._fmap, self.neuron_weights_ = fmap, wts
        self.w_, self.b_ = W, b
        self.xi_, self.gamma_, self.omega_ = neurons.radon()
        self.route_ = kern.route
        self._state = dict(
            path="network",
            spec=spec,
            op=op,
            resid=resid,
            y=y,
            theta0=theta0,
            xp=xp,
            rcond=float(self.rcond),
        )
        self._finish_network(alpha, rank, method)

    def _operator(self, fmap, X, wts, xp, nb):
        """The weighted feature operator: local, or tiles on the dask cluster of ``client``."""
        if self.client is None:
            return FeatureOperator(fmap, X, wts, xp, nb)
        if xp is not np:
            raise FitError("client= runs the CPU kernels on the workers; use device='cpu'")
        from .compute._dask import DaskFeatureOperator

        return DaskFeatureOperator(fmap, X, wts, nb, self.client)

    def _refit_network(self, spec, ridge, rcond):
        st = self._state
        a, rank = spectral_solve(spec, st["resid"], ridge, rcond, st["xp"])
        self._finish_network(a, rank, spec.method)

    def _finish_network(self, alpha, rank, method):
        st = self._state
        op, wts, y = st["op"], self.neuron_weights_, st["y"]
        adj, fit_k = op.adjoint_and_apply(alpha)
        op.release()
        step = to_numpy(adj) * np.sqrt(wts)
        theta = st["theta0"] + step
        self.coef_ = theta
        self.dual_coef_ = to_numpy(alpha)
        self.null_coef_ = None
        om, s = self.omega_, self.degree_
        self.mu_, self.v_ = (theta, theta / om**s) if self.train == "mu" else (theta * om**s, theta)
        fit = y - to_numpy(st["resid"]) + to_numpy(fit_k)
        if self.width_ == math.inf:  # the kernel seminorm sqrt(alpha^T K alpha)
            norm = float(np.linalg.norm(step / np.sqrt(wts)))
        else:
            norm = float(np.linalg.norm(theta))
        self._report(y, fit, rank, method, len(y), norm)

    def _check_moments(self, law, act, D):
        """Gaussian law, train mu: E[phi(xi.x - gamma)^2] needs E|gamma|^(2p) (gamma ~ t_D)."""
        if isinstance(law, GaussianLaw) and self.train == "mu" and self.degree_ > 0:
            p = null_order(act) - 1
            if p > 0 and D <= 2 * p:
                raise FitError(
                    f"the width=inf kernel of train='mu' under the Gaussian law is "
                    f"infinite here: gamma ~ t_{D} has no moment of order {2 * p}; use "
                    "train='v', a finite width, or the uniform law"
                )

    def _quadrature(self, law, X, act):
        D = X.shape[1]
        q = dict(QUADRATURE.get(D, QUADRATURE_HIGH_D))
        q.update(self.quadrature or {})
        if isinstance(law, UniformLaw):
            rec = recognize(act.phi, act)
            kinks = rec.kinks if rec is not None else ()
            return dict(n_sphere=q["n_sphere"], panel=2 * law.radius / q["panels"], kinks=kinks)
        if isinstance(law, GaussianLaw):  # train="mu", s > 0 (else the exact kernel path)
            return dict(n_sphere=q["n_sphere"], panels=q.get("panels", 128), radon=True)
        raise FitError(f"width=inf is not defined for the {law.name} law; give a finite width")

    def _theta0(self, coef_init, N):
        if coef_init is None:
            return np.zeros(N)
        t = np.asarray(coef_init, dtype=float).ravel()
        if t.size != N or not np.all(np.isfinite(t)):
            raise DataError(
                f"coef_init must hold {N} finite numbers (one per neuron), got {t.size}"
            )
        return t

    def _apply(self, fmap, X, theta):
        """Psi(X) @ theta, tile by tile."""
        xp = get_xp(self.device) if fmap.backend == "cupy" else np
        out = xp.zeros(X.shape[0])
        nb = tile_columns(X.shape[0], self.tile)
        buf = None
        for j0 in range(0, fmap.n_features, nb):
            j1 = min(fmap.n_features, j0 + nb)
            buf = fmap.tile(X, j0, j1, buf)
            out += buf @ theta[j0:j1]
        return out

    def _predict_network(self, X):
        fmap = self._fmap
        fmap.ensure_covers(X)
        xp = get_xp(self.device)
        theta = xp.asarray(self.coef_)
        out = np.empty(X.shape[0])
        for i0 in range(0, X.shape[0], PREDICT_ROWS):
            rows = xp.asarray(X[i0 : i0 + PREDICT_ROWS])
            out[i0 : i0 + rows.shape[0]] = to_numpy(self._apply(fmap, rows, theta))
        return out
