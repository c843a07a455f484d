"""Seed 001 §IV: zero-planes cluster and pin at data points in the adaptive regime only.

A 128-wide ReLU network with every layer trained fits 10 points of sin(3x) in 1-D and 16
points of sin(2 x1) x2 + x1/2 in 2-D, twice: in the adaptive regime (step ratio
``regime`` 30 / 100, small output init) and near the kernel regime (regime 0.1 at width
512). Columns: zero-planes over training on the data's sinogram (1-D: knot positions
against epochs, grey lines at the data points; 2-D: (theta, gamma) with the curves
gamma = xi . x_n), adaptive then kernel; and the cluster count (average-linkage
clustering of plane distances cut at 0.05) against epochs for both, with the fraction of
planes pinned within 0.005 R of a data point. Project-defined protocol (the paper's
settings were not recovered; theory.md §6).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _out import out_dir  # examples/_out.py: the one output-folder rule

RUNS = {
    1: dict(regime=30.0, epochs=2000),
    2: dict(regime=100.0, epochs=1000, init_scale=0.05),
}


def data(dim):
    if dim == 1:
        X = np.linspace(-1, 1, 10)[:, None]
        return X, np.sin(3 * X[:, 0])
    X = np.random.default_rng(0).uniform(-1, 1, (16, 2))
    return X, np.sin(2 * X[:, 0]) * X[:, 1] + 0.5 * X[:, 0]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", nargs="?", default=None)
    args = p.parse_args(argv)
    out = out_dir(args.out)
    start = time.perf_counter()

    import torch

    from actdesign import adaptive as A
    from actdesign.adaptive._plot import _sinogram
    from actdesign.spectrum._plot import caption, new_figure, save_figure

    torch.set_num_threads(1)
    fig = new_figure(13, 8)
    axes = fig.subplots(2, 3)
    for row, dim in zip(axes, (1, 2), strict=True):
        X, y = data(dim)
        fast = A.train(X, y, width=128, record_every=50, **RUNS[dim])
        lazy = A.train(X, y, width=512, regime=0.1, epochs=RUNS[dim]["epochs"], record_every=50)
        for ax, traj, name in ((row[0], fast, "adaptive"), (row[1], lazy, "near kernel")):
            _sinogram(ax, traj)
            ax.set_title(
                f"{dim}-D, {name}: regime {traj.config.regime:g}, width {traj.width}", fontsize=9
            )
        for traj, name in ((fast, "adaptive"), (lazy, "near kernel")):
            s = A.summarize(traj)
            row[2].plot(
                traj.epochs,
                s["cluster_counts"],
                "o-",
                ms=2,
                label=f"{name}: pinned {s['pinned_fraction_initial']:.2f} -> "
                f"{s['pinned_fraction_final']:.2f}, loss {s['final_loss']:.1e}",
            )
        row[2].set_yscale("log")
        row[2].set_xlabel("epoch")
        row[2].set_ylabel("clusters of planes cutting the data")
        row[2].legend(fontsize=7)
        row[2].set_title(f"{dim}-D: cluster count", fontsize=9)
    fig.suptitle(
        "Zero-planes cluster and pin at data points in the adaptive regime, "
        "not in the kernel regime",
        fontsize=10,
    )
    caption(fig, "ReLU nets, full-batch GD; v steps lr/width, (w, b) step regime*lr")
    path = save_figure(fig, out / "adaptive_clusters.png")
    print(f"{path} ({time.perf_counter() - start:.1f} s wall)")


if __name__ == "__main__":
    main()
