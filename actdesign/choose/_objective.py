"""Objectives for a penalty's parameters: GP log marginal likelihood, k-fold CV error.

The model is y = m + f + noise with f ~ GP(0, s^2 C), C = kappa / kappa(0) the kernel's
correlation, and noise ~ N(0, s^2 eta I). The constant mean m and the signal variance
s^2 have closed-form maximisers given the rest (generalised least squares), so the
optimiser only sees the penalty's parameters and the noise-to-signal ratio eta.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg


def correlation(family, params: dict, R, dim: int):
    """C = kappa(r) / kappa(0) for the family's kernel at ``params``.

    ``R`` is a `Distances`: the kernel is evaluated once per distinct distance.
    """
    k0 = float(family.kernel(np.zeros(1), params, dim)[0])
    C = np.empty((R.size, R.size))
    C[R.upper] = (family.kernel(R.unique, params, dim) / k0)[R.inverse]
    C.T[R.upper] = C[R.upper]
    np.fill_diagonal(C, 1.0)
    return C


def _solve_gls(C, y, eta):
    """Cholesky of C + eta I, the GLS constant mean, and A^-1 (y - mean)."""
    A = C + eta * np.eye(C.shape[0])
    L = linalg.cho_factor(A, lower=True, check_finite=False)
    ones = np.ones_like(y)
    a1 = linalg.cho_solve(L, ones, check_finite=False)
    ay = linalg.cho_solve(L, y, check_finite=False)
    mean = float(ones @ ay / (ones @ a1))
    alpha = ay - mean * a1
    return L, mean, alpha


def log_marginal(C, y, eta: float):
    """Profile log marginal likelihood and the maximising (mean, s^2).

    Parameters
    ----------
    C : array (M, M)
        Correlation matrix kappa(|x_i - x_j|) / kappa(0) of the points (unit diagonal).
    y : array (M,)
        Targets.
    eta : float
        Noise-to-signal variance ratio (> 0): the noise covariance is s^2 eta I.

    Returns
    -------
    (float, dict)
        log p(y | C, eta, mean, s^2) at the maximising mean and s^2 (nats), and
        ``{"mean": m, "signal_var": s^2, "noise_var": s^2 eta}``.
    """
    M = y.size
    L, mean, alpha = _solve_gls(C, y, eta)
    s2 = float((y - mean) @ alpha) / M
    logdet = 2.0 * float(np.sum(np.log(np.diag(L[0]))))
    value = -0.5 * M * (math.log(2 * math.pi * s2) + 1.0) - 0.5 * logdet
    return value, {"mean": mean, "signal_var": s2, "noise_var": s2 * eta}


def folds_of(M: int, k: int, seed: int):
    """k disjoint test index sets covering range(M) (a seeded permutation)."""
    perm = np.random.default_rng(seed).permutation(M)
    return [np.sort(f) for f in np.array_split(perm, k)]


def cv_error(C, y, eta: float, folds):
    """Mean squared error of the posterior mean (GLS mean per fold) over k folds.

    Parameters
    ----------
    C : array (M, M)
        Correlation matrix kappa(|x_i - x_j|) / kappa(0) of the points (unit diagonal).
    y : array (M,)
        Targets.
    eta : float
        Noise-to-signal variance ratio (> 0).
    folds : sequence of int arrays
        Disjoint test index sets covering ``range(M)``; each is predicted from the rest.

    Returns
    -------
    (float, dict)
        The CV mean squared error and ``{"mean", "signal_var", "noise_var"}`` from the
        marginal-likelihood maximisers on all points (for the report only).
    """
    M = y.size
    sq = 0.0
    for test in folds:
        train = np.setdiff1d(np.arange(M), test, assume_unique=True)
        _, mean, alpha = _solve_gls(C[np.ix_(train, train)], y[train], eta)
        pred = mean + C[np.ix_(test, train)] @ alpha
        sq += float(np.sum((y[test] - pred) ** 2))
    _, extra = log_marginal(C, y, eta)
    return sq / M, extra


class Distances:
    """Pairwise distances of the rows of X, each pair once (row-major upper triangle)."""

    def __init__(self, X):
        from scipy.spatial.distance import pdist

        self.size = X.shape[0]
        self.pairs = pdist(X)  # exact differences, no Gram-matrix cancellation
        self.upper = np.triu_indices(self.size, 1)
        # gridded data (pixels) repeat few distances: the kernel (a Bessel function for
        # Matern) is evaluated once per distinct distance
        self.unique, self.inverse = np.unique(self.pairs, return_inverse=True)

    @property
    def max(self) -> float:
        return float(np.max(self.pairs, initial=0.0))
