"""The width = inf, radius = inf path of the regressor: an explicit radial kernel.

The kernel is ``kappa(|x - x'|) = E_xi G(xi.(x - x'))`` (theory.md §3), conditionally
positive definite of order m = null_order; the polynomials of degree < m are fitted
exactly through a `._linalg.NullSpace` and the kernel is solved on their
complement. Other explicit-kernel paths can follow the same pattern: build K, solve
with ``self._solve_kernel`` (`._solve`), store ``path`` in ``self._state`` and
provide ``_refit_<path>``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._catalog import recognize
from ._errors import FitError
from ._infinite import NumericAutocorrelation, RadialKernel, null_order
from ._options import PREDICT_ROWS
from .compute._backend import get_xp, to_numpy
from .compute._linalg import NullSpace, nullspace_basis, spectral_solve


class RadialFit:
    """Mixin of RadonSplineRegressor: fit and predict with the R = inf radial kernel."""

    def _fit_radial(self, X, y, act, law):
        xp = get_xp(self.device)
        M, D = X.shape
        self._kernel_path(X, "radius=inf radial")
        self._radial_setup(act, law, X)
        P = nullspace_basis(X, self.null_order_)
        resid = y.copy()
        K = xp.asarray(self._radial.matrix(X, X))
        seed = int(self._rng().integers(2**31))
        if P is not None:
            if P.shape[1] > M:
                raise FitError(
                    f"the null space (polynomials of degree < {self.null_order_}) has "
                    f"{P.shape[1]} dimensions; fit at least that many points"
                )
            ns = NullSpace(xp.asarray(P), xp)
            if not ns.rank_ok():
                raise FitError(
                    "the points do not determine the polynomial null space (degree < "
                    f"{self.null_order_}); use more points in general position"
                )
            restricted = ns.restrict(xp.asarray(resid))
            a, rank, method, spec = self._solve_kernel(
                ns.project(K), restricted, xp, self.solver, seed
            )
            self._state = dict(spec=spec, ns=ns, restricted=restricted, q=P.shape[1], xp=xp)
            alpha, rank = ns.lift(a), rank + P.shape[1]
        else:
            alpha, rank, method, spec = self._solve_kernel(
                K, xp.asarray(resid), xp, self.solver, seed
            )
            self._state = dict(spec=spec, K_resid=xp.asarray(resid), xp=xp)
        self._state.update(path="radial", y=y, X=X, rcond=float(self.rcond))
        self.X_fit_ = X
        self.route_ = self._g_route
        self._finish_radial(alpha, rank, method)

    def _refit_radial(self, spec, ridge, rcond):
        st = self._state
        if "ns" in st:
            a, rank = spectral_solve(spec, st["restricted"], ridge, rcond, st["xp"])
            self._finish_radial(st["ns"].lift(a), rank + st["q"], spec.method)
        else:
            a, rank = spectral_solve(spec, st["K_resid"], ridge, rcond, st["xp"])
            self._finish_radial(a, rank, spec.method)

    def _finish_radial(self, alpha, rank, method):
        st = self._state
        xp, X, y = st["xp"], st["X"], st["y"]
        K = xp.asarray(self._radial.matrix(X, X))
        Ka = K @ alpha
        fit = to_numpy(Ka)
        self.null_coef_ = None
        if "ns" in st:
            resid = xp.asarray(y) - Ka - float(self.ridge) * alpha
            self.null_coef_ = to_numpy(st["ns"].coefficients(resid))
            fit = fit + nullspace_basis(X, self.null_order_) @ self.null_coef_
        self.dual_coef_ = to_numpy(alpha)
        self._report(y, fit, rank, method, len(y), math.sqrt(max(float(alpha @ Ka), 0.0)))

    def _radial_setup(self, act, law, X):
        """G of the trained feature c*phi(omega*u): c^2/omega * G_phi(omega*t)."""
        om = law.scale
        c = om ** (-self.degree_) if self.train == "mu" and self.degree_ else 1.0
        rec = recognize(act.phi, act)
        if rec is not None and rec.autocorrelation(np.zeros(1)) is not None:
            self.null_order_ = rec.order
            G0, self._g_route = rec.autocorrelation, f"closed:{rec.form.name}"
        else:
            self.null_order_ = null_order(act)
            G0, self._g_route = None, "numeric"
        self._G0, self._gscale = G0, (c * c / om, om)
        self._radial = self._radial_kernel(act, X, X, 2.0)

    def _radial_kernel(self, act, X1, X2, margin):
        lo = np.minimum(X1.min(0), X2.min(0))
        hi = np.maximum(X1.max(0), X2.max(0))
        rmax = margin * float(np.linalg.norm(hi - lo)) + 1e-12
        amp, om = self._gscale
        G0 = self._G0
        if G0 is None:
            num = NumericAutocorrelation(act, self.null_order_, 1.01 * om * rmax)
            if num.error > 1e-6:
                self.notes_.append(f"numeric autocorrelation accurate to about {num.error:.1g}")
            G0 = num
        D = X1.shape[1]
        # a partial of a module function, not a lambda: a fitted model must pickle
        return RadialKernel(
            functools.partial(_scaled, amp, G0, om), D, rmax, exact_1d=self._G0 is not None
        )

    def _predict_radial(self, X):
        Xf = self.X_fit_
        lo = np.minimum(X.min(0), Xf.min(0))
        hi = np.maximum(X.max(0), Xf.max(0))
        if float(np.linalg.norm(hi - lo)) > self._radial.rmax:
            self._radial = self._radial_kernel(self.activation_, X, Xf, 1.5)
        out = np.empty(X.shape[0])
        rows = max(1, min(PREDICT_ROWS, (64 * 2**20) // (8 * Xf.shape[0])))
        for i0 in range(0, X.shape[0], rows):
            Xi = X[i0 : i0 + rows]
            f = self._radial.matrix(Xi, Xf) @ self.dual_coef_
            if self.null_coef_ is not None:
                f = f + nullspace_basis(Xi, self.null_order_) @ self.null_coef_
            out[i0 : i0 + Xi.shape[0]] = f
        return out


def _scaled(amp, G, om, t):
    """amp * G(om * t): the trained feature's autocorrelation from the base's."""
    return amp * G(om * np.asarray(t))
