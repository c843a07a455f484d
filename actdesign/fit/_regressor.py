"""RadonSplineRegressor: kernel-regime fits of shallow networks, finite or infinite width.

The network is ``f(x) = sum_j theta_j psi_j(x)`` with hidden neurons frozen at their
initial values and the output coordinate theta (mu or v, theory.md §1-§2) trained on
squared loss from theta0. Gradient descent converges to

    theta = theta0 + diag(weights) Psi^T alpha,   alpha = (K + ridge I)^+ (y - Psi theta0)

with ``K = Psi diag(weights) Psi^T`` (weights 1/N: the random-feature kernel
normalised so that it tends to the infinite-width kernel) and eigenvalues below
``rcond^2 * lambda_max`` dropped. At width = inf the same solve runs on the limiting
kernel (see :mod:`._infinite`).
"""

from __future__ import annotations

import inspect
import math
import time
import warnings

import numpy as np

from ._backend import get_xp, to_numpy
from ._catalog import recognize
from ._coords import homogeneity_degree
from ._data import check_arrays
from ._errors import DataError, FitError, LowRankWarning
from ._features import FeatureMap, compile_activation, zbound
from ._infinite import NumericAutocorrelation, RadialKernel, null_order
from ._laws import GaussianLaw, SwimLaw, UniformLaw
from ._linalg import (
    FeatureOperator,
    NullSpace,
    dense_spectrum,
    direct_solve,
    lowrank_features,
    lowrank_kernel,
    nullspace_basis,
    spectral_solve,
)
from ._memory import check as check_memory
from ._memory import estimate, tile_columns

SOLVERS = ("auto", "eigh", "lowrank", "direct")
DENSE_MAX = 1500  # "auto" factorises densely up to this many points
LOW_RANK_FRACTION = 0.25  # warn when rank < this * M
PREDICT_ROWS = 65536

QUADRATURE = {  # infinite width, finite R / Gaussian law: default rule per input dimension
    1: dict(n_sphere=2, panels=512),
    2: dict(n_sphere=128, panels=64),
    3: dict(n_sphere=24, panels=32),
}
QUADRATURE_HIGH_D = dict(n_sphere=8, panels=16)


def as_activation(obj):
    """An Activation from an Activation or a formula in z (never evaluated as Python)."""
    from .._activation import Activation, from_expression

    if isinstance(obj, Activation):
        return obj
    if isinstance(obj, str):
        return from_expression(obj)
    raise FitError(
        f"activation must be an actdesign.Activation or a formula string, got {type(obj).__name__}"
    )


def as_width(width):
    """An int >= 1 or math.inf."""
    if isinstance(width, str) and width.strip().lower() in ("inf", "infinity", "oo"):
        return math.inf
    if isinstance(width, float) and math.isinf(width) and width > 0:
        return math.inf
    try:
        w = int(width)
    except (TypeError, ValueError):
        raise FitError(f"width must be a positive integer or inf, got {width!r}") from None
    if w < 1 or w != width:
        raise FitError(f"width must be a positive integer or inf, got {width!r}")
    return w


