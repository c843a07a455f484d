"""Figures of a run: plane density over time on the data sinogram, V_t, cluster counts.

matplotlib loads here only; figures are pyplot-free and written atomically (through
`actdesign.spectrum._plot.save_figure`), with the convention in the caption.
"""

from __future__ import annotations

import numpy as np

from ._field import field_on_grid


def plot_run(traj, summary, path, *, title=None):
    """Three panels: planes over time on the sinogram, V_t at the end, clusters vs epoch.

    Parameters
    ----------
    traj : Trajectory
        A run of `train`.
    summary : dict
        Its `summarize` (cluster counts and the default title).
    path : str or Path
        Image file to write (format from the suffix; the folder must exist).
    title : str, optional
        Figure title (default: points, width, regime and final loss of the run).

    Returns
    -------
    Path
        ``path``, written atomically.
    """
    from ..spectrum._plot import caption, new_figure, save_figure

    fig = new_figure(13, 4.2)
    ax = fig.subplots(1, 3)
    _sinogram(ax[0], traj)
    _field(ax[1], traj)
    _clusters(ax[2], traj, summary)
    fig.suptitle(title or _title(summary), fontsize=10)
    caption(fig, "ReLU net, all layers trained; V_t = plane velocity per unit mu/omega^2")
    return save_figure(fig, path)


def _title(s):
    return (
        f"{s['points']} points in {s['inputs']}-D, width {s['width']}, regime {s['regime']:g} "
        f"(rate ratio {s['rate_ratio']:.2g}), final loss {s['final_loss']:.2e}"
    )


def _sinogram(ax, traj):
    xi_t, g_t = traj.planes()
    X, T = traj.X, len(traj.epochs)
    colours = np.linspace(0.15, 1.0, T)
    if X.shape[1] == 1:
        # 1-D: the knot of a plane sits at x = xi * gamma; data points are horizontal lines
        for x in X[:, 0]:
            ax.axhline(x, color="0.8", lw=0.8, zorder=0)
        ep = np.repeat(traj.epochs, traj.width)
        knots = (xi_t[..., 0] * g_t).ravel()
        lim = 1.3 * traj.radius()
        span = [[traj.epochs[0], traj.epochs[-1]], [-lim, lim]]
        ax.hist2d(ep, knots, bins=[min(T, 60), 120], range=span, cmap="Blues", cmin=1)
        ax.set_xlabel("epoch")
        ax.set_ylabel("knot x = xi gamma (grey: data points)")
        ax.set_title("zero-plane density over training", fontsize=9)
        return
    th = np.linspace(0, 2 * np.pi, 200)
    for x in X:
        ax.plot(th, np.cos(th) * x[0] + np.sin(th) * x[1], color="0.8", lw=0.7, zorder=0)
    for k in range(T):
        angle = np.mod(np.arctan2(xi_t[k, :, 1], xi_t[k, :, 0]), 2 * np.pi)
        ax.scatter(angle, g_t[k], s=3, color=(0.1, 0.2, 0.7, colours[k] * 0.6), lw=0)
    ax.set_ylim(-1.3 * traj.radius(), 1.3 * traj.radius())
    ax.set_xlabel("theta (xi = (cos, sin))")
    ax.set_ylabel("gamma (grey: sinogram xi . x_n)")
    ax.set_title("zero-planes over training (darker = later)", fontsize=9)


def _field(ax, traj):
    n_gamma = 601 if traj.X.shape[1] == 1 else 41  # 1-D: resolve the jumps at the points
    field = field_on_grid(traj.X, traj.residual(-1), n_theta=48, n_gamma=n_gamma)
    if field.dim == 1:
        for row, lab in zip(range(2), ("xi = +1", "xi = -1"), strict=True):
            ax.plot(field.gamma, field.v_gamma[row], lw=1.2, label=lab)
        for x in traj.X[:, 0]:
            ax.axvline(x, color="0.85", lw=0.7, zorder=0)
            ax.axvline(-x, color="0.93", lw=0.5, zorder=0)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlabel("gamma")
        ax.set_ylabel("V_t gamma-component")
        ax.legend(fontsize=7)
    else:
        th = np.linspace(0, 2 * np.pi, 200)
        for x in traj.X:
            ax.plot(th, np.cos(th) * x[0] + np.sin(th) * x[1], color="0.88", lw=0.6, zorder=0)
        T, G = np.meshgrid(field.theta, field.gamma, indexing="ij")
        ax.quiver(
            T,
            G,
            field.v_theta,
            field.v_gamma,
            np.hypot(field.v_theta, field.v_gamma),
            cmap="viridis",
            angles="xy",
            pivot="mid",
        )
        cells, sinks = field.attracting(+1.0), field.sinks(+1.0)
        ax.plot(cells[:, 0], cells[:, 1], "r.", ms=3, label="attracting in gamma (mu > 0)")
        ax.plot(sinks[:, 0], sinks[:, 1], "k+", ms=8, label="sinks (mu > 0)")
        ax.legend(fontsize=7)
        ax.set_xlabel("theta")
        ax.set_ylabel("gamma")
    ax.set_title(f"V_t at epoch {traj.epochs[-1]} (from the residual)", fontsize=9)


def _clusters(ax, traj, s):
    ax.plot(traj.epochs, s["cluster_counts"], "o-", ms=3, label="clusters (plane distance)")
    ax.plot(traj.epochs, s["pattern_cluster_counts"], "s-", ms=3, label="clusters (patterns)")
    ax.plot(traj.epochs, s["cutting_planes"], "--", color="0.5", label="planes cutting the data")
    ax.set_xlabel("epoch")
    ax.set_ylabel("count")
    ax.set_yscale("log")
    ax.set_title(
        f"pinned: {s['pinned_fraction_initial']:.2f} -> {s['pinned_fraction_final']:.2f} "
        f"(tol {s['pin_tol']:g} R)",
        fontsize=9,
    )
    ax.legend(fontsize=7)
