"""The record of a run: snapshots of (v, w, b) and their Radon-spline coordinates.

A ReLU neuron ``v relu(w . x + b)`` is ``mu relu(xi . x - gamma)`` with ``omega = |w|``,
``xi = w / omega``, ``gamma = -b / omega`` and ``mu = v omega`` (degree s = 1,
theory.md §1); `actdesign.fit.to_radon` does the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fit._coords import to_radon
from ._errors import AdaptiveError


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Snapshots of a training run.

    Attributes
    ----------
    X, y : arrays (N, D), (N,)
        The training data.
    epochs : int array (T,)
        Epochs of the snapshots.
    v, w, b : arrays (T, n), (T, n, D), (T, n)
        Parameters at each snapshot.
    loss : array (epochs + 1,)
        ``(1/2N) sum r^2`` at every epoch (before its step).
    config : TrainConfig
        The settings of the run.
    seconds : float
        Wall time of the training loop.
    """

    X: np.ndarray
    y: np.ndarray
    epochs: np.ndarray
    v: np.ndarray
    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    config: object
    seconds: float

    @property
    def width(self) -> int:
        return self.v.shape[1]

    def index(self, epoch=None) -> int:
        """Snapshot index of ``epoch`` (None: the last snapshot).

        Parameters
        ----------
        epoch : int, optional
            A recorded epoch (AdaptiveError otherwise).
        """
        if epoch is None:
            return len(self.epochs) - 1
        hits = np.flatnonzero(self.epochs == epoch)
        if hits.size == 0:
            raise AdaptiveError(
                f"epoch {epoch} was not recorded; recorded epochs are "
                f"{self.epochs[0]}..{self.epochs[-1]} every {self.config.record_every}"
            )
        return int(hits[0])

    def radon(self, t: int = -1):
        """(mu, xi, gamma, omega) at snapshot ``t``.

        Parameters
        ----------
        t : int
            Snapshot index (default -1, the last; see `index`).
        """
        return to_radon(self.v[t], self.w[t], self.b[t], 1.0)

    def planes(self):
        """(xi, gamma) of every snapshot: arrays (T, n, D) and (T, n)."""
        omega = np.linalg.norm(self.w, axis=2)
        if np.any(omega == 0):
            raise AdaptiveError("a neuron reached w = 0: its zero-plane is undefined")
        return self.w / omega[..., None], -self.b / omega

    def residual(self, t: int = -1):
        """``f(x_n) - y_n`` at snapshot ``t``.

        Parameters
        ----------
        t : int
            Snapshot index (default -1, the last; see `index`).
        """
        return predict(self.v[t], self.w[t], self.b[t], self.X) - self.y

    def radius(self) -> float:
        """Data radius max |x_n| (the gamma scale), at least 1e-12."""
        return max(float(np.max(np.linalg.norm(self.X, axis=1))), 1e-12)


def predict(v, w, b, X):
    """``sum_i v_i relu(w_i . x + b_i)`` at the rows of X (numpy, float64)."""
    return np.maximum(np.asarray(X) @ np.asarray(w).T + b, 0.0) @ v
