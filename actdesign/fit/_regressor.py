"""RadonSplineRegressor: kernel-regime fits of shallow networks, finite or infinite width.

The network is ``f(x) = sum_j theta_j psi_j(x)`` with hidden neurons frozen at their
initial values and the output coordinate theta (mu or v, theory.md §1-§2) trained on
squared loss from theta0. Gradient descent converges to

    theta = theta0 + diag(weights) Psi^T alpha,   alpha = (K + ridge I)^+ (y - Psi theta0)

with ``K = Psi diag(weights) Psi^T`` (weights 1/N: the random-feature kernel
normalised so that it tends to the infinite-width kernel) and eigenvalues below
``rcond^2 * lambda_max`` dropped. At width = inf the same solve runs on the limiting
kernel (see `._infinite`).

This module holds the estimator's public methods; the fitting paths are mixins:
`._network_fit` (feature tiles: finite width, or quadrature nodes),
`._radial_fit` (width = inf, radius = inf) and `._solve` (the solvers).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from ..infra._data_checks import check_training
from ._coords import homogeneity_degree
from ._data import check_arrays
from ._errors import DataError, FitError, LowRankWarning
from ._laws import GaussianLaw, SwimLaw, UniformLaw
from ._network_fit import NetworkFit
from ._options import (
    DENSE_MAX,
    LOW_RANK_FRACTION,
    PREDICT_ROWS,
    QUADRATURE,
    QUADRATURE_HIGH_D,
    SOLVERS,
    as_activation,
    as_width,
)
from ._radial_fit import RadialFit
from ._sklearn import EstimatorProtocol, not_fitted
from .compute._solve import KernelSolve
from .gaussian._fit import GaussianFit
from .nystrom._fit import NystromFit

# the option names stay importable from here (other modules and users do)
__all__ = [
    "DENSE_MAX",
    "PREDICT_ROWS",
    "QUADRATURE",
    "QUADRATURE_HIGH_D",
    "SOLVERS",
    "RadonSplineRegressor",
    "as_activation",
    "as_width",
]


class RadonSplineRegressor(
    EstimatorProtocol, NetworkFit, RadialFit, GaussianFit, NystromFit, KernelSolve
):
    """Kernel-regime (lazy) fit of a shallow network ``sum_j theta_j phi(w_j . x + b_j)``.

    Parameters
    ----------
    activation : Activation or str
        The activation phi (a formula such as ``"relu(z)"`` goes through the safe parser).
    width : int or math.inf
        Number of hidden neurons N; ``math.inf`` (or ``"inf"``) fits the infinite-width limit.
    law : {"uniform", "gaussian", "swim"} or a law object
        Sampling law of the hidden neurons (see `actdesign.fit`).
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
    solver : {"auto", "eigh", "lowrank", "direct", "nystrom"}
        How the M x M system is solved (default ``"auto"``). ``"eigh"``: dense
        eigendecomposition (supports `refit`). ``"lowrank"``: randomized range finder
        that grows until the spectrum below ``rcond`` is resolved (supports `refit`;
        falls back to ``"direct"`` when the kernel is not low rank). ``"direct"``:
        a Cholesky solve of ``K + ridge I``, falling back to ``"eigh"`` when ill-conditioned at this
        ``rcond``. ``"nystrom"``: FALKON (m centres, preconditioned CG, the kernel
        evaluated in row blocks and never stored; memory O(M + m^2)), for every kernel.
        ``"auto"``: ``"eigh"`` up to 1500 points and ``"lowrank"`` above, and
        ``"nystrom"`` where that dense path would exceed the memory budget.
    seed : int or None
        Seed of the numpy generator behind every random draw of a fit: the finite-width
        neurons, the random sketches of ``"lowrank"`` and the Nystrom centres. None
        (default): fresh entropy, so two fits differ; an int makes fits repeatable.
    device : {"cpu", "gpu"}
        Where the features, kernel and solve live (default ``"cpu"``). ``"gpu"`` needs
        cupy and a CUDA device (``pip install 'actdesign[gpu]'``); otherwise the fit
        raises DeviceError naming the fix. With solver="nystrom" only the radial
        (R = inf) kernel runs on the GPU; other kernels' blocks stay on the CPU, with a
        note in ``notes_``.
    tile : int or None
        Feature columns per tile (default: 32 MiB tiles).
    max_memory : int, str or None
        Memory budget (bytes or e.g. ``"8GB"``); default: the memory available now.
    degree : float or None
        Homogeneity degree s of phi (None: detected; 0 for non-homogeneous phi).
    quadrature : dict or None
        Infinite width with finite R, or the Gaussian law with train="mu" and s > 0:
        ``n_sphere``, ``panels`` (gamma panels). The Gaussian law with train="v" (or
        s = 0) needs none: its kernel E[phi(u) phi(v)] is exact (closed form or adaptive
        quadrature; the route and error estimate go to ``route_``, ``notes_`` and
        ``kernel_error_``).
    client : dask.distributed.Client or None
        Evaluate the feature tiles on this cluster's workers and reduce their Gram
        contributions (or sketches) there (``pip install 'actdesign[dask]'``); the result
        equals the local fit up to the order of floating-point sums. Used by the
        feature-tile paths (finite width, quadrature nodes); the radius = inf kernel is
        formed in this process. None: everything runs here. With solver="nystrom" each
        CG iteration is one map-reduce of length-m vectors over workers that hold their
        share of the points (scattered once).
    centres : int or None
        m, the Nystrom centres (solver="nystrom"; default 10 sqrt(M) within [1000, 10000]).
    nystrom : dict or None
        Nystrom options: ``sampling`` ("uniform" or "leverage": approximate ridge leverage
        scores), ``tol`` (1e-7, relative residual of the preconditioned CG), ``maxiter``
        (100), ``precision`` ("float64", or "float32": float32 blocks, float64 sums).

    Attributes
    ----------
    coef_ : ndarray (N,)
        Trained output coordinate theta (mu or v).
    mu_, v_, w_, b_, xi_, gamma_, omega_ : ndarray
        The fitted network in both coordinate systems.
    neuron_weights_ : ndarray (N,)
        Probability weights (1/N; quadrature weights at infinite width).
    dual_coef_ : ndarray (M,)
        alpha (solver="nystrom": the m coefficients of the centres ``centres_``).
    nystrom_ : dict
        solver="nystrom" only: centres, iterations, residual, converged, stopping_rule, ...
    null_coef_ : ndarray or None
        Polynomial coefficients (R = inf only).
    rank_, ridge_, rcond_, solver_, coef_norm_, train_rmse_, seconds_ : report values
        Numerical rank of the solve, the ridge and rcond used, the solver that ran
        (after any fallback), the norm of the fitted coefficients (Nystrom: the kernel
        seminorm), the training RMSE and the
        wall time of `fit`.
    notes_ : list of str
        What the fit chose or noticed (solver switches, quadrature nodes, warnings).
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
        client=None,
        centres=None,
        nystrom=None,
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
        self.client = client
        self.centres = centres
        self.nystrom = nystrom

    # --- fitting -----------------------------------------------------------------------
    def fit(self, X, y, coef_init=None):
        """Fit to points X (M, D) and targets y (M,); ``coef_init`` is theta0 (default 0).

        Parameters
        ----------
        X : array (M, D) or (M,)
            Training inputs (finite).
        y : array (M,)
            Targets (finite).
        coef_init : array (N,), optional
            Initial output coordinate theta0 at finite width (the fit is then the
            minimum-norm change from it); not supported at infinite width or with
            solver="nystrom".

        Returns
        -------
        RadonSplineRegressor
            self, fitted.
        """
        t0 = time.perf_counter()
        if y is None:  # scikit-learn's wording (check_estimator matches it)
            raise DataError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        X, y = check_training(*check_arrays(X, y), what=type(self).__name__)
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
        exact = width == math.inf and isinstance(law, GaussianLaw)  # exact E[phi(u) phi(v)]
        exact = exact and not (self.train == "mu" and deg > 0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LowRankWarning)
            kind = "radial" if radial else ("gaussian" if exact else "features")
            if self._nystrom_wanted(X, width, kind == "features"):
                self._fit_nystrom(X, y, act, law, width, kind, coef_init)
            elif radial:
                self._fit_radial(X, y, act, law)
            elif exact:
                self._fit_gaussian(X, y, act, law, coef_init)
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

    def refit(self, *, ridge=None, rcond=None):
        """Re-solve for another ``ridge`` and/or ``rcond`` from the stored factorisation.

        No new factorisation is computed (one pass over the feature tiles rebuilds the
        coefficients), so a whole regularisation path costs one fit. Needs a spectral
        solver (``eigh`` or ``lowrank``); a ``lowrank`` spectrum only resolves cutoffs at
        or above the ``rcond`` it was computed for. Returns self, with the new values in
        ``ridge`` / ``rcond`` and in the fitted attributes.

        Parameters
        ----------
        ridge : float, optional
            New ridge lambda >= 0 (default: keep the current one).
        rcond : float, optional
            New relative cutoff in [0, 1) (default: keep the current one).
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
        getattr(self, f"_refit_{st['path']}")(spec, float(ridge), float(rcond))
        return self

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
        """The fitted function at the points X (M', D).

        Parameters
        ----------
        X : array (M', D)
            Points with the number of input columns the model was fitted on.

        Returns
        -------
        ndarray (M',)
            The predictions f(X).
        """
        if not hasattr(self, "rank_"):
            raise not_fitted(self)
        X = check_arrays(X)
        if X.shape[1] != self.n_features_in_:
            raise DataError(  # scikit-learn's wording (check_estimator matches it)
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (the columns it was fitted on)"
            )
        if self._state["path"] == "nystrom":
            return self._predict_nystrom(X)
        if self._state["path"] == "gaussian":
            return self._predict_gaussian(X)
        if self.X_fit_ is not None:
            return self._predict_radial(X)
        return self._predict_network(X)

    def score(self, X, y):
        """Coefficient of determination R^2 of the prediction (scikit-learn convention).

        Parameters
        ----------
        X : array (M', D)
            Test inputs.
        y : array (M',)
            Test targets.
        """
        X, y = check_arrays(X, y)
        r = y - self.predict(X)
        return float(1.0 - (r @ r) / np.sum((y - y.mean()) ** 2))