class RadonSplineRegressor:
    """Kernel-regime (lazy) fit of a shallow network ``sum_j theta_j phi(w_j . x + b_j)``.

    Parameters
    ----------
    activation : Activation or str
        The activation phi (a formula such as ``"relu(z)"`` goes through the safe parser).
    width : int or math.inf
        Number of hidden neurons N; ``math.inf`` (or ``"inf"``) fits the infinite-width limit.
    law : {"uniform", "gaussian", "swim"} or a law object
        Sampling law of the hidden neurons (see :mod:`actdesign.fit`).
    radius : float, None or math.inf
        R of the uniform law (None: max |x| of the training points; inf: the R → ∞ limit,
        width = inf only).
    scale : float
        omega = |w| of every neuron under the uniform law.
    weight_std, bias_std : float
        sigma_w and sigma_b of the Gaussian law (pre-activation w.x + b).
    swim_scales : {"relu", "tanh"} or (s1, s2)
        Constants of SWIM sampling.
    train : {"mu", "v"}
        Trained coordinate: Radon-spline mu (weights 1) or standard v (weights omega^-2s).
    ridge : float
        lambda >= 0 of ``(K + lambda I)``, K normalised as above (same meaning at any width).
    rcond : float
        Relative cutoff on singular values of the weighted features (eigenvalues of K
        below rcond^2 * max are dropped). The default 1e-6 keeps eigenvalues above
        1e-12 * max, far above float64 rounding in a Gram or kernel matrix, so the
        solvers agree; smaller cutoffs make the minimum-norm fit solver-dependent
        (peers.md §6).
    solver : {"auto", "eigh", "lowrank", "direct"}
    seed : int or None
    device : {"cpu", "gpu"}
    tile : int or None
        Feature columns per tile (default: 32 MiB tiles).
    max_memory : int, str or None
        Memory budget (bytes or e.g. ``"8GB"``); default: the memory available now.
    degree : float or None
        Homogeneity degree s of phi (None: detected; 0 for non-homogeneous phi).
    quadrature : dict or None
        Infinite width with finite R or the Gaussian law: ``n_sphere``, ``panels`` (gamma
        panels on [-R, R]), ``n_radial``, ``n_bias``.

    Attributes
    ----------
    coef_ : ndarray (N,)
        Trained output coordinate theta (mu or v).
    mu_, v_, w_, b_, xi_, gamma_, omega_ : ndarray
        The fitted network in both coordinate systems.
    neuron_weights_ : ndarray (N,)
        Probability weights (1/N; quadrature weights at infinite width).
    dual_coef_ : ndarray (M,)
        alpha.
    null_coef_ : ndarray or None
        Polynomial coefficients (R = inf only).
    rank_, ridge_, rcond_, solver_, coef_norm_, train_rmse_, seconds_ : report values
    notes_ : list of str
    """

    def __init__(
        self,
        activation="relu(z)",
        *,
        width=1000,
        law="uniform",
        radius=None,
        scale=1.0,
        weight_std=1.0,
        bias_std=1.0,
        swim_scales="relu",
        train="mu",
        ridge=0.0,
        rcond=1e-6,
        solver="auto",
        seed=None,
        device="cpu",
        tile=None,
        max_memory=None,
        degree=None,
        quadrature=None,
    ):
        self.activation = activation
        self.width = width
        self.law = law
        self.radius = radius
        self.scale = scale
        self.weight_std = weight_std
        self.bias_std = bias_std
        self.swim_scales = swim_scales
        self.train = train
        self.ridge = ridge
        self.rcond = rcond
        self.solver = solver
        self.seed = seed
        self.device = device
        self.tile = tile
        self.max_memory = max_memory
        self.degree = degree
        self.quadrature = quadrature

    # --- scikit-learn protocol ---------------------------------------------------------
    def get_params(self, deep=True):
        """Hyperparameters as a dict (scikit-learn protocol)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params):
        """Set hyperparameters (scikit-learn protocol); returns self."""
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}")
            setattr(self, k, v)
        return self

    def __repr__(self):
        diff = {
            k: v
            for k, v in self.get_params().items()
            if v is not inspect.signature(type(self).__init__).parameters[k].default
        }
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in diff.items())})"

    # --- fitting -----------------------------------------------------------------------
    def fit(self, X, y, coef_init=None):
        """Fit to points X (M, D) and targets y (M,); ``coef_init`` is theta0 (default 0)."""
        t0 = time.perf_counter()
        X, y = check_arrays(X, y)
        self._validate()
        act = as_activation(self.activation)
        width = as_width(self.width)
        deg = self.degree if self.degree is not None else (homogeneity_degree(act) or 0.0)
        law = self._law().resolve(X)
        self.notes_ = []
        self.X_fit_ = None
        self.activation_, self.degree_, self.law_, self.width_ = act, float(deg), law, width
        self.n_features_in_ = X.shape[1]
        radial = width == math.inf and isinstance(law, UniformLaw) and math.isinf(law.radius)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LowRankWarning)
            if radial:
                self._fit_radial(X, y, act, law)
            else:
                self._fit_network(X, y, act, law, width, coef_init)
        self.seconds_ = time.perf_counter() - t0
        for w in caught:
            self.notes_.append(str(w.message))
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return self

    def _validate(self):
        if self.train not in ("mu", "v"):
            raise FitError(f"train must be 'mu' or 'v', got {self.train!r}")
        if self.solver not in SOLVERS:
            raise FitError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        if not (float(self.ridge) >= 0 and math.isfinite(float(self.ridge))):
            raise FitError(f"ridge must be a finite number >= 0, got {self.ridge!r}")
        if not (0 <= float(self.rcond) < 1):
            raise FitError(f"rcond must be in [0, 1), got {self.rcond!r}")

    def _law(self):
        law = self.law
        if isinstance(law, (UniformLaw, GaussianLaw, SwimLaw)):
            return law
        if law == "uniform":
            r = self.radius
            return UniformLaw(None if r is None else float(r), float(self.scale))
        if law == "gaussian":
            return GaussianLaw(float(self.weight_std), float(self.bias_std))
        if law == "swim":
            return SwimLaw(self.swim_scales)
        raise FitError(f"law must be 'uniform', 'gaussian' or 'swim', got {law!r}")

    def _rng(self):
        return np.random.default_rng(self.seed)

    # --- finite width, and infinite width through quadrature nodes ----------------------
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
        fmap = FeatureMap(kern, W, b, scale, "cupy" if xp is not np else _cpu_backend())
        Xd = xp.asarray(X)
        theta0 = self._theta0(coef_init, N)
        resid = xp.asarray(y) - (self._apply(fmap, Xd, xp.asarray(theta0)) if theta0.any() else 0.0)
        op = FeatureOperator(fmap, Xd, wts, xp, nb)
        alpha, rank, method, spec = self._solve_features(op, resid, xp, int(rng.integers(2**31)))
        self._fmap, self.neuron_weights_ = fmap, wts
        self.w_, self.b_ = W, b
        self.xi_, self.gamma_, self.omega_ = neurons.radon()
        self.route_ = kern.route
        self._state = dict(
            spec=spec, op=op, resid=resid, y=y, theta0=theta0, xp=xp, rcond=float(self.rcond)
        )
        self._finish_network(alpha, rank, method)

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

    def refit(self, *, ridge=None, rcond=None):
        """Re-solve for another ``ridge`` and/or ``rcond`` from the stored factorisation.

        No new factorisation is computed (one pass over the feature tiles rebuilds the
        coefficients), so a whole regularisation path costs one fit. Needs a spectral
        solver (``eigh`` or ``lowrank``); a ``lowrank`` spectrum only resolves cutoffs at
        or above the ``rcond`` it was computed for. Returns self, with the new values in
        ``ridge`` / ``rcond`` and in the fitted attributes.
        """
        st = getattr(self, "_state", None)
        if st is None:
            raise FitError("refit needs a fitted model; call fit(X, y) first")
        spec = st["spec"]
        if spec is None:
            raise FitError(
                f"refit needs a spectral factorisation, but this fit used the "
                f"{self.solver_} solver; fit with solver='eigh' or 'lowrank'"
            )
        ridge = self.ridge if ridge is None else ridge
        rcond = self.rcond if rcond is None else rcond
        if spec.method == "lowrank" and float(rcond) < st["rcond"]:
            raise FitError(
                f"the low-rank spectrum resolves rcond >= {st['rcond']:g} only; "
                "fit again with the smaller rcond"
            )
        self.set_params(ridge=ridge, rcond=rcond)
        self._validate()
        xp = st["xp"]
        if "ns" in st:
            a, rank = spectral_solve(spec, st["restricted"], float(ridge), float(rcond), xp)
            self._finish_radial(st["ns"].lift(a), rank + st["q"], spec.method)
        elif "K_resid" in st:
            a, rank = spectral_solve(spec, st["K_resid"], float(ridge), float(rcond), xp)
            self._finish_radial(a, rank, spec.method)
        else:
            a, rank = spectral_solve(spec, st["resid"], float(ridge), float(rcond), xp)
            self._finish_network(a, rank, spec.method)
        return self

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
        if isinstance(law, GaussianLaw) and self.train == "mu" and self.degree_ > 0:
            return dict(n_sphere=q["n_sphere"], panels=q.get("panels", 128), radon=True)
        if isinstance(law, GaussianLaw):
            return dict(
                n_weight=q.get("n_weight", 32 if X.shape[1] <= 2 else 12),
                n_bias=q.get("n_bias", 64),
            )
        return {}

    def _theta0(self, coef_init, N):
        if coef_init is None:
            return np.zeros(N)
        t = np.asarray(coef_init, dtype=float).ravel()
        if t.size != N or not np.all(np.isfinite(t)):
            raise DataError(
                f"coef_init must hold {N} finite numbers (one per neuron), got {t.size}"
            )
        return t

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

    # --- infinite width, R = inf ----------------------------------------------------------
    def _fit_radial(self, X, y, act, law):
        xp = get_xp(self.device)
        M, D = X.shape
        check_memory(
            estimate(M, 0, D, solver=self.solver, infinite_radial=True, nb=0),
            self.max_memory,
            what=f"M={M} points at width=inf, radius=inf",
        )
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
        self._state.update(y=y, X=X, rcond=float(self.rcond))
        self.X_fit_ = X
        self.route_ = self._g_route
        self._finish_radial(alpha, rank, method)

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
        return RadialKernel(
            lambda t: amp * G0(om * np.asarray(t)), D, rmax, exact_1d=self._G0 is not None
        )

    # --- reports --------------------------------------------------------------------------
    def _report(self, y, fit, rank, method, M, norm):
        self.rank_ = int(rank)
        self.ridge_ = float(self.ridge)
        self.rcond_ = float(self.rcond)
        self.solver_ = method
        self.coef_norm_ = norm
        self.train_rmse_ = float(np.sqrt(np.mean((fit - y) ** 2)))
        if self.rank_ < LOW_RANK_FRACTION * M:
            warnings.warn(
                f"numerical rank {self.rank_} is far below the {M} points (rcond="
                f"{self.rcond_:g}, ridge={self.ridge_:g}): the fit lives in a "
                f"{self.rank_}-dimensional function space",
                LowRankWarning,
                stacklevel=4,
            )

    # --- prediction -------------------------------------------------------------------------
    def predict(self, X):
        """The fitted function at the points X (M', D)."""
        if not hasattr(self, "rank_"):
            from .._errors import ActdesignError

            raise ActdesignError(
                "this RadonSplineRegressor is not fitted yet; call fit(X, y) first"
            )
        X = check_arrays(X)
        if X.shape[1] != self.n_features_in_:
            raise DataError(
                f"X has {X.shape[1]} input columns but the model was fitted on "
                f"{self.n_features_in_}"
            )
        if self.X_fit_ is not None:
            return self._predict_radial(X)
        return self._predict_network(X)

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

    def score(self, X, y):
        """Coefficient of determination R^2 of the prediction (scikit-learn convention)."""
        X, y = check_arrays(X, y)
        r = y - self.predict(X)
        return float(1.0 - (r @ r) / np.sum((y - y.mean()) ** 2))


def _cpu_backend() -> str:
    try:
        import numba  # noqa: F401
    except ImportError:
        return "numpy"
    return "numba"
