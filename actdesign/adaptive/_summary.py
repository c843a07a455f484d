"""One record of a run: loss, clusters over epochs, pinning, drift, rates (for JSON/CLI)."""

from __future__ import annotations

import numpy as np

from ..infra._convention import CONVENTION
from ._clusters import cluster_history, cuts_data
from ._drift import plane_drift
from ._field import field_on_grid, pinned, sinks_on_data
from ._train import step_sizes


def pinned_fraction(traj, t: int, tol: float) -> float:
    """Fraction of the planes that cut the data which pass within ``tol * R`` of a point."""
    xi, g = traj.planes()
    keep = cuts_data(traj.X, xi[t], g[t])
    if not keep.any():
        return 0.0
    return float(np.mean(pinned(traj.X, xi[t][keep], g[t][keep], tol * traj.radius())))


def rate_ratio(traj) -> float:
    """Zero-plane rate over amplitude rate at initialisation (see `._train`).

    ``(step_h <|mu| / omega^2>) / (step_v width <omega^2>)``: the first factor multiplies
    V_t in the plane velocity, the second is the kernel (amplitude) clock.
    """
    mu, _, _, omega = traj.radon(0)
    lr_v, lr_h = step_sizes(traj.config)
    return float(lr_h * np.mean(np.abs(mu) / omega**2) / (lr_v * traj.width * np.mean(omega**2)))


def sink_summary(traj, t: int = -1) -> dict | None:
    """Sinks and attracting cells of V_t at snapshot ``t`` on the default grid (D = 1, 2).

    ``sinks``: cells the flow enters from every side (point attractors), for mu > 0 and
    mu < 0; ``attracting``: cells entered from both gamma sides (both signs together);
    ``attracting_on_data``: the fraction of those that a sinogram curve crosses, i.e.
    that pin planes to a data point. None for D > 2.
    """
    if traj.X.shape[1] > 2:
        return None
    field = field_on_grid(traj.X, traj.residual(t))
    cells = np.concatenate([field.attracting(+1.0), field.attracting(-1.0)])
    on = sinks_on_data(field, cells, traj.X, angular=False)
    return {
        "sinks_mu_pos": len(field.sinks(+1.0)),
        "sinks_mu_neg": len(field.sinks(-1.0)),
        "attracting": len(cells),
        "attracting_on_data": float(np.mean(on)) if len(cells) else None,
    }


def summarize(traj, *, threshold: float = 0.05, pin_tol: float = 0.005) -> dict:
    """A JSON-ready summary of a `Trajectory`.

    Parameters
    ----------
    traj : Trajectory
        A run of `train`.
    threshold : float
        Distance at which the hierarchical clustering of plane distances is cut
        (default 0.05; see `cluster_count`).
    pin_tol : float
        Pinning tolerance as a fraction of the data radius R (default 0.005): a plane
        within ``pin_tol * R`` of a data point counts as pinned to it.

    Returns
    -------
    dict
        Run settings, initial and final loss, cluster counts per recorded epoch, the
        pinned fractions, the drift, the sinks of V_t at the end and the convention.
    """
    hist = cluster_history(traj, threshold=threshold)
    cfg = traj.config
    return {
        "points": int(traj.X.shape[0]),
        "inputs": int(traj.X.shape[1]),
        "width": traj.width,
        "regime": cfg.regime,
        "rate_ratio": rate_ratio(traj),
        "step_v": step_sizes(cfg)[0],
        "step_wb": step_sizes(cfg)[1],
        "lr": cfg.lr,
        "epochs": cfg.epochs,
        "law": cfg.law,
        "seed": cfg.seed,
        "initial_loss": float(traj.loss[0]),
        "final_loss": float(traj.loss[-1]),
        "recorded_epochs": traj.epochs.tolist(),
        "cluster_counts": hist["planes"].tolist(),
        "pattern_cluster_counts": hist["patterns"].tolist(),
        "cutting_planes": hist["cutting"].tolist(),
        "cluster_threshold": threshold,
        "pinned_fraction_initial": pinned_fraction(traj, 0, pin_tol),
        "pinned_fraction_final": pinned_fraction(traj, -1, pin_tol),
        "pin_tol": pin_tol,
        "drift": plane_drift(traj),
        "sinks_final": sink_summary(traj),
        "seconds": traj.seconds,
        "activation": "relu(z)",
        "convention": CONVENTION,
    }
