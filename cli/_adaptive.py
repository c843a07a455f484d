"""`actdesign adaptive`: train a shallow ReLU net with every layer free; track its zero-planes."""

from __future__ import annotations

import click

from ._common import emit_json, fail, json_option, user_errors
from ._options import (
    NONNEGATIVE,
    POSITIVE,
    check_output_files,
    data_option,
    force_option,
    seed_option,
)


def _opt(name, kind, default, help_text, metavar=None):
    return click.option(name, type=kind, default=default, show_default=default is not None,
                        metavar=metavar, help=help_text)


@click.command()
@data_option("Training CSV: columns x1..xD, then y.")
@_opt("--width", click.IntRange(min=1), 128, "Hidden neurons.")
@_opt("--regime", NONNEGATIVE, 30.0,
      "Step of (w, b) over width x step of v: 0 kernel, 1 NTK, >> 1 adaptive.")
@_opt("--epochs", click.IntRange(min=1), 2000, "Full-batch gradient steps.")
@_opt("--lr", POSITIVE, 0.5, "Base step size (v steps lr/width, (w, b) step regime*lr).")
@seed_option(default=0)
@_opt("--law", click.Choice(["uniform", "gaussian"]), "uniform", "Initial law of (w, b).")
@_opt("--scale", POSITIVE, 1.0, "|w| (uniform law) or sigma_w (gaussian law).")
@_opt("--bias-std", POSITIVE, 1.0, "sigma_b of the gaussian law.")
@_opt("--radius", POSITIVE, None,
      "Uniform law: gamma ~ U[-R, R] (default: max |x| of the data).", "R")
@_opt("--init-scale", POSITIVE, 0.1, "Standard deviation of sqrt(width) * v at initialisation.")
@_opt("--record-every", click.IntRange(min=1), 50, "Epochs between recorded snapshots.")
@_opt("--threshold", POSITIVE, 0.05,
      "Distance at which the hierarchical clustering of planes is cut.")
@_opt("--pin-tol", POSITIVE, 0.005, "A plane is pinned within pin-tol * R of a data point.")
@_opt("--drift-widths", str, None,
      "Also run the kernel-limit drift check at these widths, e.g. 64,256,1024 "
      "(regime 1, 100 epochs, lr 0.1, init 1, 3 seeds, same law).", "N,N,...")
@click.option("--plot", "plot_path", metavar="PNG", default=None,
              help="Write the figure (planes on the sinogram, V_t, clusters) to this PNG.")
@force_option
@json_option
@user_errors
def adaptive(
    data,
    width,
    regime,
    epochs,
    lr,
    seed,
    law,
    scale,
    bias_std,
    radius,
    init_scale,
    record_every,
    threshold,
    pin_tol,
    drift_widths,
    plot_path,
    force,
    as_json,
):
    """Train a shallow ReLU network on --data with (v, w, b) all trained, and report how its
    zero-planes move: cluster counts over epochs, pinning at data points, drift.

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (printed with the results).
    """
    from actdesign import adaptive as A
    from actdesign.fit import read_training_csv

    if plot_path is not None and not plot_path.lower().endswith(".png"):
        fail(f"--plot writes a PNG; give a path ending in .png, got {plot_path}")
    if plot_path is not None:
        check_output_files(plot_path, force=force, option="--plot")
    config = A.TrainConfig(
        width=width,
        regime=regime,
        epochs=epochs,
        lr=lr,
        law=law,
        scale=scale,
        bias_std=bias_std,
        radius=radius,
        init_scale=init_scale,
        record_every=record_every,
        seed=seed,
    )
    widths = _widths(drift_widths) if drift_widths is not None else None
    X, y = read_training_csv(data)
    if plot_path is not None and X.shape[1] > 2:
        fail(f"--plot draws 1-D and 2-D inputs only; the data have {X.shape[1]} input columns")
    A.check_run_memory(X.shape[0], X.shape[1], config)  # training and summary, up front
    traj = A.train(X, y, config)
    summary = A.summarize(traj, threshold=threshold, pin_tol=pin_tol)
    summary["drift_check"] = None
    if widths is not None:
        law_settings = dict(law=law, scale=scale, bias_std=bias_std, radius=radius)
        seeds = (seed, seed + 1, seed + 2)
        check = A.drift_vs_width(X, y, widths, seeds=seeds, **law_settings)
        summary["drift_check"] = check.as_dict()
    summary["plot"] = str(A.plot_run(traj, summary, plot_path)) if plot_path else None
    if as_json:
        emit_json(summary)
    else:
        _print(summary)


def _widths(text):
    parts = [p.strip() for p in str(text).split(",")]
    try:
        widths = [int(p) for p in parts]
    except ValueError:
        fail(f"--drift-widths takes positive integers separated by commas, got {text!r}")
    if len(widths) < 2 or min(widths) < 1 or len(set(widths)) != len(widths):
        fail(f"--drift-widths needs at least two distinct positive widths, got {text!r}")
    return widths


def _print(s):
    click.echo(
        f"adaptive: {s['points']} points in {s['inputs']}-D, width {s['width']}, "
        f"regime {s['regime']:g} (rate ratio {s['rate_ratio']:.3g}), {s['law']} law"
    )
    click.echo(
        f"loss: {s['initial_loss']:.4g} -> {s['final_loss']:.4g} "
        f"after {s['epochs']} epochs ({s['seconds']:.2f} s)"
    )
    c = s["cluster_counts"]
    click.echo(
        f"clusters (plane distance < {s['cluster_threshold']:g}): {c[0]} -> {c[-1]} (min {min(c)})"
    )
    click.echo(
        f"pinned fraction (tol {s['pin_tol']:g} R): "
        f"{s['pinned_fraction_initial']:.3f} -> {s['pinned_fraction_final']:.3f}"
    )
    click.echo(f"drift (mean |d(xi, gamma/R)|): {s['drift']:.4g}")
    k = s["sinks_final"]
    if k is not None:
        on = "n/a" if k["attracting_on_data"] is None else f"{k['attracting_on_data']:.2f}"
        click.echo(
            f"V_t at the end: sinks {k['sinks_mu_pos']} (mu > 0), {k['sinks_mu_neg']} (mu < 0); "
            f"attracting cells {k['attracting']}, on a data curve {on}"
        )
    d = s["drift_check"]
    if d is not None:
        pairs = ", ".join(f"{w}: {m:.3g}" for w, m in zip(d["widths"], d["drift"], strict=True))
        click.echo(
            f"drift check (regime 1): {pairs}; log-log slope {d['slope']:.3f} (kernel: -0.5)"
        )
    if s["plot"]:
        click.echo(f"plot: {s['plot']}")
    click.echo(f"convention: {s['convention']}")
