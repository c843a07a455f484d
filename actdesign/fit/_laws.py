"""Sampling laws for the hidden neurons, and their quadrature rules for infinite width.

* `UniformLaw`: xi uniform on the sphere, gamma uniform on [-R, R], omega fixed
  (the law under which the kernel's Fourier transform is ∝ 1/rho, theory.md §2-§3).
* `GaussianLaw`: w ~ N(0, sigma_w^2 I), b ~ N(0, sigma_b^2); then gamma is a
  scaled Student t (theory.md §2).
* `SwimLaw`: data-driven pairs (SWIM, init.md §1.1).

A law draws `Neurons` (``w``, ``b`` and probability weights 1/N); the first two
also give deterministic quadrature nodes with weights, which the infinite-width
kernel uses as "features" (the same tiled code then computes the kernel).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._coords import to_radon
from ._errors import FitError

GL_ORDER = 8  # Gauss-Legendre points per gamma panel


@dataclass(frozen=True, eq=False)
class Neurons:
    """Hidden-layer parameters: neuron j is ``phi(w[j] . x + b[j])``; ``weights`` sum to 1."""

    w: np.ndarray
    b: np.ndarray
    weights: np.ndarray

    @property
    def n(self) -> int:
        return self.w.shape[0]

    def radon(self, degree: float = 0.0):
        """(xi, gamma, omega) of the neurons (mu needs output weights; see to_radon)."""
        _, xi, gamma, omega = to_radon(np.zeros(self.n), self.w, self.b, degree)
        return xi, gamma, omega


def _neurons(w, b, weights=None):
    w = np.ascontiguousarray(w, dtype=float)
    b = np.ascontiguousarray(b, dtype=float)
    if weights is None:
        weights = np.full(w.shape[0], 1.0 / w.shape[0])
    return Neurons(w, b, np.ascontiguousarray(weights, dtype=float))


def uniform_sphere(n: int, dim: int, rng) -> np.ndarray:
    """n directions uniform on the unit sphere S^(dim-1)."""
    if dim == 1:
        return rng.choice([-1.0, 1.0], size=(n, 1))
    g = rng.standard_normal((n, dim))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def sphere_rule(dim: int, n: int):
    """Product quadrature on S^(dim-1) for the uniform probability measure: (nodes, weights).

    Antipodally symmetric. dim 1: {+1, -1}; dim 2: n equispaced angles (trapezoid,
    spectrally accurate for smooth periodic integrands); dim >= 3: Gauss-Jacobi in the
    last coordinate t (weight (1-t^2)^((dim-3)/2)) times the rule on S^(dim-2).
    """
    if dim == 1:
        return np.array([[1.0], [-1.0]]), np.array([0.5, 0.5])
    if dim == 2:
        n = max(4, n + n % 2)
        th = 2 * np.pi * np.arange(n) / n
        return np.c_[np.cos(th), np.sin(th)], np.full(n, 1.0 / n)
    from scipy.special import roots_jacobi

    a = (dim - 3) / 2
    t, wt = roots_jacobi(max(2, n // 2), a, a)
    wt = wt / wt.sum()
    sub, sw = sphere_rule(dim - 1, n)
    nodes = np.concatenate([np.c_[np.sqrt(1 - ti * ti) * sub, np.full(len(sub), ti)] for ti in t])
    return nodes, np.concatenate([wi * sw for wi in wt])


def panel_rule(lo: float, hi: float, h: float, breaks=()):
    """Composite Gauss-Legendre on [lo, hi]: panels of width <= h aligned at 0, split at breaks."""
    grid = h * np.arange(math.ceil(lo / h), math.floor(hi / h) + 1)
    edges = np.unique(np.concatenate([[lo, hi], grid, [x for x in breaks if lo < x < hi]]))
    edges = edges[np.concatenate([[True], np.diff(edges) > 1e-13 * max(1.0, hi - lo)])]
    x, w = np.polynomial.legendre.leggauss(GL_ORDER)
    mid, half = (edges[1:] + edges[:-1]) / 2, np.diff(edges) / 2
    return (mid[:, None] + half[:, None] * x).ravel(), (half[:, None] * w).ravel()


@dataclass(frozen=True)
class UniformLaw:
    """xi ~ Unif(S^(D-1)), gamma ~ Unif[-R, R], omega = scale for every neuron.

    Parameters
    ----------
    radius : float or None
        R; None means max |x| over the training points (the smallest R for which the
        Fourier result holds); ``math.inf`` is allowed at infinite width only.
    scale : float
        omega, the common norm of w (a bandwidth for non-homogeneous activations).
    """

    radius: float | None = None
    scale: float = 1.0

    name = "uniform"

    def resolve(self, X) -> UniformLaw:
        """The law with ``radius`` fixed from the data if it was None."""
        if self.radius is not None:
            if not self.radius > 0:
                raise FitError(f"radius must be > 0, got {self.radius}")
            return self
        r = float(np.max(np.linalg.norm(X, axis=1))) if len(X) else 1.0
        return UniformLaw(r if r > 0 else 1.0, self.scale)

    def sample(self, n: int, X, y, rng) -> Neurons:
        law = self.resolve(X)
        if not math.isfinite(law.radius):
            raise FitError("radius=inf needs width=inf (no finite sample is uniform on R)")
        xi = uniform_sphere(n, X.shape[1], rng)
        gamma = rng.uniform(-law.radius, law.radius, n)
        return _neurons(self.scale * xi, -self.scale * gamma)

    def nodes(self, X, *, n_sphere: int, panel: float, kinks=()) -> Neurons:
        """Quadrature nodes and weights for the expectation over (xi, gamma).

        ``panel`` is the largest gamma-panel width. In 1-D the panels also break at
        every ``xi*x_n - kink/omega`` so that kinked
        activations (ReLU) are integrated exactly on the training points.
        """
        law = self.resolve(X)
        R, D = law.radius, X.shape[1]
        xi, wxi = sphere_rule(D, n_sphere)
        w_list, b_list, wt_list = [], [], []
        for e, we in zip(xi, wxi, strict=True):
            breaks = (
                (e[0] * X[:, 0])[:, None] - np.asarray(kinks)[None, :] / self.scale
                if D == 1 and kinks
                else ()
            )
            g, wg = panel_rule(-R, R, panel, np.ravel(breaks))
            w_list.append(np.repeat(self.scale * e[None, :], g.size, axis=0))
            b_list.append(-self.scale * g)
            wt_list.append(we * wg / (2 * R))
        return _neurons(np.concatenate(w_list), np.concatenate(b_list), np.concatenate(wt_list))


@dataclass(frozen=True)
class GaussianLaw:
    """w ~ N(0, weight_std^2 I), b ~ N(0, bias_std^2): the usual initialisation law."""

    weight_std: float = 1.0
    bias_std: float = 1.0

    name = "gaussian"

    def resolve(self, X) -> GaussianLaw:
        if not (self.weight_std > 0 and self.bias_std >= 0):
            raise FitError(
                f"weight_std must be > 0 and bias_std >= 0, got {self.weight_std}, {self.bias_std}"
            )
        return self

    def sample(self, n: int, X, y, rng) -> Neurons:
        self.resolve(X)
        w = self.weight_std * rng.standard_normal((n, X.shape[1]))
        return _neurons(w, self.bias_std * rng.standard_normal(n))

    def covariances(self, X1, X2):
        """Law of the pre-activations (u, v) = (w.x1 + b, w.x2 + b), row by row.

        Returns (Var u, Var v, Cov(u, v), det) for X1, X2 of shape (P, D), where
        det = Var u Var v - Cov^2 = sw^4 |x1 ^ x2|^2 + sw^2 sb^2 |x2 - x1|^2 is formed
        from d = x2 - x1 (|x1 ^ x2|^2 = |x1|^2 |d|^2 - (x1.d)^2), so it keeps its
        digits near the diagonal, where the difference of products would not.
        """
        sw2, sb2 = self.weight_std**2, self.bias_std**2
        X1, X2 = np.asarray(X1, dtype=float), np.asarray(X2, dtype=float)
        d = X2 - X1
        n1, n2, dd = (np.einsum("pd,pd->p", a, b) for a, b in ((X1, X1), (X2, X2), (d, d)))
        x1d = np.einsum("pd,pd->p", X1, d)
        wedge = np.maximum(n1 * dd - x1d * x1d, 0.0) if X1.shape[1] > 1 else np.zeros(len(d))
        s12 = sw2 * np.einsum("pd,pd->p", X1, X2) + sb2
        return sw2 * n1 + sb2, sw2 * n2 + sb2, s12, sw2 * sw2 * wedge + sw2 * sb2 * dd

    def nodes(self, X, *, n_weight: int = 24, n_bias: int = 48, **unused) -> Neurons:
        """Tensor Gauss-Hermite rule in (w_1, ..., w_D, b): n_weight^D * n_bias nodes.

        Exponentially accurate for smooth activations of moderate pre-activation scale;
        kinked or step-like ones (ReLU, erf at |x| = 3) converge only algebraically
        (1e-2 to 1e-1 off). The width = inf kernels no longer use it: they integrate
        over the pre-activations exactly (`_kernel`).
        """
        from scipy.special import roots_hermitenorm

        D = X.shape[1]
        hw, ww = roots_hermitenorm(n_weight)
        ww = ww / math.sqrt(2 * math.pi)
        grids = np.meshgrid(*([self.weight_std * hw] * D), indexing="ij")
        W = np.stack([g.ravel() for g in grids], axis=1)
        wW = np.ones(W.shape[0])
        for g in np.meshgrid(*([ww] * D), indexing="ij"):
            wW = wW * g.ravel()
        if self.bias_std > 0:
            hb, wb = roots_hermitenorm(n_bias)
            hb, wb = self.bias_std * hb, wb / math.sqrt(2 * math.pi)
        else:
            hb, wb = np.zeros(1), np.ones(1)
        Wn = np.repeat(W, hb.size, axis=0)
        Bn = np.tile(hb, W.shape[0])
        keep = np.linalg.norm(Wn, axis=1) > 0  # w = 0 (odd n_weight) has no orientation
        wt = np.outer(wW, wb).ravel()
        return _neurons(Wn[keep], Bn[keep], wt[keep] / wt[keep].sum())

    def radon_nodes(self, X, *, n_sphere: int, panels: int = 128, **unused) -> Neurons:
        """Nodes in (xi, gamma) for a homogeneous activation trained in mu.

        Then the feature is phi(xi.x - gamma) with gamma ~ c t_D, c = bias_std /
        (weight_std sqrt(D)) (theory.md §2). t = sqrt(D) tan(theta) turns the heavy t_D
        tails into the smooth weight cos^(D-1)(theta) on (-pi/2, pi/2), integrated by
        composite Gauss-Legendre.
        """
        D = X.shape[1]
        xi, wxi = sphere_rule(D, n_sphere)
        if self.bias_std == 0:
            return _neurons(xi, np.zeros(len(xi)), wxi)
        th, wth = panel_rule(-np.pi / 2, np.pi / 2, np.pi / panels)
        wth = wth * np.cos(th) ** (D - 1)
        gamma = self.bias_std / (self.weight_std * math.sqrt(D)) * math.sqrt(D) * np.tan(th)
        W = np.repeat(xi, gamma.size, axis=0)
        B = np.tile(-gamma, len(xi))
        wt = np.outer(wxi, wth / wth.sum()).ravel()
        return _neurons(W, B, wt)


SWIM_PRESETS = {"relu": (1.0, 0.0), "tanh": (math.log(3.0), math.atanh(0.5))}


@dataclass(frozen=True)
class SwimLaw:
    """SWIM pair sampling (init.md §1.1, as in swimnetworks 0.0.2).

    Pairs (x1, x2) are drawn with probability ∝ |y2 - y1|_inf / |x2 - x1|; each gives
    ``w = s1 (x2 - x1) / |x2 - x1|^2`` and ``b = -<w, x1> - s2``.

    Parameters
    ----------
    scales : {"relu", "tanh"} or (s1, s2)
    repetition : int
        Candidate-pair factor (``repetition_scaler``).
    dist_min : float
        Lower clip of pair distances.
    uniform : bool
        Draw pairs uniformly (ignore targets).
    """

    scales: object = "relu"
    repetition: int = 1
    dist_min: float = 1e-10
    uniform: bool = False

    name = "swim"

    def resolve(self, X) -> SwimLaw:
        return self

    def constants(self):
        if isinstance(self.scales, str):
            if self.scales not in SWIM_PRESETS:
                raise FitError(
                    f"unknown SWIM preset {self.scales!r}; use one of {sorted(SWIM_PRESETS)}"
                )
            return SWIM_PRESETS[self.scales]
        s1, s2 = self.scales
        return float(s1), float(s2)

    def sample(self, n: int, X, y, rng) -> Neurons:
        s1, s2 = self.constants()
        M = X.shape[0]
        if M < 2:
            raise FitError("SWIM sampling needs at least 2 training points")
        n_rep = max(1, math.ceil(n / M)) * self.repetition
        i1 = rng.integers(0, M, M * n_rep)
        i2 = (i1 + rng.integers(1, M, M * n_rep)) % M
        dx = X[i2] - X[i1]
        dist = np.maximum(np.linalg.norm(dx, axis=1), self.dist_min)
        if y is None or self.uniform:
            p = np.ones(i1.size)
        else:
            yy = np.asarray(y, dtype=float).reshape(M, -1)
            p = np.max(np.abs(yy[i2] - yy[i1]), axis=1) / dist
        p = np.ones(i1.size) if p.sum() < self.dist_min else p
        pick = rng.choice(i1.size, size=n, replace=True, p=p / p.sum())
        d = dx[pick] / dist[pick, None]
        w = s1 * d / dist[pick, None]
        b = -np.sum(w * X[i1[pick]], axis=1) - s2
        return _neurons(w, b)

    def nodes(self, X, **kw) -> Neurons:
        raise FitError("SWIM sampling has no infinite-width limit here; use a finite width")


LAWS = {"uniform": UniformLaw, "gaussian": GaussianLaw, "swim": SwimLaw}
