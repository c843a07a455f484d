"""`actdesign adaptive`: train a shallow ReLU net with every layer free; track its zero-planes."""

from __future__ import annotations

import math

import click

from ._common import emit_json, fail, json_option, user_errors

INTS = ("width", "epochs", "seed", "record_every")
FLOATS = ("regime", "lr", "scale", "bias_std", "radius", "init_scale", "threshold", "pin_tol")


def _convert(values: dict) -> dict:
    # options arrive as text and are converted here, so that a bad value gives one line
    # and exit status 2 (click's own type errors print a three-line usage block)
    out = {}
    for name, text in values.items():
        kind = int if name in INTS else float
        if text is None:
            out[name] = None
            continue
        try:
            out[name] = kind(str(text).strip())
        except ValueError:
            what = "an integer" if kind is int else "a number"
            fail(f"--{name.replace('_', '-')} must be {what}, got {text!r}")
    return out


def _check_positive(**values):
    # numbers are validated here and by TrainConfig, so bad values give one line, exit 2
    for name, value in values.items():
        if not (value > 0 and math.isfinite(value)):
            fail(f"--{name.replace('_', '-')} must be a positive finite number, got {value}")


@click.command()
@click.option(
    "--data", type=str, metavar="CSV", default=None, help="Training CSV: columns x1..xD, then y."
)
@click.option(
    "--width", type=str, metavar="N", default="128", show_default=True, help="Hidden neurons."
)
@click.option(
    "--regime",
    type=str,
    metavar="X",
    default="30",
    show_default=True,
    help="Step of (w, b) over width x step of v: 0 kernel, 1 NTK, >> 1 adaptive.",
)
@click.option(
    "--epochs",
    type=str,
    metavar="N",
    default="2000",
    show_default=True,
    help="Full-batch gradient steps.",
)
@click.option(
    "--lr",
    type=str,
    metavar="X",
    default="0.5",
    show_default=True,
    help="Base step size (v steps lr/width, (w, b) step regime*lr).",
)
@click.option(
    "--seed", type=str, metavar="N", default="0", show_default=True, help="Random seed (>= 0)."
)
@click.option(
    "--law",
    type=str,
    metavar="uniform|gaussian",
    default="uniform",
    show_default=True,
    help="Initial law of (w, b): uniform or gaussian.",
)
@click.option(
    "--scale",
    type=str,
    metavar="X",
    default="1",
    show_default=True,
    help="|w| (uniform law) or sigma_w (gaussian law).",
)
@click.option(
    "--bias-std",
    type=str,
    metavar="X",
    default="1",
    show_default=True,
    help="sigma_b of the gaussian law.",
)
@click.option(
    "--radius",
    type=str,
    metavar="R",
    default=None,
    help="Uniform law: gamma ~ U[-R, R] (default: max |x| of the data).",
)
@click.option(
    "--init-scale",
    type=str,
    metavar="X",
    default="0.1",
    show_default=True,
    help="Standard deviation of sqrt(width) * v at initialisation.",
)
@click.option(
    "--record-every",
    type=str,
    metavar="N",
    default="50",
    show_default=True,
    help="Epochs between recorded snapshots.",
)
@click.option(
    "--threshold",
    type=str,
    metavar="X",
    default="0.05",
    show_default=True,
    help="Distance at which the hierarchical clustering of planes is cut.",
)
@click.option(
    "--pin-tol",
    type=str,
    metavar="X",
    default="0.005",
    show_default=True,
    help="A plane is pinned within pin-tol * R of a data point.",
)
@click.option(
    "--drift-widths",
    type=str,
    metavar="N,N,...",
    default=None,
    help="Also run the kernel-limit drift check at these widths, e.g. 64,256,1024 "
    "(regime 1, 100 epochs, lr 0.1, init 1, 3 seeds, same law).",
)
@click.option(
    "--plot",
    "plot_path",
    type=str,
    metavar="PNG",
    default=None,
    help="Write the figure (planes on the sinogram, V_t, clusters) to this PNG.",
)
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
    as_json,
):
    """Train a shallow ReLU network on --data with (v, w, b) all trained, and report how its
    zero-planes move: cluster counts over epochs, pinning at data points, drift.

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (printed with the results).
    """
    from actdesign import adaptive as A
    from actdesign.fit import read_training_csv

    if data is None:
        fail("--data is required: a CSV with columns x1..xD, then y")
    n = _convert(
        dict(
            width=width,
            regime=regime,
            epochs=epochs,
            lr=lr,
            seed=seed,
            scale=scale,
            bias_std=bias_std,
            radius=radius,
            init_scale=init_scale,
            record_every=record_every,
            threshold=threshold,
            pin_tol=pin_tol,
        )
    )
    width, regime, epochs, lr, seed = (n[k] for k in ("width", "regime", "epochs", "lr", "seed"))
    scale, bias_std, radius, init_scale = (n[k] for k in FLOATS[2:6])
    record_every, threshold, pin_tol = n["record_every"], n["threshold"], n["pin_tol"]
    _check_positive(threshold=threshold, pin_tol=pin_tol)
    if plot_path is not None and not plot_path.lower().endswith(".png"):
        fail(f"--plot writes a PNG; give a path ending in .png, got {plot_path}")
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
