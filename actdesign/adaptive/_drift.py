"""Kernel-regime drift check: zero-planes stop moving as the width grows.

The relative movement of a run is the neuron average of
``sqrt(|xi_i(T) - xi_i(0)|^2 + ((gamma_i(T) - gamma_i(0)) / R)^2)`` with R the data radius.
With ``regime = 1`` (the NTK parameterisation, see `._train`) the kernel limit
predicts movement ∝ width^(-1/2): a log-log fit of movement against width has slope -1/2.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ._errors import AdaptiveError
from ._train import TrainConfig, train


def plane_drift(traj, start: int = 0, stop: int = -1) -> float:
    """Mean relative zero-plane movement between two snapshots of a Trajectory."""
    xi, g = traj.planes()
    dxi = np.sum((xi[stop] - xi[start]) ** 2, axis=1)
    dg = ((g[stop] - g[start]) / traj.radius()) ** 2
    return float(np.mean(np.sqrt(dxi + dg)))


@dataclass(frozen=True)
class DriftResult:
    """Movement against width and its log-log fit ``log drift = slope log width + c``."""

    widths: np.ndarray
    drift: np.ndarray
    slope: float
    intercept: float

    def as_dict(self):
        return {
            "widths": self.widths.tolist(),
            "drift": self.drift.tolist(),
            "slope": self.slope,
            "intercept": self.intercept,
        }


def drift_vs_width(X, y, widths=(64, 256, 1024, 4096), *, seeds=(0, 1, 2, 3), **settings):
    """Plane movement (mean over ``seeds``) for each width, and its log-log slope.

    ``settings`` are `TrainConfig` fields; the defaults here are a short run near
    the kernel limit: regime 1, 100 epochs, lr 0.1, init_scale 1, and paired neurons
    (initial function 0), which removes the seed-to-seed spread of the random initial
    function from the prefactor (widths must then be even).

    Parameters
    ----------
    X : array (N, D)
        Training inputs.
    y : array (N,)
        Targets.
    widths : sequence of int
        At least two distinct positive widths (even with the default ``paired=True``).
    seeds : sequence of int
        One run per seed and width; the drift is their mean.
    **settings
        Other `TrainConfig` fields (``width`` and ``seed`` are set here).

    Returns
    -------
    DriftResult
        ``widths``, the mean ``drift`` at each, and the ``slope`` and ``intercept`` of
        the log-log fit (the kernel limit predicts slope -1/2 at regime 1).
    """
    widths = np.asarray(widths, dtype=int)
    if widths.size < 2 or np.any(widths < 1) or np.unique(widths).size != widths.size:
        raise AdaptiveError("drift check needs at least two distinct positive widths")
    if len(seeds) < 1:
        raise AdaptiveError("drift check needs at least one seed")
    near_kernel = {"regime": 1.0, "epochs": 100, "lr": 0.1, "init_scale": 1.0, "paired": True}
    base = TrainConfig(**{**near_kernel, **settings, "width": int(widths[0])})
    drift = []
    for n in widths:
        runs = [
            train(X, y, replace(base, width=int(n), seed=s, record_every=base.epochs))
            for s in seeds
        ]
        drift.append(np.mean([plane_drift(r) for r in runs]))
    drift = np.asarray(drift)
    if np.any(drift <= 0):
        raise AdaptiveError("planes did not move (regime = 0?); the drift slope is undefined")
    slope, intercept = np.polyfit(np.log(widths), np.log(drift), 1)
    return DriftResult(widths, drift, float(slope), float(intercept))
