"""SWIM sampled networks with per-layer scale schedules (numpy; no backpropagation).

Each hidden neuron is built from a pair of data points (x1, x2) drawn with probability
proportional to ||y2 - y1||_inf / ||x2 - x1|| (Bolager et al. 2023; the algorithm of the
``swimnetworks`` package, init.md §1.1):

    w = s1 (x2 - x1) / ||x2 - x1||^2,    b = -<w, x1> - s2,

so the pre-activation is -s2 at x1 and s1 - s2 at x2. Layer l uses its own (s1_l, s2_l);
the schedules of seed 000 (Homma & Ohkubo) let s1 grow with depth ("ordered": low
frequencies early, high late), stay constant ("original") or shrink ("reversed").
For tanh the original constants are s1 = ln 3, s2 = s1/2 (tanh = -1/2, +1/2 at the pair);
any monotone saturating phi gets the same rule (phi at 1/4 and 3/4 of its range), ReLU
gets SWIM's (1, 0), and non-monotone phi (bumps) needs explicit scales. The output layer
is least squares on [features, 1] with a relative singular-value cutoff (``rcond``, as in
swimnetworks) or ridge.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from ..formula._roots import bracketed_root
from ..infra._data_checks import check_training
from ..infra._errors import ActdesignError
from ..infra._memory import check as check_memory
from ..infra._memory import env_fix
from ..infra._progress import progress
from ._act import as_activation, evaluators

SCHEDULES = ("original", "ordered", "reversed")

__all__ = ["SampledMLP", "scale_schedule", "base_scales", "compare_schedules", "SCHEDULES"]


# --- scale factors ----------------------------------------------------------------


def scale_schedule(kind, n_layers: int, base: float = math.log(3), ratio: float = 4.0):
    """Per-layer s1 values.

    Parameters
    ----------
    kind : {"original", "ordered", "reversed"} or array_like
        "original": ``base`` everywhere; "ordered": geometric from ``base/sqrt(ratio)`` to
        ``base*sqrt(ratio)`` (increasing with depth); "reversed": the same, decreasing;
        an array gives s1 per layer explicitly.
    n_layers : int
        Number of hidden layers.
    base, ratio : float
        The original scale and the spread last/first of the ordered schedule
        (ratio 4 with three layers gives [base/2, base, 2 base]).
    """
    if isinstance(kind, str):
        if kind not in SCHEDULES:
            raise ActdesignError(f"unknown schedule {kind!r}; use one of {', '.join(SCHEDULES)} "
                                 "or a list of s1 values, one per layer")
        pos = np.linspace(-0.5, 0.5, n_layers) if n_layers > 1 else np.zeros(1)
        sign = {"original": 0.0, "ordered": 1.0, "reversed": -1.0}[kind]
        return base * float(ratio) ** (sign * pos)
    s1 = np.atleast_1d(np.asarray(kind, dtype=float))
    if s1.size == 1:
        s1 = np.full(n_layers, s1[0])
    if s1.shape != (n_layers,) or not np.all(np.isfinite(s1)) or np.any(s1 <= 0):
        raise ActdesignError(f"explicit s1 needs {n_layers} finite positive values "
                             f"(one per hidden layer), got {kind!r}")
    return s1


def base_scales(activation) -> tuple[float, float]:
    """The original SWIM (s1, s2) for ``activation``.

    Monotone saturating phi: pre-activations where phi is at 1/4 and 3/4 of its range
    (tanh: s1 = ln 3, s2 = artanh(1/2)). ReLU: (1, 0) as in swimnetworks.

    Raises
    ------
    ActdesignError
        If phi is not monotone or not saturating (and not ReLU): pass explicit s1, s2.
    """
    act = as_activation(activation)
    ev = evaluators(act)
    found = _BASE.get(ev)
    if found is None:
        found = _BASE[ev] = _base_scales(ev.phi)
    if isinstance(found, str):
        raise ActdesignError(
            f"{act.name} is {found}, so SWIM's rule (phi = 1/4 and 3/4 of its range at the "
            "pair points) does not apply; pass explicit scales, e.g. schedule=[s1, ...] "
            "(s2 defaults to s1/2), or s2=[...]")
    return found


_BASE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # evaluators -> scales or reason


def _base_scales(phi):
    z = np.linspace(-10, 10, 2001)
    if np.allclose(phi(z), np.maximum(z, 0), rtol=0, atol=1e-12):
        return 1.0, 0.0
    shape = _monotone_shape(phi)
    if shape != "saturating":
        return shape
    lo, hi = float(phi(np.array(-1e4))), float(phi(np.array(1e4)))
    z1, z2 = (_solve(phi, lo + q * (hi - lo)) for q in (0.25, 0.75))
    return z2 - z1, -z1


def _monotone_shape(phi) -> str:
    z = np.linspace(-40, 40, 16001)
    v = phi(z)
    d = np.diff(v)
    tol = 1e-12 * max(1.0, np.max(np.abs(v)))
    if not (np.all(d >= -tol) or np.all(d <= tol)):
        return "not monotone"
    far = phi(np.array([-1e4, -40.0, 40.0, 1e4]))
    span = abs(far[3] - far[0])
    if not (np.all(np.isfinite(far)) and span > 0
            and abs(far[1] - far[0]) + abs(far[3] - far[2]) <= 1e-6 * span):
        return "monotone but not saturating"
    return "saturating"


def _solve(phi, a: float) -> float:
    f = lambda s: float(phi(np.array(s))) - a  # noqa: E731
    return bracketed_root(f, -1e4, 1e4, xtol=1e-15)


def _layer_scales(act, schedule, s2, n_layers, ratio):
    if isinstance(schedule, str):
        s1_0, s2_0 = base_scales(act)
        s1 = scale_schedule(schedule, n_layers, s1_0, ratio)
        frac = s2_0 / s1_0
    else:
        s1 = scale_schedule(schedule, n_layers)
        try:
            s1_0, s2_0 = base_scales(act)
            frac = s2_0 / s1_0
        except ActdesignError:
            frac = 0.5  # explicit scales for a non-monotone phi: centre the pair midpoint
    if s2 is None:
        return s1, frac * s1
    if isinstance(s2, str) and s2 == "half":
        return s1, s1 / 2
    s2 = np.broadcast_to(np.asarray(s2, dtype=float), s1.shape).copy()
    if not np.all(np.isfinite(s2)):
        raise ActdesignError(f"s2 must be finite, one value per hidden layer; got {s2}")
    return s1, s2


# --- the network --------------------------------------------------------------------


@dataclass
class SampledMLP:
    """A SWIM network: sampled hidden layers and a least-squares output layer.

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths.
    activation : Activation or str
        Activation (a formula in ``z`` such as ``"tanh(z)"``, or a designed one).
    schedule : {"original", "ordered", "reversed"} or sequence of float
        s1 per layer (see `scale_schedule`); explicit values are required for
        non-monotone activations.
    s2 : None, "half" or sequence of float
        Bias shifts; None keeps the activation's s2/s1 (1/2 for tanh-like phi, 0 for ReLU).
    ratio : float
        Spread of the ordered/reversed schedules.
    sampling : {"gradient", "uniform"}
        Pair density ||dy||_inf/||dx|| (SWIM) or uniform.
    rcond : float
        Relative singular-value cutoff of the least-squares output layer.
    ridge : float or None
        If set, ridge regression with this penalty instead of the cutoff (intercept free).
    classifier : bool
        One-hot targets, binarised dy in the pair density, argmax prediction.
    eps : float
        Smallest pair distance (dist_min in swimnetworks).
    repetitions : int
        Candidate-pair multiplier (repetition_scaler).
    seed : int
        Seed; every layer draws from ``default_rng(seed)`` (see `layer_seeds`).
    max_memory : int, str or None
        Memory budget (bytes or e.g. ``"8GB"``); default ``$ACTDESIGN_MAX_MEMORY`` or the
        memory available. A fit whose estimate exceeds it is refused before it starts.
    """

    widths: tuple
    activation: object = "tanh(z)"
    schedule: object = "original"
    s2: object = None
    ratio: float = 4.0
    sampling: str = "gradient"
    rcond: float = 1e-10
    ridge: float | None = None
    classifier: bool = False
    eps: float = 1e-10
    repetitions: int = 1
    seed: int = 0
    max_memory: object = None

    def fit(self, X, y) -> SampledMLP:
        """Sample the hidden layers on (X, y) and solve the output layer.

        Parameters
        ----------
        X : array (M, D)
            Training inputs.
        y : array (M,) or (M, K)
            Targets (class labels when ``classifier``).

        Returns
        -------
        SampledMLP
            self, fitted.
        """
        X, Y = self._check_fit_input(X, y)
        act = as_activation(self.activation)
        self.activation_ = act
        widths = [int(w) for w in self.widths]
        if not widths or min(widths) < 1:
            raise ActdesignError(f"widths must be positive integers, got {self.widths!r}")
        check_memory(
            memory_estimate(X.shape[0], X.shape[1], widths, Y.shape[1], self.repetitions),
            self.max_memory,
            what=f"SWIM widths {widths} on {X.shape[0]} points",
            fix=env_fix("use smaller --widths or fewer points"),
        )
        self.s1_, self.s2_ = _layer_scales(act, self.schedule, self.s2, len(widths), self.ratio)
        phi = evaluators(act).phi
        self.weights_, self.biases_, self.pairs_ = [], [], []
        h = X
        with progress("swim: layers", total=len(widths) + 1, unit="layer") as bar:
            for width, s1, s2, seed in zip(widths, self.s1_, self.s2_,
                                           layer_seeds(self.seed, len(widths)), strict=True):
                W, b, pair = sample_layer(h, Y, width, s1, s2, np.random.default_rng(seed),
                                          classifier=self.classifier, sampling=self.sampling,
                                          eps=self.eps, repetitions=self.repetitions)
                self.weights_.append(W)
                self.biases_.append(b)
                self.pairs_.append(pair)
                z = h @ W
                z += b
                h = phi(z)
                bar.update(1, info=f"hidden layer of width {width} sampled")
            self.coef_, self.intercept_ = _output_layer(h, Y, self.rcond, self.ridge)
            bar.update(1, info="output layer solved")
        return self

    def _check_fit_input(self, X, y):
        X = _as_2d(X, "X")
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ActdesignError(f"X has {X.shape[0]} rows but y has {y.shape[0]}; they must match")
        self.n_features_in_ = X.shape[1]
        if self.classifier:
            self.classes_, idx = np.unique(y, return_inverse=True)
            return check_training(X, np.eye(self.classes_.size)[idx.ravel()], what="SWIM")
        y = _as_float(y, "y")
        self._y_1d = y.ndim == 1
        return check_training(X, y.reshape(X.shape[0], -1), what="SWIM")

    def features(self, X, layer: int = -1) -> np.ndarray:
        """Post-activation features of hidden layer ``layer`` (default: the last).

        Parameters
        ----------
        X : array (M, D)
            Points with the number of input columns the network was fitted on.
        layer : int
            Hidden layer index (Python indexing: -1 is the last).
        """
        self._check_fitted()
        phi = evaluators(self.activation_).phi
        h = self._check_predict_input(X)
        n = len(self.weights_)
        stop = (layer % n) + 1
        for W, b in zip(self.weights_[:stop], self.biases_[:stop], strict=True):
            z = h @ W
            z += b
            h = phi(z)
        return h

    def preactivations(self, X, layer: int = 0) -> np.ndarray:
        """Pre-activations x W + b of hidden layer ``layer`` (its input is layer-1's features).

        Parameters
        ----------
        X : array (M, D)
            Points with the number of input columns the network was fitted on.
        layer : int
            Hidden layer index (default 0, the first).
        """
        h = self._check_predict_input(X) if layer == 0 else self.features(X, layer - 1)
        return h @ self.weights_[layer] + self.biases_[layer]

    def decision_function(self, X) -> np.ndarray:
        """Linear outputs (one column per class for classifiers).

        Parameters
        ----------
        X : array (M, D)
            Points with the number of input columns the network was fitted on.
        """
        return self.features(X) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """Predictions: values (shape of the training y) or class labels.

        Parameters
        ----------
        X : array (M, D)
            Points with the number of input columns the network was fitted on.
        """
        out = self.decision_function(X)
        if self.classifier:
            return self.classes_[np.argmax(out, axis=1)]
        return out[:, 0] if self._y_1d and out.shape[1] == 1 else out

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise ActdesignError("this SampledMLP is not fitted yet; call fit(X, y) first")

    def _check_predict_input(self, X):
        self._check_fitted()
        X = _as_2d(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ActdesignError(f"X has {X.shape[1]} features but the network was fitted on "
                                 f"{self.n_features_in_}")
        return X

    # --- export -------------------------------------------------------------------

    def layers(self):
        """[(W, b), ...] for every layer, output last; hidden ones are followed by phi."""
        self._check_fitted()
        return list(zip(self.weights_, self.biases_, strict=True)) + [(self.coef_, self.intercept_)]

    def to_torch(self, dtype=None):
        """A ``torch.nn.Sequential`` of Linear + activation layers computing decision_function.

        Parameters
        ----------
        dtype : torch.dtype, optional
            Parameter dtype (default ``torch.float64``).
        """
        from ._export import to_torch

        return to_torch(self, dtype)

    def to_jax(self):
        """``(params, apply)``: a list of (W, b) jnp arrays and a pure ``apply(params, x)``."""
        from ._export import to_jax

        return to_jax(self)


def memory_estimate(points: int, dim: int, widths, outputs: int = 1, repetitions: int = 1) -> int:
    """Peak bytes of `SampledMLP.fit` on ``points`` x ``dim`` inputs.

    Layer l (input width d, output width w) draws P = points * ceil(w / points) *
    repetitions candidate pairs (indices, differences P x d, distances, densities) and
    holds the previous features (points x d), the pre-activations and features
    (points x w, with about two temporaries) and W (d x w, with the picked differences).
    The output layer's lstsq copies [H, 1] and works on it: about 3 points x (w + 1).
    Every layer's weights stay alive.
    """
    item, peak, kept, d = 8, 0, 0, int(dim)
    for w in (int(v) for v in widths):
        pairs = points * max(1, -(-w // max(points, 1))) * max(int(repetitions), 1)
        layer = pairs * (d + 6) + 3 * d * w + points * d + 4 * points * w
        peak = max(peak, kept + layer)
        kept += d * w + w
        d = w
    out = 3 * points * (d + 1) + 2 * points * outputs
    return item * max(peak, kept + out)


def layer_seeds(seed: int, n_layers: int) -> list[int]:
    """The seed of each layer: ``seed`` for all, as swimnetworks pipelines are usually built.

    Every layer then replays the same random stream (the same candidate pairs and uniforms),
    and only the pair densities, computed on each layer's own features, differ. With this
    choice a SampledMLP reproduces ``Dense(random_seed=seed)`` layers exactly.
    """
    return [int(seed)] * int(n_layers)


def sample_layer(X, Y, width, s1, s2, rng, classifier=False, sampling="gradient",
                 eps=1e-10, repetitions=1):
    """Sample one layer's (W, b) and its pairs (idx_from, idx_to) as swimnetworks 0.0.2 does."""
    if sampling not in ("gradient", "uniform"):
        raise ActdesignError(f"sampling must be 'gradient' or 'uniform', got {sampling!r}")
    m = X.shape[0]
    n_rep = max(1, math.ceil(width / m)) * int(repetitions)
    i1 = rng.integers(0, m, size=m * n_rep)
    i2 = (i1 + rng.integers(1, m, size=i1.size)) % m  # never i1 == i2
    delta = X[i2] - X[i1]
    dist = np.maximum(np.linalg.norm(delta, axis=1), eps)
    p = _pair_density(Y[i2] - Y[i1], dist, classifier, sampling, eps)
    pick = rng.choice(dist.size, size=width, replace=True, p=p)
    a, b_idx, d = i1[pick], i2[pick], dist[pick]
    W = (s1 * delta[pick] / (d * d)[:, None]).T
    b = -np.einsum("ij,ji->i", X[a], W) - s2
    return W, b, (a, b_idx)


def _pair_density(dy, dist, classifier, sampling, eps):
    if sampling == "uniform":
        return np.full(dist.size, 1 / dist.size)
    dy = np.abs(dy)
    if classifier:
        dy = (dy > 0).astype(float)
    g = dy.max(axis=1) / dist
    # a pair of repeated x (distance clamped to eps) has no direction: its neuron would
    # have w = 0, yet |dy|/eps would make it the likeliest pair; give it no weight
    g[dist <= eps] = 0.0
    total = g.sum()
    return g / total if total >= eps else np.full(dist.size, 1 / dist.size)


def _output_layer(H, Y, rcond, ridge):
    if ridge is None:
        A = np.column_stack([H, np.ones(H.shape[0])])
        sol = np.linalg.lstsq(A, Y, rcond=rcond)[0]
        return sol[:-1], sol[-1]
    if not (np.isfinite(ridge) and ridge > 0):
        raise ActdesignError(f"ridge must be a finite number > 0, got {ridge}")
    hm, ym = H.mean(axis=0), Y.mean(axis=0)
    U, s, Vt = np.linalg.svd(H - hm, full_matrices=False)
    coef = Vt.T @ ((s / (s * s + ridge))[:, None] * (U.T @ (Y - ym)))
    return coef, ym - hm @ coef


def _as_float(a, name):
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise ActdesignError(f"{name} must be numeric") from None
    if not np.all(np.isfinite(a)):
        raise ActdesignError(f"{name} contains NaN or infinite values; remove or impute them first")
    return a


def _as_2d(X, name):
    X = _as_float(X, name)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0:
        raise ActdesignError(f"{name} must be a non-empty 2-D array (samples x features), "
                             f"got shape {X.shape}")
    return X


# --- experiments ----------------------------------------------------------------------


def compare_schedules(X, y, X_test, y_test, widths, kinds=SCHEDULES, seeds=range(10), **kw):
    """Test RMSE per schedule and seed: ``{kind: array over seeds}`` (regression)."""
    out = {}
    for kind in kinds:
        errs = []
        for s in seeds:
            net = SampledMLP(widths, schedule=kind, seed=s, **kw).fit(X, y)
            errs.append(np.sqrt(np.mean((net.predict(X_test) - y_test) ** 2)))
        out[kind if isinstance(kind, str) else str(list(kind))] = np.array(errs)
    return out
