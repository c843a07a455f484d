"""The kernel-regime prediction, and a small random-features model to measure it against.

Model: f(x) = sum_i mu_i phi(w_i x + b_i), i = 1..width, with (w_i, b_i) frozen and only mu
trained, on the loss c * mean_n (f(x_n) - y_n)^2 (c = 1 for "mse", 1/2 for "half_mse") with
samples x_n spread uniformly over an interval of length L.

Kernel [theory.md §3, RECON]: with b ~ U[-B, B] and B wide enough that every feature's
breakpoint range covers the data, the neural tangent kernel K(x, x') = sum_i phi_i(x) phi_i(x')
is translation invariant with spectral density

    K_hat(k) = (1 / 2B) sum_i |F[phi](k / w_i)|^2 / |w_i| = (1 / 2B) sum_i 1 / (|w_i| rho(k / w_i)),

which is width / (2B rho(k)) when every |w_i| = 1: K_hat is proportional to 1/rho.
Gradient descent with step eta then shrinks the residual at frequency k per step by
(1 - eta lambda(k)) with lambda(k) = 2 c K_hat(k) / L, i.e. by exp(-eta t lambda(k)) after t
steps (gradient flow), and ridge regression (loss + lam ||mu||^2) keeps the fraction
1 / (1 + lam L / (c K_hat(k))) = 1 / (1 + lam_eff rho(k)) of the target at frequency k.
Finite domains, finite B and finite width break translation invariance, so these are
predictions to be checked against measurement (``RandomFeatureModel.gd_trajectory``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..infra._errors import ActdesignError
from ._penalty import penalty_function
from ._units import unit_factor

LOSS_FACTOR = {"mse": 1.0, "half_mse": 0.5}
WEIGHT_LAWS = ("sign", "normal", "uniform")


def ridge_shrinkage(penalty, k, lam, *, unit="angular"):
    """1 / (1 + lam rho(k)): the fraction of the target kept at frequency k by kernel ridge.

    ``lam`` is the effective ridge constant in units of rho (see
    `RandomFeatureModel.effective_ridge` for a given network and loss).

    Parameters
    ----------
    penalty : Activation, str, sympy.Expr or callable
        rho: an activation (its penalty), a penalty string such as ``"k^4"``, a SymPy
        expression in k or a callable of angular k (see ``penalty_function``).
    k : float or array
        Frequencies, in ``unit``.
    lam : float
        Effective ridge constant lambda >= 0, in units of rho.
    unit : {"angular", "cycles"}
        Unit of ``k`` (default angular; cycles are converted to 2 pi k).

    Returns
    -------
    ndarray
        1 / (1 + lam rho(k)), between 0 and 1.
    """
    rho = penalty_function(penalty)(np.asarray(k, dtype=float) / unit_factor(unit))
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + lam * rho)


def predicted_convergence(rate, steps, lr, *, discrete=False):
    """Predicted relative residual |r_t(k)| / |r_0(k)| on a (steps x frequencies) grid.

    Parameters
    ----------
    rate : array
        lambda(k) per unit learning rate (e.g. `RandomFeatureModel.rate`).
    steps : array
        Iteration counts t.
    lr : float
        Learning rate eta.
    discrete : bool
        |1 - eta lambda|^t (gradient descent) instead of exp(-eta t lambda) (gradient flow).
    """
    t = np.asarray(steps, dtype=float)[:, None]
    lam = np.asarray(rate, dtype=float)[None, :]
    if discrete:
        return np.abs(1.0 - lr * lam) ** t
    return np.exp(-lr * t * lam)


@dataclass(frozen=True, eq=False)
class RandomFeatureModel:
    """A width-``width`` random-features network in the kernel regime, and its predictions.

    Parameters
    ----------
    activation : callable
        phi, a numpy callable (an `actdesign.Activation` works).
    penalty : optional
        rho for the prediction (default: read from ``activation``; see ``penalty_function``).
    width : int
        Number of features.
    bias_range : float
        B: biases b_i ~ U[-B, B]; take B well beyond max |w x| over the data.
    weight_law : {"sign", "normal", "uniform"}
        w_i = ±weight_scale, N(0, weight_scale^2), or U[-weight_scale, weight_scale].
    weight_scale : float
        Scale of the weights (> 0; default 1), as in ``weight_law``.
    loss : {"mse", "half_mse"}
        c = 1 (torch's MSELoss) or 1/2.
    seed : int
        Seed of the numpy generator that draws the weights and biases (default 0).
    """

    activation: object
    penalty: object = None
    width: int = 1024
    bias_range: float = 10.0
    weight_law: str = "sign"
    weight_scale: float = 1.0
    loss: str = "mse"
    seed: int = 0

    def __post_init__(self):
        if self.weight_law not in WEIGHT_LAWS:
            raise ActdesignError(
                f"weight_law must be one of {WEIGHT_LAWS}, got {self.weight_law!r}"
            )
        if self.loss not in LOSS_FACTOR:
            raise ActdesignError(f"loss must be one of {tuple(LOSS_FACTOR)}, got {self.loss!r}")
        if (
            int(self.width) != self.width
            or self.width < 1
            or not self.bias_range > 0
            or not self.weight_scale > 0
        ):
            raise ActdesignError(
                "width must be a positive integer and bias_range, weight_scale positive"
            )
        rng = np.random.default_rng(self.seed)
        s = self.weight_scale
        draw = {
            "sign": lambda: s * rng.choice([-1.0, 1.0], self.width),
            "normal": lambda: s * rng.standard_normal(self.width),
            "uniform": lambda: rng.uniform(-s, s, self.width),
        }[self.weight_law]
        object.__setattr__(self, "w", draw())
        object.__setattr__(self, "b", rng.uniform(-self.bias_range, self.bias_range, self.width))

    # --- prediction ---------------------------------------------------------------------
    def kernel_spectrum(self, k, *, unit="angular"):
        """K_hat(k) = (1/2B) sum_i 1 / (|w_i| rho(k / w_i))  (angular k internally)."""
        rho = penalty_function(self.activation if self.penalty is None else self.penalty)
        k = np.atleast_1d(np.asarray(k, dtype=float)) / unit_factor(unit)
        aw = np.abs(self.w)
        # group equal |w| (the "sign" law has one) so rho is evaluated once per distinct scale
        scales, counts = np.unique(aw, return_counts=True)
        out = np.zeros_like(k)
        with np.errstate(divide="ignore", over="ignore"):
            for s, c in zip(scales, counts, strict=True):
                out += c / (s * rho(k / s))
        return out / (2.0 * self.bias_range)

    def rate(self, k, length, *, unit="angular"):
        """lambda(k) = 2 c K_hat(k) / L: residual decay rate per step per unit learning rate."""
        return 2.0 * LOSS_FACTOR[self.loss] * self.kernel_spectrum(k, unit=unit) / length

    def effective_ridge(self, lam, length):
        """lam_eff such that 1/(1 + lam_eff rho) is the ridge shrinkage (``sign`` law, |w| = 1)."""
        if self.weight_law != "sign" or self.weight_scale != 1.0:
            raise ActdesignError(
                "effective_ridge needs weight_law='sign', weight_scale=1; use ridge_prediction"
            )
        return lam * length * 2.0 * self.bias_range / (LOSS_FACTOR[self.loss] * self.width)

    def ridge_prediction(self, k, lam, length, *, unit="angular"):
        """Predicted kept fraction 1 / (1 + lam L / (c K_hat(k))) for the ridge fit."""
        kh = self.kernel_spectrum(k, unit=unit)
        with np.errstate(divide="ignore"):
            return 1.0 / (1.0 + lam * length / (LOSS_FACTOR[self.loss] * kh))

    # --- measurement --------------------------------------------------------------------
    def features(self, x):
        """The (N, width) feature matrix phi(w_i x_n + b_i)."""
        x = np.asarray(x, dtype=float).reshape(-1, 1)
        return np.asarray(self.activation(x * self.w[None, :] + self.b[None, :]), dtype=float)

    def _gram(self, x):
        phi = self.features(x)
        return phi, (2.0 * LOSS_FACTOR[self.loss] / phi.shape[0]) * (phi @ phi.T)

    def max_stable_lr(self, x):
        """2 / (largest eigenvalue of the function-space step matrix): GD diverges above it."""
        _, g = self._gram(x)
        return 2.0 / np.linalg.eigvalsh(g)[-1]

    def gd_trajectory(self, x, y, steps, lr, *, discrete=True):
        """Model outputs at ``x`` after each number of GD steps in ``steps`` (mu starts at 0).

        Exact, through the eigendecomposition of the step matrix G = (2c/N) Phi Phi^T: the
        residual after t steps is U (1 - lr g)^t U^T y (or exp(-lr t g) if not ``discrete``).

        Returns
        -------
        ndarray, shape (len(steps), N)
        """
        y = np.asarray(y, dtype=float)
        _, g = self._gram(x)
        vals, vecs = np.linalg.eigh(g)
        vals = np.clip(vals, 0.0, None)
        coef = vecs.T @ y
        t = np.asarray(steps, dtype=float)[:, None]
        decay = (1.0 - lr * vals[None, :]) ** t if discrete else np.exp(-lr * t * vals[None, :])
        return y[None, :] - (decay * coef[None, :]) @ vecs.T

    def ridge_fit(self, x, y, lam):
        """mu minimising c mean_n (f(x_n) - y_n)^2 + lam ||mu||^2; returns a predictor x -> f(x)."""
        phi = self.features(x)
        c = LOSS_FACTOR[self.loss] / phi.shape[0]
        a = c * (phi @ phi.T) + lam * np.eye(phi.shape[0])
        mu = phi.T @ np.linalg.solve(a, c * np.asarray(y, dtype=float))
        return lambda xx: self.features(xx) @ mu
